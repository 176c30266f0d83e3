"""Data-quality flags: anyone flags a public record, the source department answers (web/reviewers pages)."""

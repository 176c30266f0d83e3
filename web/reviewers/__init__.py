"""Reviewers in departments: their department's cases, deadlines and decisions."""

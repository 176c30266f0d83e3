"""The plan's progress dashboard for the third-party assessment (/progress, its JSON and XLSX)."""

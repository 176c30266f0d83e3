"""Supervision: credit checks, grades, warnings, inspection draws and statistics, as API and pages."""

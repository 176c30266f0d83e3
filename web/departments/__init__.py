"""Departments submitting records."""

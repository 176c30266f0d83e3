"""Firms and their cases: activation, login, their records, repair and objection applications, the case API."""

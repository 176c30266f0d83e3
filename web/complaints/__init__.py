"""Complaints and reports over HTTP: the public files and follows them, the handling department decides."""

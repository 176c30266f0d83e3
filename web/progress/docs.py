"""OpenAPI descriptions of the progress dashboard (web/progress/pages.py)."""
from __future__ import annotations

from web.openapi import Docs, add

DOCS: Docs = {}
add(DOCS, "/api/v1/progress", {"get": {
    "summary": "The plan's tasks with the figure the data gives each and its method (third-party assessment); the "
               "same as /progress and /progress.xlsx",
    "responses": {"200": {"description": "`tasks`: id, section, task (the plan's text), metric, method, figure"}}}})

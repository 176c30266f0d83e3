"""Markdown from departments, rendered safely: CommonMark with raw HTML off (typed tags are shown as text, and
domain/documents.py refuses them anyway), links only to http(s), mailto and site paths (markdown-it-py's link
check refuses javascript:, vbscript:, file: and data:), tables allowed. One renderer for every page that shows a
department's text."""
from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup


@cache
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render(text: str) -> Markup:
    """The HTML of a department's Markdown (safe to put in a page as is)."""
    return Markup(_renderer().render(text or ""))

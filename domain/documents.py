"""Documents a department maintains: its disclosure page's duties, procedures and service commitments, and the model
contracts for online trade (网络交易合同示范文本). Kinds are data (schemas/documents.json).

One aggregate per document (`{kind}:{department}` for a department's pages, `contract:{slug}` for a model contract);
every save is a new version (an event with the whole text), so any version can be read forever and the history is
the log's. The text is Markdown or plain text: it is rendered with raw HTML disabled (web/markdown.py), so nothing a
department types can put a script or a tag on a public page. Saving the same text again changes nothing.
"""
from __future__ import annotations

import re
from functools import cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

import schemas
from domain.errors import FieldError, ForbiddenError, InputError, ValidationFailed
from domain.privacy import scrub_text

CONTRACT = "contract"


@cache
def rules() -> dict[str, Any]:
    return schemas.load("documents.json")


def kinds() -> dict[str, dict[str, Any]]:
    return rules()["kinds"]


def document_key(kind: str, owner: str) -> str:
    """`duties:{department code}`, `contract:{slug}`."""
    return f"{kind}:{owner}"


def document_id(key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/documents/{key}")


def check_kind(kind: str, scope: str) -> dict[str, Any]:
    found = kinds().get(kind)
    if found is None or found["scope"] != scope:
        names = "、".join(k for k, v in kinds().items() if v["scope"] == scope)
        raise InputError("kind", "unknown_kind", f"文档类型应为：{names}", f"kind must be one of {names}")
    return found


def check_slug(slug: str) -> str:
    text = str(slug or "").strip().lower()
    if not re.match(rules()["slug_pattern"], text):
        raise InputError("slug", "pattern", "示范文本的标识应为 2 至 41 位小写字母、数字或连字符（例如 online-retail）",
                         "slug must be 2 to 41 lowercase letters, digits or hyphens (e.g. online-retail)")
    return text


def check_text(title: Any, text: Any) -> tuple[str, str]:
    """(title, text) trimmed, or every error by field; HTML tags are refused, not stripped (say so, keep nothing)."""
    errors = []
    title = str(title or "").strip()
    body = str(text or "").replace("\r\n", "\n").strip()
    if not title or len(title) > rules()["title_max_chars"]:
        errors.append(FieldError("title", "length", f"标题应为 1 至 {rules()['title_max_chars']} 个字",
                                 f"title must be 1 to {rules()['title_max_chars']} characters"))
    if not body:
        errors.append(FieldError("text", "required", "正文不能为空", "the text is required"))
    elif len(body) > rules()["max_chars"]:
        errors.append(FieldError("text", "length", f"正文不超过 {rules()['max_chars']} 字", f"the text is limited to "
                                 f"{rules()['max_chars']} characters"))
    elif scrub_text(body) != body or scrub_text(title) != title:
        errors.append(FieldError("text", "personal_number", "公开文档不得包含身份证号或电话号码（服务电话请写 12345 等政务热线）",
                                 "a public document may not carry an ID or phone number (name a hotline such as 12345)"))
    elif re.search(r"<\s*/?\s*[a-zA-Z][^>]*>", body):
        errors.append(FieldError("text", "html", "正文不接受 HTML 标签，请用 Markdown（# 标题、- 列表、**加粗**）或纯文本",
                                 "no HTML tags: write Markdown or plain text"))
    if errors:
        raise ValidationFailed(errors)
    return title, body


class Document(Aggregate):
    """One maintained document and its versions."""

    TOPIC = "gongshi:Document"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:Document.Created"

    class Started(Aggregate.Created):
        TOPIC = "gongshi:Document.Started"
        kind: str
        owner: str
        department: str

    @staticmethod
    def create_id(kind: str, owner: str, department: str) -> UUID:
        return document_id(document_key(kind, owner))

    @event(Started)
    def __init__(self, kind: str, owner: str, department: str):
        self.kind, self.owner, self.department = kind, owner, department
        self.versions: list[dict[str, Any]] = []

    class Saved(Aggregate.Event):
        TOPIC = "gongshi:Document.Saved"
        title: str
        text: str
        note: str
        on: str
        submitter: str

        def apply(self, document: Document) -> None:
            document.versions = [*document.versions, {"version": len(document.versions) + 1, "title": self.title,
                                                      "text": self.text, "note": self.note, "on": self.on,
                                                      "by": self.submitter}]

    def save(self, department: str, title: str, text: str, note: str, on: str, submitter: str) -> bool:
        """A new version by the owning department; False when the title and text are those of the current one."""
        if department != self.department:
            raise ForbiddenError("department", "not_your_document", "只有该文档的维护部门可以修改",
                                 "only the department that maintains this document may change it")
        if self.versions and (self.versions[-1]["title"], self.versions[-1]["text"]) == (title, text):
            return False
        self.trigger_event(self.Saved, title=title, text=text, note=note, on=on, submitter=submitter)
        return True

"""Saving a department's documents (disclosure pages, model contracts): one command, one new version per change."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from application.ledger import Ledger, last_position
from domain import documents
from domain.documents import CONTRACT, Document
from domain.errors import ForbiddenError


class Documents:
    def __init__(self, ledger: Ledger, catch_up: Callable[[], None]):
        self.ledger, self.catch_up = ledger, catch_up

    def _department_of_key(self, key: str) -> str:
        return next(d.code for d in self.ledger.catalog.departments.values() if d.key == key)

    def save(self, department: str, kind: str, owner: str | None, title: Any, text: Any, note: Any, today: dt.date,
             submitter: str) -> dict[str, Any]:
        """Save a new version of a department's page (`owner` its own code) or of a model contract (`owner` the
        contract's slug, maintained by the department the rules name). {key, version, changed, position}."""
        title, text = documents.check_text(title, text)
        if kind == CONTRACT:
            found = documents.check_kind(kind, "contract")
            owner = documents.check_slug(owner or "")
            keeper = self._department_of_key(found["maintained_by"])
            if department != keeper:
                raise ForbiddenError("department", "not_the_keeper", "网络交易合同示范文本由市场监管部门发布",
                                     "model contracts are published by the market regulator")
        else:
            documents.check_kind(kind, "department")
            owner = department
        key = documents.document_key(kind, owner)
        changed: list[bool] = []

        def command() -> list[Any]:
            doc = self.ledger.get_or_none(documents.document_id(key)) or Document(kind=kind, owner=owner,
                                                                                  department=department)
            changed[:] = [doc.save(department, title, text, str(note or "").strip()[:200], today.isoformat(),
                                   submitter)]
            return [doc]

        recordings = self.ledger.execute(command)
        self.catch_up()
        doc = self.ledger.get_or_none(documents.document_id(key))
        position = last_position(recordings)
        return {"key": key, "version": len(doc.versions), "changed": changed[0],
                "position": position if position is not None else self.ledger.position()}

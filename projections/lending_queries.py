"""Queries on the 信易贷 read model (projections/lending.py): who may read whom, who read what, the products.

A consent's status (in force, pending, expired, revoked) depends on the day, so it is computed when
asked (domain/consents.status_of), never stored.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from domain.consents import purposes, status_of
from domain.lenders import rules
from projections.db import Database

STATUS_LABELS = {"granted": "有效", "pending": "未生效", "expired": "已过期", "revoked": "已撤销"}
REASON_LABELS = {"no_consent": "未授权", "expired": "授权已过期", "revoked": "授权已撤销", "not_yet": "授权未生效",
                 "other_firm": "引用了其他企业的授权", "other_lender": "引用了给其他机构的授权"}


def lenders(db: Database) -> list[dict[str, Any]]:
    """Every registered lender (public: who may ask a firm for consent)."""
    types = rules()["institution_types"]
    return [{**r, "type_label": types[r["institution_type"]]["zh"]}
            for r in db.query("SELECT credit_code, name, institution_type, registered_on FROM v_lenders "
                              "ORDER BY name, credit_code")]


def _consent(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    status = status_of(row["valid_from"], row["valid_until"], row["revoked_on"], today)
    purpose = purposes().get(row["purpose"], {})
    return {**{k: v for k, v in row.items() if k != "position"}, "status": status,
            "status_label": STATUS_LABELS[status], "purpose_label": purpose.get("zh", row["purpose"])}


def consents_of_firm(db: Database, credit_code: str, today: dt.date) -> list[dict[str, Any]]:
    rows = db.query("SELECT * FROM v_consents WHERE credit_code = ? ORDER BY granted_on DESC, position DESC",
                    (credit_code,))
    return [_consent(r, today) for r in rows]


def consents_of_lender(db: Database, lender_code: str, today: dt.date) -> list[dict[str, Any]]:
    rows = db.query("SELECT * FROM v_consents WHERE lender_code = ? ORDER BY granted_on DESC, position DESC",
                    (lender_code,))
    return [_consent(r, today) for r in rows]


def consent_ids(db: Database, lender_code: str, credit_code: str) -> list[str]:
    """The consents this firm gave this lender, newest first (the service loads them to decide)."""
    return [r[0] for r in db.execute("SELECT consent_id FROM v_consents WHERE lender_code = ? AND credit_code = ? "
                                     "ORDER BY position DESC", (lender_code, credit_code))]


def _read(row: dict[str, Any]) -> dict[str, Any]:
    out = {**row, "gist": json.loads(row["gist"])}
    out["reason_label"] = REASON_LABELS.get(row["reason"] or "", "")
    return out


def reads_of_firm(db: Database, credit_code: str) -> list[dict[str, Any]]:
    """Every lender's read of this firm's report and every refused attempt, newest first."""
    return [_read(r) for r in db.query("SELECT * FROM v_lender_reads WHERE credit_code = ? ORDER BY position DESC",
                                       (credit_code,))]


def reads_of_lender(db: Database, lender_code: str) -> list[dict[str, Any]]:
    return [_read(r) for r in db.query("SELECT * FROM v_lender_reads WHERE lender_code = ? ORDER BY position DESC",
                                       (lender_code,))]


def _product(row: dict[str, Any]) -> dict[str, Any]:
    return {"product_id": row["product_id"], "lender_code": row["lender_code"], "lender_name": row["lender_name"],
            "status": row["status"], "published_on": row["published_on"], "changed_on": row["changed_on"],
            **json.loads(row["data"])}


def products(db: Database, lender_code: str | None = None, *, active_only: bool = True) -> list[dict[str, Any]]:
    """The products on offer (a lender's own, withdrawn ones too, when asked), by lender and name."""
    where, params = [], []
    if active_only:
        where.append("status = 'active'")
    if lender_code:
        where.append("lender_code = ?")
        params.append(lender_code)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return [_product(r) for r in db.query(f"SELECT * FROM v_loan_products {clause} ORDER BY lender_name, name, code",
                                          params)]


def applications(db: Database, *, credit_code: str | None = None, lender_code: str | None = None) -> list[dict[str, Any]]:
    """Current applications of a firm or to a lender, newest first."""
    column, value = ("credit_code", credit_code) if credit_code else ("lender_code", lender_code)
    return db.query(f"SELECT * FROM v_loan_applications WHERE {column} = ? AND valid_to IS NULL "
                    "ORDER BY submitted_on DESC, valid_from DESC", (value,))

"""The read model of 信易贷: lenders, consents, lenders' reads, loan products and applications.

Lenders and products are public (the products are what /finance/products lists); consents and
reads are the firm's and the lender's own (a firm sees who read what of it, and every refused
attempt). Applications are versioned by log position (`valid_from`, `valid_to`) because their
counts are an open dataset (financing-statistics) that a pinned download must reproduce.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from domain.consents import Consent, LenderRead
from domain.lenders import Lender
from domain.loans import LoanApplication, LoanProduct
from projections.runner import Event
from projections.tracked import TrackedTables

APPLICATION_COLUMNS = ("application_id", "valid_from", "valid_to", "credit_code", "firm_name", "product_id",
                       "product_code", "product_name", "lender_code", "lender_name", "amount", "term_months",
                       "consent_id", "month", "submitted_on", "status", "decided_on", "granted_amount")
#: the columns of the financing-statistics dataset (publishing/sources.FinancingSource counts them from the rows)
FINANCING_COLUMNS = ("month", "lender_code", "lender_name", "product_id", "product_name", "applications", "granted",
                     "declined", "pending", "granted_amount")
_NUMERIC = {"amount": "DOUBLE PRECISION", "granted_amount": "DOUBLE PRECISION", "term_months": "BIGINT",
            "valid_from": "BIGINT", "valid_to": "BIGINT"}
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS v_lenders (credit_code TEXT PRIMARY KEY, name TEXT NOT NULL, "
    "institution_type TEXT NOT NULL, registered_on TEXT NOT NULL, position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS v_consents (consent_id TEXT PRIMARY KEY, credit_code TEXT NOT NULL, "
    "firm_name TEXT NOT NULL, lender_code TEXT NOT NULL, lender_name TEXT NOT NULL, purpose TEXT NOT NULL, "
    "valid_from TEXT NOT NULL, valid_until TEXT NOT NULL, revoked_on TEXT, application TEXT, granted_on TEXT NOT NULL, "
    "position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS v_lender_reads (read_id TEXT PRIMARY KEY, position BIGINT NOT NULL, "
    "recorded_at TEXT NOT NULL, lender_code TEXT NOT NULL, lender_name TEXT NOT NULL, credit_code TEXT NOT NULL, "
    "consent_id TEXT, outcome TEXT NOT NULL, reason TEXT, as_of_position BIGINT, as_of_today TEXT, gist TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS v_loan_products (product_id TEXT PRIMARY KEY, lender_code TEXT NOT NULL, "
    "lender_name TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, data TEXT NOT NULL, "
    "published_on TEXT NOT NULL, changed_on TEXT NOT NULL, position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS v_loan_applications ("
    + ", ".join(f"{c} {_NUMERIC.get(c, 'TEXT')}" for c in APPLICATION_COLUMNS)
    + ", PRIMARY KEY (application_id, valid_from))",
]
INDEXES = [
    "CREATE INDEX IF NOT EXISTS v_consents_firm ON v_consents (credit_code, lender_code)",
    "CREATE INDEX IF NOT EXISTS v_lender_reads_firm ON v_lender_reads (credit_code, position)",
    "CREATE INDEX IF NOT EXISTS v_loan_applications_firm ON v_loan_applications (credit_code, valid_to)",
    "CREATE INDEX IF NOT EXISTS v_loan_applications_position ON v_loan_applications (valid_from)",
]


class LendingViews(TrackedTables):
    name = "lending_views"
    layout = 1
    schema = SCHEMA
    indexes = INDEXES
    tables = ("v_lenders", "v_consents", "v_lender_reads", "v_loan_products", "v_loan_applications")

    def write(self, events: Sequence[Event]) -> None:
        for position, ev in events:
            cls = type(ev)
            if cls is Lender.Registered:
                self.db.execute("INSERT INTO v_lenders (credit_code, name, institution_type, registered_on, position) "
                                "VALUES (?, ?, ?, ?, ?)", (ev.credit_code, ev.name, ev.institution_type, ev.on, position))
            elif cls is Consent.Granted:
                self.db.execute(
                    "INSERT INTO v_consents (consent_id, credit_code, firm_name, lender_code, lender_name, purpose, "
                    "valid_from, valid_until, revoked_on, application, granted_on, position) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
                    (str(ev.originator_id), ev.credit_code, ev.firm_name, ev.lender_code, ev.lender_name, ev.purpose,
                     ev.valid_from, ev.valid_until, ev.application, ev.on, position))
            elif cls is Consent.Revoked:
                self.db.execute("UPDATE v_consents SET revoked_on=?, position=? WHERE consent_id=?",
                                (ev.on, position, str(ev.originator_id)))
            elif cls is LenderRead.Recorded:
                self.db.execute(
                    "INSERT INTO v_lender_reads (read_id, position, recorded_at, lender_code, lender_name, credit_code, "
                    "consent_id, outcome, reason, as_of_position, as_of_today, gist) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (str(ev.originator_id), position, ev.timestamp.isoformat(), ev.lender_code, ev.lender_name,
                     ev.credit_code, ev.consent_id, ev.outcome, ev.reason, ev.moment.get("position"),
                     ev.moment.get("today"), json.dumps(ev.gist, ensure_ascii=False, sort_keys=True)))
            elif cls is LoanProduct.Published:
                p = ev.product
                self.db.execute(
                    "INSERT INTO v_loan_products (product_id, lender_code, lender_name, code, name, status, data, "
                    "published_on, changed_on, position) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
                    (str(ev.originator_id), ev.lender_code, ev.lender_name, p["code"], p["name"], _json(p), ev.on,
                     ev.on, position))
            elif cls is LoanProduct.Changed:
                self.db.execute("UPDATE v_loan_products SET name=?, status='active', data=?, changed_on=?, position=? "
                                "WHERE product_id=?", (ev.product["name"], _json(ev.product), ev.on, position,
                                                       str(ev.originator_id)))
            elif cls is LoanProduct.Withdrawn:
                self.db.execute("UPDATE v_loan_products SET status='withdrawn', changed_on=?, position=? "
                                "WHERE product_id=?", (ev.on, position, str(ev.originator_id)))
            elif cls is LoanApplication.Submitted:
                self._insert_application({
                    "application_id": str(ev.originator_id), "valid_from": position, "valid_to": None,
                    "credit_code": ev.credit_code, "firm_name": ev.firm_name, "product_id": ev.product_id,
                    "product_code": ev.product_code, "product_name": ev.product_name, "lender_code": ev.lender_code,
                    "lender_name": ev.lender_name, "amount": ev.amount, "term_months": ev.term_months,
                    "consent_id": ev.consent_id, "month": ev.on[:7], "submitted_on": ev.on, "status": "submitted",
                    "decided_on": None, "granted_amount": None})
            elif cls is LoanApplication.Decided:
                aid = str(ev.originator_id)
                row = self.db.query("SELECT * FROM v_loan_applications WHERE application_id=? AND valid_to IS NULL",
                                    (aid,))[0]
                self.db.execute("UPDATE v_loan_applications SET valid_to=? WHERE application_id=? AND valid_to IS NULL",
                                (position, aid))
                self._insert_application({**row, "valid_from": position, "valid_to": None, "status": ev.decision,
                                          "decided_on": ev.on, "granted_amount": ev.amount})

    def _insert_application(self, row: dict[str, Any]) -> None:
        self.db.execute(f"INSERT INTO v_loan_applications ({','.join(APPLICATION_COLUMNS)}) "
                        f"VALUES ({','.join('?' * len(APPLICATION_COLUMNS))})", [row[c] for c in APPLICATION_COLUMNS])


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)

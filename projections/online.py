"""The read model of online presences and their marks (domain/online.py).

`v_online_presences` keeps every version of a presence by log position (`valid_from`,
`valid_to`) because it is the open dataset online-operators, which a download pinned to a
position must reproduce; `v_marks` holds each mark's signed statement. Whether a mark is valid
now is not stored: it depends on the operator's current records (web/online/marks.py asks
`operator_state`), so a dishonesty listing suspends every mark of the operator with the next read.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from domain.certification import OperatorFacts
from domain.online import OnlinePresence, display_domain, presence_key, presence_status, public_presence
from projections.db import Database
from projections.public import Moment, on_list_clause, public_clause, version_clause
from projections.runner import Event
from projections.tracked import TrackedTables

#: the columns of the online-operators dataset, in order (publishing/online_fields.json describes them)
DATASET_COLUMNS = ("presence_key", "type", "name", "platform", "platform_name", "shop_id", "url", "domain",
                   "domain_unicode", "icp_number", "category", "credit_code", "operator_name", "exempt", "status",
                   "mark_id", "declared_on")
COLUMNS = (*DATASET_COLUMNS, "presence_id", "declared", "listed", "valid_from", "valid_to")
_INT = {"declared", "listed", "valid_from", "valid_to"}
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS v_online_presences ("
    + ", ".join(f"{c} {'BIGINT' if c in _INT else 'TEXT'}" for c in COLUMNS)
    + ", PRIMARY KEY (presence_key, valid_from))",
    "CREATE TABLE IF NOT EXISTS v_marks (mark_id TEXT PRIMARY KEY, presence_key TEXT NOT NULL, "
    "credit_code TEXT NOT NULL, payload TEXT NOT NULL, signature TEXT NOT NULL, issued_on TEXT NOT NULL, "
    "position BIGINT NOT NULL)",
]
INDEXES = [
    "CREATE INDEX IF NOT EXISTS v_online_presences_id ON v_online_presences (presence_id, valid_to)",
    "CREATE INDEX IF NOT EXISTS v_online_presences_operator ON v_online_presences (credit_code, valid_to)",
    "CREATE INDEX IF NOT EXISTS v_online_presences_position ON v_online_presences (valid_from)",
    "CREATE INDEX IF NOT EXISTS v_marks_operator ON v_marks (credit_code)",
]


class OnlineViews(TrackedTables):
    name = "online_views"
    layout = 1
    schema = SCHEMA
    indexes = INDEXES
    tables = ("v_online_presences", "v_marks")

    def write(self, events: Sequence[Event]) -> None:
        for position, ev in events:
            cls = type(ev)
            pid = str(ev.originator_id)
            if cls is OnlinePresence.Claimed:
                fields = public_presence(ev.fields)
                row = self._current(pid) or {c: None for c in COLUMNS} | {
                    "presence_key": presence_key(ev.fields), "presence_id": pid, "declared": 0, "listed": 0}
                row.update({k: fields.get(k) for k in ("type", "name", "platform", "platform_name", "shop_id", "url",
                                                       "domain", "icp_number", "category")})
                row.update(domain_unicode=display_domain(fields["domain"]) if fields.get("domain") else None,
                           credit_code=ev.credit_code, operator_name=ev.operator_name, exempt=ev.exempt)
                if ev.by == "firm":
                    row["declared"], row["declared_on"] = 1, row["declared_on"] or ev.on
                else:
                    row["listed"] = 1
                if row["status"] != "contested":
                    row["status"] = presence_status(row["type"], row["exempt"], bool(row["declared"]), bool(row["listed"]))
                self._next(row, position)
            elif cls is OnlinePresence.Settled:
                row = self._current(pid)
                if row is not None:
                    self._next({**row, "status": "confirmed", "credit_code": ev.credit_code,
                                "operator_name": ev.operator_name, "exempt": None}, position)
            elif cls is OnlinePresence.Contested:
                row = self._current(pid)
                if row is not None:
                    self._next({**row, "status": "contested"}, position)
            elif cls is OnlinePresence.MarkIssued:
                row = self._current(pid)
                self.db.execute("INSERT INTO v_marks (mark_id, presence_key, credit_code, payload, signature, "
                                "issued_on, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                (ev.mark["mark_id"], row["presence_key"], ev.mark["credit_code"], _json(ev.mark),
                                 _json(ev.signature), ev.on, position))
                self._next({**row, "mark_id": ev.mark["mark_id"]}, position)

    def _current(self, presence_id: str) -> dict[str, Any] | None:
        rows = self.db.query("SELECT * FROM v_online_presences WHERE presence_id = ? AND valid_to IS NULL",
                             (presence_id,))
        return rows[0] if rows else None

    def _next(self, row: dict[str, Any], position: int) -> None:
        """Close the presence's current version (if any) and open `row` from this position."""
        self.db.execute("UPDATE v_online_presences SET valid_to=? WHERE presence_id=? AND valid_to IS NULL",
                        (position, row["presence_id"]))
        row = {**row, "valid_from": position, "valid_to": None}
        self.db.execute(f"INSERT INTO v_online_presences ({','.join(COLUMNS)}) "
                        f"VALUES ({','.join('?' * len(COLUMNS))})", [row[c] for c in COLUMNS])



def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def operator_state(db: Database, credit_code: str, moment: Moment) -> dict[str, Any]:
    """What a mark's page shows and its validity reads about the operator now: registration, licences in force,
    penalties in publicity, current serious-dishonesty listings (public records only)."""
    versions, params = version_clause(moment, "e")
    rows = db.query(f"SELECT e.name, e.status FROM v_entities e WHERE e.credit_code = ? AND {versions}",
                    [credit_code, *params])
    clause, more = public_clause(moment)
    listed, on_list = on_list_clause(moment)
    records = db.query(f"SELECT r.kind, r.document_number, r.decision_date, r.data FROM v_records r "
                       f"WHERE r.credit_code = ? AND r.kind IN ('license', 'penalty', 'dishonesty_listing') AND {clause} "
                       f"AND (r.kind <> 'dishonesty_listing' OR {listed}) ORDER BY r.decision_date DESC, r.record_id",
                       [credit_code, *more, *on_list])
    of = {kind: [] for kind in ("license", "penalty", "dishonesty_listing")}
    for r in records:
        data = json.loads(r["data"])
        of[r["kind"]].append({"document_number": r["document_number"], "decision_date": r["decision_date"],
                              "title": data.get("license_type") or data.get("violation_type") or data.get("reason", ""),
                              "valid_to": data.get("valid_to")})
    return {"registered": bool(rows), "name": rows[0]["name"] if rows else None,
            "status": rows[0]["status"] if rows else None, "licenses": of["license"],
            "penalties_in_publicity": of["penalty"], "dishonesty_listings": of["dishonesty_listing"]}


def presences_of(db: Database, credit_code: str) -> list[dict[str, Any]]:
    """An operator's current presences, shops before websites, by name."""
    return db.query(f"SELECT {', '.join(DATASET_COLUMNS)} FROM v_online_presences WHERE credit_code = ? "
                    "AND valid_to IS NULL ORDER BY type, name, presence_key", (credit_code,))


def mark(db: Database, mark_id: str) -> dict[str, Any] | None:
    """A mark's signed statement and signature, with its presence's current row (None: no such mark)."""
    rows = db.query("SELECT m.mark_id, m.payload, m.signature, m.issued_on, p.status AS presence_status, "
                    "p.presence_key, p.mark_id AS current_mark FROM v_marks m JOIN v_online_presences p ON p.presence_key = m.presence_key "
                    "AND p.valid_to IS NULL WHERE m.mark_id = ?", (mark_id,))
    if not rows:
        return None
    row = rows[0]
    return {**row, "payload": json.loads(row["payload"]), "signature": json.loads(row["signature"])}


def contested(db: Database) -> list[dict[str, Any]]:
    """The presences flagged for the market regulator: claimed by two credit codes."""
    return db.query(f"SELECT {', '.join(DATASET_COLUMNS)} FROM v_online_presences WHERE status = 'contested' "
                    "AND valid_to IS NULL ORDER BY presence_key")


def shop(db: Database, key: str) -> dict[str, Any] | None:
    """A presence's current row by its mark id (as on its badge) or its presence key, for a complaint about it."""
    column = "mark_id" if key.startswith("LZ") else "presence_key"
    rows = db.query(f"SELECT {', '.join(DATASET_COLUMNS)} FROM v_online_presences WHERE {column} = ? "
                    "AND valid_to IS NULL", (key,))
    return rows[0] if rows else None


CHUNK = 500


def certification_facts(db: Database, codes: Sequence[str], moment: Moment) -> dict[str, OperatorFacts]:
    """The facts the certification criteria read, for many operators at once (chunks of 500 codes)."""
    out: dict[str, OperatorFacts] = {}
    for i in range(0, len(codes), CHUNK):
        chunk = list(codes[i:i + CHUNK])
        marks = ",".join("?" * len(chunk))
        versions, vp = version_clause(moment, "e")
        status = {r["credit_code"]: r["status"] for r in db.query(
            f"SELECT e.credit_code, e.status FROM v_entities e WHERE e.credit_code IN ({marks}) AND {versions}",
            [*chunk, *vp])}
        versions, vp = version_clause(moment, "o")
        categories: dict[str, set[str]] = {}
        for r in db.query(f"SELECT o.credit_code, o.category FROM v_online_presences o WHERE o.credit_code IN ({marks}) "
                          f"AND o.status = 'confirmed' AND {versions}", [*chunk, *vp]):
            categories.setdefault(r["credit_code"], set()).add(r["category"] or "general")
        clause, cp = public_clause(moment)
        listed, lp = on_list_clause(moment)
        licenses: dict[str, list[str]] = {}
        dishonest: set[str] = set()
        for r in db.query(f"SELECT r.credit_code, r.kind, r.data FROM v_records r WHERE r.credit_code IN ({marks}) "
                          f"AND r.kind IN ('license', 'dishonesty_listing') AND {clause} "
                          f"AND (r.kind <> 'dishonesty_listing' OR {listed})", [*chunk, *cp, *lp]):
            if r["kind"] == "dishonesty_listing":
                dishonest.add(r["credit_code"])
                continue
            data = json.loads(r["data"])
            if (data.get("valid_to") or "9999") >= moment.today:
                licenses.setdefault(r["credit_code"], []).append(data.get("license_type") or "")
        versions, vp = version_clause(moment, "r")
        penalties: dict[str, list[tuple[str, str]]] = {}
        for r in db.query(f"SELECT r.credit_code, r.decision_date, r.data FROM v_records r WHERE r.credit_code IN "
                          f"({marks}) AND r.kind = 'penalty' AND r.status = 'active' AND r.published = 1 AND {versions}",
                          [*chunk, *vp]):
            data = json.loads(r["data"])
            text = f"{data.get('violation_type', '')} {data.get('facts', '')}"
            penalties.setdefault(r["credit_code"], []).append((r["decision_date"] or "", text))
        versions, vp = version_clause(moment, "a")
        years: dict[str, set[int]] = {}
        for r in db.query(f"SELECT a.credit_code, a.year FROM v_annual_reports a WHERE a.credit_code IN ({marks}) "
                          f"AND {versions}", [*chunk, *vp]):
            years.setdefault(r["credit_code"], set()).add(int(r["year"]))
        for code in chunk:
            out[code] = OperatorFacts(code, status.get(code), frozenset(categories.get(code, ())),
                                      tuple(licenses.get(code, ())), code in dishonest,
                                      tuple(penalties.get(code, ())), frozenset(years.get(code, ())))
    return out

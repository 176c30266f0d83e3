"""The read model of spot-check results (抽查检查结果): one row per drawn entity's result version.

Rows carry the log positions between which they were current (`valid_from` inclusive,
`valid_to` exclusive), so the profile and the open dataset answer "as of" like the records
do; a correction closes the row it corrects. Each row carries its draw's seed, day and
department, and the entity's name at the result's position. Free text (the note, a
correction's reason) is scrubbed of ID and phone numbers before it is stored.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import schemas
from domain.inspections import InspectionDraw, outcomes, result_id
from domain.privacy import scrub_text
from projections.db import Database
from projections.public import Moment, version_clause
from projections.runner import Event
from projections.tracked import TrackedTables

COLUMNS = ("result_id", "draw_id", "seed", "drawn_on", "draw_position", "entity_key", "credit_code", "name",
           "outcome", "outcome_name", "inspected_on", "note", "reason", "revision", "department_code",
           "department_name", "valid_from", "valid_to")
#: The table's columns that are columns of the open dataset (publishing/inspection_result_fields.json).
DATASET_COLUMNS = ("result_id", "draw_id", "seed", "drawn_on", "credit_code", "name", "outcome", "outcome_name",
                   "inspected_on", "note", "revision", "department_code", "department_name")
_INT = {"draw_position", "revision", "valid_from", "valid_to"}
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS v_inspection_draws (draw_id TEXT PRIMARY KEY, seed TEXT NOT NULL, "
    "drawn_on TEXT NOT NULL, department TEXT, position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS v_inspection_results ("
    + ", ".join(f"{c} {'BIGINT' if c in _INT else 'TEXT'}" for c in COLUMNS)
    + ", PRIMARY KEY (result_id, valid_from))",
]
INDEXES = [
    "CREATE INDEX IF NOT EXISTS v_inspection_results_entity ON v_inspection_results (entity_key, valid_to)",
    "CREATE INDEX IF NOT EXISTS v_inspection_results_draw ON v_inspection_results (draw_id, valid_to)",
    "CREATE INDEX IF NOT EXISTS v_inspection_results_outcome ON v_inspection_results (outcome, valid_to)",
]


def _free_text(value: str | None) -> str | None:
    return scrub_text(value) if value else None


class InspectionResultViews(TrackedTables):
    name = "inspection_result_views"
    layout = 1
    schema = SCHEMA
    indexes = INDEXES
    tables = ("v_inspection_results", "v_inspection_draws")

    def write(self, events: Sequence[Event]) -> None:
        for position, ev in events:
            if isinstance(ev, InspectionDraw.Drawn):
                drawn_on = ev.moment.get("drawn_on") or ev.moment["today"]
                self.db.execute("INSERT INTO v_inspection_draws (draw_id, seed, drawn_on, department, position) "
                                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (draw_id) DO NOTHING",
                                (str(ev.originator_id), ev.seed, drawn_on, ev.department, position))
            elif isinstance(ev, InspectionDraw.ResultsRecorded):
                self._results(position, str(ev.originator_id), ev)

    def _results(self, position: int, draw_id: str, ev: InspectionDraw.ResultsRecorded) -> None:
        draws = self.db.query("SELECT * FROM v_inspection_draws WHERE draw_id=?", (draw_id,))
        draw = draws[0] if draws else {"seed": None, "drawn_on": None, "position": None}
        names = _names_at(self.db, [r["entity_key"] for r in ev.results], position)
        departments = {d["code"]: d["name"] for d in schemas.catalog()["departments"]}
        labels = outcomes()
        for result in ev.results:
            rid = str(result_id(draw_id, result["entity_key"]))
            old = self.db.execute("SELECT revision FROM v_inspection_results WHERE result_id=? AND valid_to IS NULL",
                                  (rid,))
            if old:
                self.db.execute("UPDATE v_inspection_results SET valid_to=? WHERE result_id=? AND valid_to IS NULL",
                                (position, rid))
            row = {"result_id": rid, "draw_id": draw_id, "seed": draw["seed"], "drawn_on": draw["drawn_on"],
                   "draw_position": draw["position"], "entity_key": result["entity_key"],
                   "credit_code": result["credit_code"], "name": names.get(result["entity_key"]),
                   "outcome": result["outcome"], "outcome_name": labels.get(result["outcome"], {}).get("zh"),
                   "inspected_on": result["inspected_on"], "note": _free_text(result.get("note")),
                   "reason": _free_text(result.get("reason")), "revision": old[0][0] + 1 if old else 0,
                   "department_code": ev.department, "department_name": departments.get(ev.department),
                   "valid_from": position, "valid_to": None}
            self.db.execute(f"INSERT INTO v_inspection_results ({','.join(COLUMNS)}) "
                            f"VALUES ({','.join('?' * len(COLUMNS))})", tuple(row[c] for c in COLUMNS))


def _names_at(db: Database, keys: list[str], position: int) -> dict[str, str]:
    """Each entity's name in its registration version current at a log position."""
    names: dict[str, str] = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        rows = db.execute(f"SELECT entity_key, name FROM v_entities WHERE entity_key IN ({','.join('?' * len(chunk))}) "
                          "AND valid_from <= ? ORDER BY entity_key, valid_from", (*chunk, position))
        names.update({key: name for key, name in rows})  # the last version at or before the position wins
    return names


# -- queries ---------------------------------------------------------------------------------------------
_SELECT = ", ".join(f"i.{c}" for c in ("draw_id", "seed", "drawn_on", "credit_code", "name", "outcome", "outcome_name",
                                        "inspected_on", "note", "reason", "revision", "department_code",
                                        "department_name")) + ", i.valid_from AS position"


def of_entity(db: Database, entity_key: str, moment: Moment) -> list[dict[str, Any]]:
    """An entity's spot-check results at the moment (public: 一公开), latest inspection first."""
    clause, params = version_clause(moment, "i")
    return db.query(f"SELECT {_SELECT} FROM v_inspection_results i WHERE i.entity_key = ? AND {clause} "
                    "ORDER BY i.inspected_on DESC, i.drawn_on DESC, i.draw_id", (entity_key, *params))


def of_draw(db: Database, draw_id: str) -> dict[str, dict[str, Any]]:
    """Entity key -> its current result, for every drawn entity of a draw that has one."""
    rows = db.query(f"SELECT i.entity_key, {_SELECT} FROM v_inspection_results i "
                    "WHERE i.draw_id = ? AND i.valid_to IS NULL", (draw_id,))
    return {row.pop("entity_key"): row for row in rows}


def current_with_outcomes(db: Database, outcomes: Sequence[str], until: str) -> list[tuple[str, str, str, str, str]]:
    """Current results with one of `outcomes`, inspected on or before `until`, oldest inspection first:
    (credit code, draw id, outcome, inspected on, inspecting department). What the deadline rules read."""
    if not outcomes:
        return []
    marks = ",".join("?" * len(outcomes))
    rows = db.execute("SELECT credit_code, draw_id, outcome, inspected_on, department_code FROM v_inspection_results "
                      f"WHERE outcome IN ({marks}) AND valid_to IS NULL AND inspected_on <= ? "
                      "ORDER BY inspected_on, credit_code, draw_id", (*outcomes, until))
    return [tuple(r) for r in rows]

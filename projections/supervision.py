"""Supervision read side: an entity's counting records, and the grades projection.

What counts toward measures, grades and warnings is decided by projections/public.py:
the record's version at the moment, active (not withdrawn, not repaired), inside its
publicity window, and for listings still on the list. Everything else stops counting.

`Grades` keeps each entity's grade and warnings (table s_grades). It recomputes the
entities whose records change as events arrive, and `regrade_all(today)` recomputes every
entity for a new day (decay and expiry need no event): run nightly (`gongshi grades
nightly`, time in schemas/grading.json or GONGSHI_REGRADE_AT) and by the bench. Grades
depend on the day they are computed on, which each row stores with its log position.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from domain import grading, warnings
from domain.evidence import Record
from domain.records import LISTING_KINDS, Entity, Record as RecordAggregate
from projections.db import Database
from projections.ledger_rows import entity_key_of, to_json
from projections.ledger_views import LedgerViews
from projections.tracked import TrackedTables
from projections.public import Moment, on_list_clause, public_clause, version_clause
from projections.runner import Event

CHUNK = 500
GRADE_COLUMNS = ("entity_key", "credit_code", "name", "district", "status", "registered_in_city", "grade", "score",
                 "model", "position", "today", "explanation", "warnings", "warning_rules", "warning_count")
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS s_grades (entity_key TEXT PRIMARY KEY, credit_code TEXT, name TEXT, district TEXT, "
    "status TEXT, registered_in_city INTEGER, grade TEXT NOT NULL, score DOUBLE PRECISION NOT NULL, model TEXT, "
    "position BIGINT NOT NULL, today TEXT NOT NULL, explanation TEXT NOT NULL, warnings TEXT NOT NULL, "
    "warning_rules TEXT, warning_count INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS s_grades_grade ON s_grades (grade, entity_key)",
    "CREATE INDEX IF NOT EXISTS s_grades_warned ON s_grades (warning_count, entity_key)",
    "CREATE TABLE IF NOT EXISTS s_regrades (started_at TEXT PRIMARY KEY, finished_at TEXT, today TEXT NOT NULL, "
    "position BIGINT NOT NULL, entities BIGINT, seconds DOUBLE PRECISION)",
]
_RECORD_SELECT = ("r.entity_key, r.record_id, r.valid_from AS position, r.kind, r.list_type, r.document_number, "
                  "r.authority, r.decision_date, r.list_until, r.public_until, r.data, r.publicity")
_ENTITY_SELECT = ("e.entity_key, e.valid_from, e.version, e.credit_code, e.name, e.district, e.status, "
                  "e.registered_in_city, e.legal_representative, e.data, e.updated_at")


def counting_clause(moment: Moment, alias: str = "r") -> tuple[str, list[Any]]:
    """Records that count at this moment: public, and listings still on their list."""
    public, params = public_clause(moment, alias)
    on_list, list_params = on_list_clause(moment, alias)
    kinds = ", ".join(f"'{k}'" for k in LISTING_KINDS)
    return f"{public} AND ({alias}.kind NOT IN ({kinds}) OR {on_list})", [*params, *list_params]


@dataclass(frozen=True)
class Subject:
    """An entity as the rules see it, with its counting records at one moment."""

    key: str
    profile: dict[str, Any]  # the current version's columns
    entity: dict[str, Any]  # domain/evidence.py entity dict
    records: list[Record]


def load_subjects(db: Database, keys: Sequence[str], moment: Moment) -> dict[str, Subject]:
    """The entities with these keys (those that exist at the moment), with their counting records."""
    found: dict[str, Subject] = {}
    for i in range(0, len(keys), CHUNK):
        chunk = list(keys[i:i + CHUNK])
        marks = ",".join("?" * len(chunk))
        bound, params = ("", []) if moment.position is None else (" AND e.valid_from <= ?", [moment.position])
        versions: dict[str, list[dict[str, Any]]] = {}
        for row in db.query(f"SELECT {_ENTITY_SELECT} FROM v_entities e WHERE e.entity_key IN ({marks}){bound} "
                            "ORDER BY e.entity_key, e.valid_from", [*chunk, *params]):
            versions.setdefault(row["entity_key"], []).append(row)
        records: dict[str, list[Record]] = {}
        clause, params = counting_clause(moment)
        for row in db.query(f"SELECT {_RECORD_SELECT} FROM v_records r WHERE r.entity_key IN ({marks}) AND {clause} "
                            "ORDER BY r.entity_key, r.decision_date, r.record_id", [*chunk, *params]):
            row["data"] = orjson.loads(row["data"])
            row["publicity"] = orjson.loads(row["publicity"]) if row["publicity"] else None
            records.setdefault(row.pop("entity_key"), []).append(row)
        for key, rows in versions.items():
            found[key] = Subject(key, rows[-1], _entity(rows), records.get(key, []))
    return found


def _entity(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The rules' view of an entity: its status and its registration versions (changes need dates)."""
    registered = [r for r in rows if r["version"] >= 1]
    changes = len({r["legal_representative"] for r in registered}) > 1
    versions = [{
        "position": r["valid_from"], "version": r["version"], "legal_representative": r["legal_representative"],
        "change_date": (orjson.loads(r["data"]).get("change_date") if changes else None) or r["updated_at"][:10],
    } for r in registered]
    return {"entity_key": rows[-1]["entity_key"], "status": rows[-1]["status"], "versions": versions}


@dataclass(frozen=True)
class Assessment:
    subject: Subject
    grade: grading.Grade
    warnings: list[warnings.Warning]


class Rules:
    """The grading model and warning rules in force on a day, from the configuration files."""

    def __init__(self, grading_config: dict[str, Any], warning_config: dict[str, Any]):
        self.grading_config, self.warning_config = grading_config, warning_config

    def grade(self, subject: Subject, today: dt.date) -> grading.Grade:
        model = grading.model_for(self.grading_config, today)
        return grading.grade_entity(model, subject.entity, subject.records, today)

    def measures_grade(self, subject: Subject, today: dt.date) -> grading.Grade:
        """The grade joint rewards and punishments read: from government records only."""
        model = grading.model_for(self.grading_config, today)
        return grading.grade_entity(model, subject.entity, grading.government_only(subject.records), today)

    def assess(self, subject: Subject, today: dt.date) -> Assessment:
        rule_set = warnings.rules_for(self.warning_config, today)
        return Assessment(subject, self.grade(subject, today),
                          warnings.evaluate(rule_set, subject.entity, subject.records, today))


def recent_draws(db: Database, limit: int = 20) -> list[dict[str, Any]]:
    """The latest recorded inspection draws (position, time, draw id), newest first."""
    return db.query("SELECT position, recorded_at, aggregate_id FROM v_log WHERE event = 'InspectionDraw.Drawn' "
                    "ORDER BY position DESC LIMIT ?", (limit,))


def reached(db: Database) -> int:
    """The log position the records read model has reached."""
    rows = db.execute("SELECT position FROM v_tracking WHERE name=?", (LedgerViews.name,))
    return rows[0][0] if rows else 0


class Grades(TrackedTables):
    """Each entity's current grade and warnings, recomputed when its records change."""

    name = "supervision"
    schema = SCHEMA
    tables = ("s_grades", "s_regrades")

    def __init__(self, db: Database, rules: Rules, clock: Callable[[], dt.date]):
        super().__init__(db)
        self.rules, self.clock = rules, clock

    def write(self, events: Sequence[Event]) -> None:
        keys = sorted(self._touched(events))
        if keys:
            today = self.clock()
            self._store(self._assess(keys, Moment(None, today.isoformat()), today), reached(self.db))

    def _touched(self, events: Iterable[Event]) -> set[str]:
        """The entities whose records or registration these events change.

        Events that carry fields name their entity; the others (withdrawn, repaired, repair
        revoked, objection flags, and any added later) are found by their record's id.
        """
        keys, by_record = set(), []
        for _, event in events:
            if not isinstance(event, RecordAggregate.Event | Entity.Event):
                continue
            fields = getattr(event, "fields", None) or getattr(event, "removal", None)
            if fields is None:
                by_record.append(str(event.originator_id))
            elif key := entity_key_of(fields):
                keys.add(key)
        for i in range(0, len(by_record), CHUNK):
            chunk = by_record[i:i + CHUNK]
            rows = self.db.execute(f"SELECT DISTINCT entity_key FROM v_records WHERE record_id IN "
                                   f"({','.join('?' * len(chunk))}) AND entity_key IS NOT NULL", chunk)
            keys.update(r[0] for r in rows)
        return keys

    def _assess(self, keys: Sequence[str], moment: Moment, today: dt.date) -> Iterator[Assessment]:
        for subject in load_subjects(self.db, keys, moment).values():
            yield self.rules.assess(subject, today)

    def _store(self, assessments: Iterable[Assessment], position: int) -> int:
        rows = [_row(a, position) for a in assessments]
        updates = ", ".join(f"{c}=excluded.{c}" for c in GRADE_COLUMNS[1:])
        self.db.executemany(
            f"INSERT INTO s_grades ({','.join(GRADE_COLUMNS)}) VALUES ({','.join('?' * len(GRADE_COLUMNS))}) "
            f"ON CONFLICT (entity_key) DO UPDATE SET {updates} WHERE s_grades.position <= excluded.position", rows)
        return len(rows)

    def entity_count(self) -> int:
        """How many entities a full regrade goes through (for its progress bar)."""
        return self.db.execute("SELECT COUNT(DISTINCT entity_key) FROM v_entities")[0][0]

    def regrade_all(self, today: dt.date, progress: Callable[[int], None] | None = None, chunk: int = 2000) -> int:
        """Recompute every entity's grade for `today` at the records' current position; return the count.

        Each chunk is its own transaction, so the follower keeps projecting meanwhile; a row
        already recomputed at a later position by the follower is left as it is.
        """
        started, clock = dt.datetime.now(dt.UTC).isoformat(), time.perf_counter()
        position = reached(self.db)
        moment = Moment(position, today.isoformat())
        keys = [r[0] for r in self.db.execute(
            "SELECT DISTINCT entity_key FROM v_entities WHERE valid_from <= ? ORDER BY entity_key", (position,))]
        done = 0
        for i in range(0, len(keys), chunk):
            assessed = list(self._assess(keys[i:i + chunk], moment, today))
            with self.db.transaction():
                done += self._store(assessed, position)
            if progress:
                progress(len(assessed))
        self.db.execute("INSERT INTO s_regrades (started_at, finished_at, today, position, entities, seconds) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (started, dt.datetime.now(dt.UTC).isoformat(), today.isoformat(),
                                                      position, done, round(time.perf_counter() - clock, 3)))
        return done

    def population(self, moment: Moment, excluded_statuses: Sequence[str], in_city_only: bool) -> dict[str, list[str]]:
        """Entity keys per grade computed live at one moment: the inspection draw's population."""
        today = dt.date.fromisoformat(moment.today)
        version, params = version_clause(moment, "e")
        city = " AND e.registered_in_city = 1" if in_city_only else ""
        keys = [r[0] for r in self.db.execute(
            f"SELECT e.entity_key FROM v_entities e WHERE {version}{city} ORDER BY e.entity_key", params)]
        population: dict[str, list[str]] = {g: [] for g in grading.GRADES}
        for i in range(0, len(keys), 2000):
            for subject in load_subjects(self.db, keys[i:i + 2000], moment).values():
                if subject.profile["status"] not in excluded_statuses:
                    population[self.rules.grade(subject, today).grade].append(subject.key)
        return population

    def last_regrade(self) -> dict[str, Any] | None:
        rows = self.db.query("SELECT * FROM s_regrades ORDER BY started_at DESC LIMIT 1")
        return rows[0] if rows else None

    def of(self, key: str) -> dict[str, Any] | None:
        rows = self.db.query("SELECT * FROM s_grades WHERE entity_key=?", (key,))
        if not rows:
            return None
        row = rows[0]
        row["explanation"], row["warnings"] = json.loads(row["explanation"]), json.loads(row["warnings"])
        return row

    def with_warnings(self, rule: str | None, size: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """(how many, one page of) entities with early warnings, optionally for one rule; most warnings first."""
        where, args = "warning_count > 0", []
        if rule:
            where += " AND (',' || warning_rules || ',') LIKE ?"
            args.append(f"%,{rule},%")
        total = self.db.execute(f"SELECT COUNT(*) FROM s_grades WHERE {where}", args)[0][0]
        rows = self.db.query(
            f"SELECT entity_key, name, district, grade, score, today, warnings FROM s_grades WHERE {where} "
            f"ORDER BY warning_count DESC, entity_key LIMIT {int(size)} OFFSET {int(offset)}", args)
        for row in rows:
            row["warnings"] = json.loads(row["warnings"])
        return total, rows


def _row(a: Assessment, position: int) -> tuple:
    p = a.subject.profile
    rules = ",".join(w.rule for w in a.warnings)
    return (a.subject.key, p["credit_code"], p["name"], p["district"], p["status"], p["registered_in_city"],
            a.grade.grade, a.grade.score, a.grade.model, position, a.grade.today, to_json(a.grade.as_dict()),
            to_json([w.as_dict() for w in a.warnings]), rules or None, len(a.warnings))

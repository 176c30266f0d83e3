"""Supervision services: credit checks for approval systems, and risk-graded inspection draws.

A check reads the entity's counting records at one log position, grades it and evaluates
the measures, then stores the question and the answer's gist in the log (domain/checks.py)
before answering: no answer leaves unrecorded. Checks need a token (any role): the caller
must be accountable for who they ask about, and the answer reveals the internal grade.

A draw computes every entity's grade at one moment, draws by the published seed
(domain/inspections.py), and records the draw; `replay_draw` recomputes a recorded draw.
Both are commands of the application layer: nothing is answered before it is in the log.
`record_results` stores the inspecting department's results for drawn entities and
answers after the read models have caught up (the profile shows them at once).
"""
from __future__ import annotations

import datetime as dt
import queue
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.ledger import Ledger, last_position
from domain import checks, grading, inspections, measures
from domain.checks import CreditCheck
from domain.errors import NotFoundError
from domain.inspections import InspectionDraw
from projections.db import Database
from projections.integrity import leaf_indices_of
from projections.public import Moment
from projections.supervision import Grades, Rules, Subject, load_subjects, reached
from schemas import supervision as config

MAX_BATCH = 1000
DRAWS_KEPT = 8


@dataclass(frozen=True)
class Caller:
    """Who asks: a token's identity, role and department."""

    identity: str
    role: str
    department: str | None


class MomentNotReached(ValueError):
    """The asked log position is beyond what the read models have projected."""


class GroupCommit:
    """Saves checks for many callers at once: one transaction (one fsync) for all who are waiting.

    Every check must be durable before it is answered, and the event store commits one
    transaction at a time; a writer thread takes everything queued meanwhile into the
    next transaction, so concurrent callers share commits instead of queueing for one each.
    """

    def __init__(self, ledger: Ledger, max_batch: int = 2000):
        self.ledger, self.max_batch = ledger, max_batch
        self._queue: queue.SimpleQueue[tuple[list[CreditCheck], Future[list[int]]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def save(self, pending: list[CreditCheck]) -> list[int]:
        """Store these checks (with whatever else is queued); return their log positions."""
        future: Future[list[int]] = Future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._write, name="gongshi-checks", daemon=True)
                self._thread.start()
        self._queue.put((pending, future))
        return future.result()

    def _write(self) -> None:
        while True:
            batch = [self._queue.get()]
            size = len(batch[0][0])
            while size < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
                size += len(batch[-1][0])
            try:
                positions = self._save([c for pending, _ in batch for c in pending])
            except BaseException as e:  # each caller gets the error; the writer keeps serving
                for _, future in batch:
                    future.set_exception(e)
                continue
            start = 0
            for pending, future in batch:
                future.set_result(positions[start:start + len(pending)])
                start += len(pending)

    def _save(self, pending: list[CreditCheck]) -> list[int]:
        """Store checks in one transaction; return each one's log position, in order."""
        recordings = self.ledger.save(*pending)
        positions = {r.domain_event.originator_id: r.notification.id for r in recordings}
        return [positions[c.id] for c in pending]


class Supervision:
    """Credit checks and inspection draws: answered from the read models, recorded in the log first."""

    def __init__(self, ledger: Ledger, db: Database, grades: Grades, clock: Callable[[], dt.date],
                 catch_up: Callable[[], None]):
        self.ledger = ledger
        self.db = db
        self.grades = grades
        self.clock = clock
        self.catch_up = catch_up
        self.catalog = config.measures()
        self.rules = Rules(config.grading(), config.warnings())
        self.recorder = GroupCommit(ledger)
        self._draws: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._draws_lock = threading.Lock()

    # -- checks ---------------------------------------------------------------------------------
    def pinned(self, moment: Moment) -> Moment:
        """The moment with its log position made explicit (now = the records' current position)."""
        position = reached(self.db)
        if moment.position is None:
            return Moment(position, moment.today)
        if moment.position > position:
            raise MomentNotReached(f"position {moment.position} is not projected yet (at {position})")
        return moment

    def answer(self, subject: Subject | None, asked: str | None, today: dt.date) -> dict[str, Any]:
        """The reasoned answer for one entity, without recording it."""
        if subject is None:
            outcome = measures.evaluate(self.catalog, [], None, today, asked)
            return {"entity": None, "grade": None, **outcome.as_dict()}
        grade = self.rules.grade(subject, today)
        # Measures need a legal basis: the grade they read leaves society-sourced information out, whatever
        # weight the grading model gives it (domain/grading.py, `government_only`).
        outcome = measures.evaluate(self.catalog, subject.records, self.rules.measures_grade(subject, today).grade,
                                    today, asked)
        profile = subject.profile
        entity = {"entity_key": subject.key, "credit_code": profile["credit_code"], "name": profile["name"],
                  "district": profile["district"], "status": profile["status"],
                  "registered_in_city": bool(profile["registered_in_city"])}
        return {"entity": entity, "grade": grade.grade, **outcome.as_dict()}

    def asked_name(self, asked: str | None) -> str:
        """The business's or measure's Chinese name ("全部措施" for every measure)."""
        if not asked:
            return "全部措施"
        return self.catalog["businesses"].get(asked) or next(
            m["name"] for m in self.catalog["measures"] if m["id"] == asked)

    def check(self, caller: Caller, questions: Sequence[tuple[str, str | None]], moment: Moment) -> list[dict[str, Any]]:
        """Answer and record a batch of (credit code, business or measure id) questions.

        Raises measures.UnknownMeasureError before anything is recorded.
        """
        today = dt.date.fromisoformat(moment.today)
        for _, asked in questions:
            measures.measures_for(self.catalog, asked, today)
        moment = self.pinned(moment)
        subjects = load_subjects(self.db, sorted({code for code, _ in questions}), moment)
        answers = [{"credit_code": code, "asked": asked, "asked_name": self.asked_name(asked),
                    **self.answer(subjects.get(code), asked, today)} for code, asked in questions]
        stamp = {"position": moment.position, "today": moment.today}
        pending = [CreditCheck(asker=caller.identity, role=caller.role, department=caller.department,
                               credit_code=a["credit_code"], asked=a["asked"], moment=stamp, answer=checks.gist(a))
                   for a in answers]
        positions = self.recorder.save(pending)
        self._add_leaves(answers)
        for answer, check, position in zip(answers, pending, positions):
            answer.update(check_id=str(check.id), check_position=position, as_of=stamp)
        return answers

    def _add_leaves(self, answers: list[dict[str, Any]]) -> None:
        """Each triggering record's leaf index in the Merkle log, where the integrity log has seen it."""
        cited = [t for a in answers for m in a["measures"] for t in m["triggers"] if "position" in t]
        leaves = leaf_indices_of(self.db, [t["position"] for t in cited])
        for t in cited:
            t["leaf_index"] = leaves.get(t["position"])

    # -- inspections ------------------------------------------------------------------------------
    def inspection_settings(self) -> dict[str, Any]:
        return self.rules.grading_config["inspection"]

    def draw(self, caller: Caller, seed: str | None, moment: Moment, *,
             drawn_on: dt.date | None = None) -> dict[str, Any]:
        """Draw and record an inspection list; a missing seed is made from 64 random bits.

        The draw's day is today; a loader of history (`gongshi demo`) states it.
        """
        seed = seed or secrets.token_hex(8)
        moment = self.pinned(moment)
        settings = self.inspection_settings()
        rules = {"model": grading.model_for(self.rules.grading_config, dt.date.fromisoformat(moment.today))["id"],
                 "excluded_statuses": list(settings["excluded_statuses"]),
                 "registered_in_city_only": settings["registered_in_city_only"]}
        population = self._population(moment, rules)
        drawn = inspections.draw(population, settings["ratios"], seed)
        day = (drawn_on or self.clock()).isoformat()
        summary = {
            "population": {"digest": inspections.population_digest(population),
                           "counts": {g: len(k) for g, k in population.items()}, **rules},
            "drawn": {"digest": inspections.population_digest(drawn), "counts": {g: len(k) for g, k in drawn.items()}},
        }
        drawing = InspectionDraw(drawer=caller.identity, role=caller.role, department=caller.department, seed=seed,
                                 ratios=dict(settings["ratios"]),
                                 moment={"position": moment.position, "today": moment.today,
                                         "drawn_on": day}, **summary)
        position = self.ledger.save(drawing)[-1].notification.id
        return self._remember(self._described(str(drawing.id), position, seed, settings["ratios"], moment, day,
                                              summary, drawn))

    def _remember(self, described: dict[str, Any]) -> dict[str, Any]:
        """Keep the latest draws: recomputing one means grading every entity again."""
        with self._draws_lock:
            self._draws[described["draw_id"]] = described
            while len(self._draws) > DRAWS_KEPT:
                self._draws.popitem(last=False)
        return described

    def recorded_draw(self, draw_id: UUID) -> dict[str, Any]:
        """A recorded draw: as drawn or recomputed earlier by this process, else recomputed now."""
        with self._draws_lock:
            kept = self._draws.get(str(draw_id))
        return kept or self._remember(self.replay_draw(draw_id))

    def replay_draw(self, draw_id: UUID) -> dict[str, Any]:
        """Recompute a recorded draw from its seed and moment (raises KeyError when unknown)."""
        recorded = self.ledger.get_or_none(draw_id)
        if not isinstance(recorded, InspectionDraw):
            raise KeyError(str(draw_id))
        moment = Moment(recorded.moment["position"], recorded.moment["today"])
        population = self._population(moment, recorded.population)
        drawn = inspections.draw(population, recorded.ratios, recorded.seed)
        summary = {"population": recorded.population, "drawn": recorded.drawn}
        out = self._described(str(draw_id), None, recorded.seed, recorded.ratios, moment, recorded.drawn_on, summary,
                              drawn)
        out["reproduced"] = inspections.population_digest(drawn) == recorded.drawn["digest"]
        return out

    def record_results(self, caller: Caller, draw_id: UUID, results: Any, *, visible: bool = True) -> int | None:
        """Record the inspection results of drawn entities, all or none; the log position, None if nothing changed.

        Raises NotFoundError for an unknown draw and the domain's refusals (domain/inspections.py).
        """
        if not isinstance(self.ledger.get_or_none(draw_id), InspectionDraw):
            raise NotFoundError("draw_id", "not_found", "没有这次抽查记录", "no such draw")
        drawn = {e["entity_key"]: e["credit_code"] for e in self.recorded_draw(draw_id)["entities"]}
        today = self.clock()

        def command() -> list[InspectionDraw]:
            draw = self.ledger.get_or_none(draw_id)
            changed = draw.record_results(results, drawn, caller.department, caller.identity, today)
            return [draw] if changed else []

        position = last_position(self.ledger.execute(command))
        if position is not None and visible:
            self.catch_up()  # read-your-writes: the profile shows the results when the answer is sent
        return position

    def _population(self, moment: Moment, rules: dict[str, Any]) -> dict[str, list[str]]:
        """Entity keys per grade at the moment, under the recorded exclusions."""
        return self.grades.population(moment, rules["excluded_statuses"], rules["registered_in_city_only"])

    def _described(self, draw_id: str, position: int | None, seed: str, ratios: dict[str, float],  # noqa: PLR0913
                   moment: Moment, drawn_on: str, summary: dict[str, Any],
                   drawn: dict[str, list[str]]) -> dict[str, Any]:
        keys = [k for g in grading.GRADES for k in drawn[g]]
        profiles = load_subjects(self.db, keys, moment)
        entities = [{"grade": g, "entity_key": k, "credit_code": profiles[k].profile["credit_code"],
                     "name": profiles[k].profile["name"],
                     "district": profiles[k].profile["district"], "ticket": inspections.ticket(seed, k)}
                    for g in grading.GRADES for k in drawn[g]]
        return {"draw_id": draw_id, "draw_position": position, "seed": seed, "ratios": ratios, "drawn_on": drawn_on,
                "as_of": {"position": moment.position, "today": moment.today}, **summary, "entities": entities,
                "method": "ticket = SHA-256(seed + '\\n' + entity_key); per grade, the ceil(ratio × n) smallest "
                          "tickets are drawn"}

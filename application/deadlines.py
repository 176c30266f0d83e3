"""The deadline job (`gongshi deadlines run`, and daily inside `gongshi serve`): plan, then take the decisions.

`plan` reads the read models (caught up first) and asks domain/deadlines.py what is due
today; `take` submits the decisions through `Records.submit`, the one way records enter the
log, 1,000 per transaction and rule by rule, as the rule's deciding department with the
rule as submitter (`rule:AR-MISSED-ANOMALY`). Document numbers are fixed by rule, entity
and year, so a second run, or a run after a crash between two batches, finds the decisions
already taken (in the read models, or as duplicates in the store) and stores nothing twice.
A removal application answered by a removal is then settled on its case, after the removal
is stored (a crash in between leaves a case the next run settles).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby

from application.cases import Cases
from application.records import Records
from domain import deadlines
from domain.cases import REPAIR, Actor
from domain.catalog import Catalog
from domain.deadlines import Decider, Decision, Plan
from domain.errors import InvalidTransitionError
from domain.submission import ACCEPTED, DUPLICATE
from projections.deadlines import DeadlineFacts

BATCH = 1000
#: The submission error meaning "this document number exists with other content": decided on an earlier day.
DECIDED_BEFORE = "conflict"


@dataclass
class RuleOutcome:
    """What one rule did in one run."""

    rule: str
    title: str
    active: bool
    decided: int = 0  # records stored by this run
    already: int = 0  # found taken by an earlier run
    overdue: int = 0  # of `decided`, taken after the rule's legal limit
    settled: int = 0  # removal applications closed
    rejected: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        if not self.active:
            return f"{self.rule}: inactive"
        text = f"{self.rule}: {self.decided} decided ({self.overdue} after the legal limit), {self.already} already decided"
        if self.settled:
            text += f", {self.settled} applications settled"
        if self.rejected:
            text += f", {self.rejected} REJECTED"
        return text


@dataclass
class RunSummary:
    today: dt.date
    working_day: bool
    rules: dict[str, RuleOutcome]
    position: int | None = None  # the log position after the run's last decision, None if nothing new

    @property
    def decided(self) -> int:
        return sum(r.decided for r in self.rules.values())

    @property
    def rejected(self) -> int:
        return sum(r.rejected for r in self.rules.values())

    def line(self) -> str:
        if not self.working_day:
            return f"{self.today}: not a working day, no decisions"
        done = [f"{r.rule} {r.decided}" for r in self.rules.values() if r.decided or r.settled]
        return f"{self.today}: {self.decided} decisions ({', '.join(done) or 'none due'}), {self.rejected} rejected"


class Deadlines:
    """Plans and takes the decisions of schemas/deadline_rules.json for one day."""

    def __init__(self, records: Records, cases: Cases, facts: DeadlineFacts, catalog: Catalog,
                 catch_up: Callable[[], None]):
        self.records = records
        self.cases = cases
        self.facts = facts
        self.catalog = catalog
        self.catch_up = catch_up

    def plan(self, today: dt.date) -> Plan:
        """What is due on `today`, read from the read models once they have caught up with the log."""
        self.catch_up()
        active = [r for r in deadlines.rules().values() if r.active]
        prefixes = sorted({p for r in active for p in r.credit_code_prefixes})
        outcomes = sorted({r.inspection_outcome for r in active if r.inspection_outcome})
        facts = self.facts.gather(today, deadlines.report_years(today), prefixes, outcomes)
        return Decider(self.catalog, today).plan(facts)

    def run(self, today: dt.date, progress: Callable[[int], None] | None = None) -> RunSummary:
        """Plan and take today's decisions; `progress` is told how many were handled after each batch."""
        return self.take(self.plan(today), progress)

    def take(self, plan: Plan, progress: Callable[[int], None] | None = None) -> RunSummary:
        """Submit the planned decisions rule by rule in batches, then settle the applications they answer."""
        outcomes = {r.id: RuleOutcome(r.id, r.title, r.active, already=plan.already[r.id])
                    for r in deadlines.rules().values()}
        summary = RunSummary(plan.today, plan.working_day, outcomes)
        stored: set[int] = set()  # ids of the decisions now in the store (taken now or before)
        for rule_id, decisions in plan.by_rule().items():
            for department, same in groupby(decisions, key=lambda d: d.department):
                group = list(same)
                for i in range(0, len(group), BATCH):
                    batch = group[i:i + BATCH]
                    self._submit(batch, department, outcomes[rule_id], plan.today, stored, summary)
                    if progress:
                        progress(len(batch))
        for settlement in plan.settlements:
            if settlement.decision is None or id(settlement.decision) in stored:
                self._settle(settlement, plan.today, outcomes[settlement.rule.id], summary)
            if progress:
                progress(1)
        return summary

    def _submit(self, batch: list[Decision], department: str, outcome: RuleOutcome, today: dt.date,
                stored: set[int], summary: RunSummary) -> None:
        result = self.records.submit([d.item for d in batch], department=department,
                                     submitter=f"rule:{outcome.rule}")
        for decision, item in zip(batch, result.items):
            if item.status == ACCEPTED:
                outcome.decided += 1
                outcome.overdue += decision.overdue(today)
            elif item.status == DUPLICATE or any(e.code == DECIDED_BEFORE for e in item.errors):
                outcome.already += 1
            else:
                outcome.rejected += 1
                outcome.errors += [f"{decision.item['document_number']}: {e.field}: {e.en}" for e in item.errors]
                continue
            stored.add(id(decision))
        if result.position is not None:
            summary.position = result.position

    def _settle(self, settlement: deadlines.Settlement, today: dt.date, outcome: RuleOutcome,
                summary: RunSummary) -> None:
        actor = Actor.rule(settlement.rule.id, settlement.department)
        try:
            summary.position = self.cases.step(actor, settlement.number, "remove", settlement.reason, today, REPAIR)
            outcome.settled += 1
        except InvalidTransitionError:
            pass  # closed meanwhile (withdrawn by the firm, or settled by a run in another process)

"""Decisions a passing deadline takes by itself (到期自动决定): the rules of schemas/deadline_rules.json.

Given what the ledger holds today (the registered entities, the annual reports filed, the
listings and marks on record, the open removal applications), `plan` returns the decisions
due today. Each is a record item for `Records.submit`, attributed to the deciding department
(the catalog's one source of its kind) and to the rule (`rule_id` and `legal_basis` are fields
of the record). A decision's document number follows from the rule, the entity and the report
year (or the listing it acts on), never from the day it is taken: running the job twice, or
again after a crash half-way, submits the same records, and the ledger stores each once.

Decisions are taken on working days only, on the day the job runs (`decision_date`), so a
listing appears on the first working day after the deadline the job runs on, and as_of views
before it do not show it. A decision taken after its legal limit is still taken (the duty
does not lapse) and reported as overdue.

A removal application (补报年报后申请移出) is a credit-repair case (domain/repair.py) about the
listing: when the report of the listed year has been filed, the removal is automatic (the
regulation leaves no discretion: 应当…作出移出决定), the case is settled by the removal, and a
reviewer is needed only to refuse an application whose report is still missing.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import schemas
from domain.annual_reports import deadline, rules as report_rules
from domain.catalog import Catalog
from domain.publicity import add_months
from domain.records import record_id
from domain.workdays import calendar

REPORT_MISSED, LATE_REPORT, LISTED_YEARS = "report_missed", "late_report_and_application", "listed_years"
UNREACHABLE = "inspection_unreachable"
INDIVIDUAL_PREFIX = "92"


@dataclass(frozen=True)
class Rule:
    """One rule of schemas/deadline_rules.json."""

    id: str
    active: bool
    title: str
    trigger: str
    decides: str
    cause: str
    legal_basis: str
    document_number: str
    limit_working_days: int | None
    credit_code_prefixes: tuple[str, ...] = ()
    of_rule: str | None = None
    listed_kind: str | None = None
    years: int | None = None
    list_type: str | None = None
    inactive_note: str = ""
    inspection_outcome: str | None = None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Rule:
        return cls(data["id"], data["active"], data["title"], data["trigger"], data["decides"], data["cause"],
                   data["legal_basis"], data["document_number"], data.get("limit_working_days"),
                   tuple(data.get("credit_code_prefixes", ())), data.get("of_rule"), data.get("listed_kind"),
                   data.get("years"), data.get("list_type"), data.get("inactive_note", ""),
                   data.get("inspection_outcome"))

    def due(self, since: dt.date) -> dt.date | None:
        """The last day of the rule's legal limit counted from `since` (None: the rule sets none)."""
        return calendar().add_working_days(since, self.limit_working_days) if self.limit_working_days else None


@cache
def config() -> dict[str, Any]:
    return schemas.load("deadline_rules.json")


@cache
def rules() -> dict[str, Rule]:
    """Every rule by id, in the file's order (active or not)."""
    return {r["id"]: Rule.from_data(r) for r in config()["rules"]}


def report_years(today: dt.date) -> list[int]:
    """The report years whose deadline has passed and whose consequences this platform decides."""
    oldest_fileable = today.year - report_rules()["late_filing_years"]
    first = max(config()["first_report_year"], oldest_fileable)
    return [y for y in range(first, today.year) if deadline(y) < today]


# -- the facts the rules read ------------------------------------------------------------------------
@dataclass(frozen=True)
class Registered:
    """An entity registered here, as the rules see it."""

    credit_code: str
    name: str
    established: str | None
    status: str | None
    legal_representative: str | None


@dataclass(frozen=True)
class Listing:
    """The current version of a listing or mark on record (any status)."""

    record_id: str
    kind: str
    list_type: str | None
    credit_code: str
    party_name: str
    document_number: str
    authority_code: str
    decision_date: str
    cause: str | None
    rule_id: str | None
    report_year: int | None
    on_list: bool  # active, not removed, not lapsed, today
    removal_document: str | None  # the removal decision's document number, once removed


@dataclass(frozen=True)
class Application:
    """An open removal application: a credit-repair case about a listing or mark."""

    number: str
    record_id: str
    submitted_on: str
    department: str


@dataclass(frozen=True)
class Inspected:
    """A spot-check result current today (双随机一公开), as the rules see it."""

    credit_code: str
    draw_id: str
    outcome: str
    inspected_on: str
    department: str  # the inspecting department's code


@dataclass
class Facts:
    """What the ledger holds today, read by the application layer from the read models."""

    entities: Iterable[Registered]
    filed: dict[int, dict[str, str]]  # report year -> credit code -> day filed
    listings: list[Listing]
    applications: list[Application]
    inspected: list[Inspected] = field(default_factory=list)  # results with an outcome some active rule reads


# -- what the rules decide ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Decision:
    """A record the rule decides today, with the department that submits it and the legal limit."""

    rule: Rule
    item: dict[str, Any]
    department: str
    due: dt.date | None

    def overdue(self, today: dt.date) -> bool:
        return self.due is not None and today > self.due


@dataclass(frozen=True)
class Settlement:
    """An application answered by a removal the rule decided (now or on an earlier run)."""

    rule: Rule
    number: str
    department: str
    reason: str
    decision: Decision | None = None  # the removal decided now (settle once it is stored); None: decided before


@dataclass
class Plan:
    """Everything due today, in the order to take it: removals before the listings they might otherwise feed."""

    today: dt.date
    working_day: bool
    decisions: list[Decision] = field(default_factory=list)
    settlements: list[Settlement] = field(default_factory=list)
    already: Counter[str] = field(default_factory=Counter)  # rule id -> decisions found taken on an earlier run

    def by_rule(self) -> dict[str, list[Decision]]:
        grouped: dict[str, list[Decision]] = {r: [] for r in rules()}
        for d in self.decisions:
            grouped[d.rule.id].append(d)
        return grouped


class Decider:
    """Applies the active rules to one day's facts."""

    def __init__(self, catalog: Catalog, today: dt.date):
        self.catalog = catalog
        self.today = today
        self.iso = today.isoformat()

    def plan(self, facts: Facts) -> Plan:
        """The decisions and settlements due today (none on a rest day)."""
        plan = Plan(self.today, calendar().is_working_day(self.today))
        if not plan.working_day:
            return plan
        active = [r for r in rules().values() if r.active]
        known = {listing.record_id for listing in facts.listings}
        removed_today: set[str] = set()
        for rule in (r for r in active if r.trigger == LATE_REPORT):
            self._removals(rule, facts, plan, removed_today)
        for rule in (r for r in active if r.trigger == LISTED_YEARS):
            self._serious(rule, facts, plan, known, removed_today)
        missed = [r for r in active if r.trigger == REPORT_MISSED]
        if missed:
            self._missed(missed, facts, plan, known)
        unreachable = [r for r in active if r.trigger == UNREACHABLE]
        if unreachable and facts.inspected:
            self._unreachable(unreachable, facts, plan, known)
        return plan

    # -- the deciding department ---------------------------------------------------------------------
    def _by(self, kind: str, fields: dict[str, Any]) -> tuple[str, dict[str, str]]:
        """The department that decides (the catalog's one source of the kind) and its fields on the record."""
        code = self.catalog.source_for(kind, fields)
        dept = self.catalog.department(code or "")
        if dept is None:
            raise ValueError(f"the catalog names no department for {kind} ({fields.get('list_type', '')})")
        return dept.code, {"authority": dept.name, "authority_code": dept.code, "source_unit_code": dept.code}

    def _decision(self, rule: Rule, fields: dict[str, Any], due: dt.date | None) -> Decision:
        department, by = self._by(rule.decides, fields)
        item = {"kind": rule.decides, **fields, **by, "decision_date": self.iso, "rule_id": rule.id,
                "legal_basis": rule.legal_basis}
        return Decision(rule, item, department, due)

    def _target(self, rule: Rule, fields: dict[str, Any]) -> str:
        """The record id the decision will have (to recognise one taken on an earlier run)."""
        _, by = self._by(rule.decides, fields)
        return str(record_id(rule.decides, by["authority_code"], fields["document_number"]))

    # -- not filed by the deadline ----------------------------------------------------------------------
    def _missed(self, missed: list[Rule], facts: Facts, plan: Plan, known: set[str]) -> None:
        years = report_years(self.today)
        excluded = set(config()["excluded_statuses"])
        by_prefix = {p: r for r in missed for p in r.credit_code_prefixes}
        for entity in facts.entities:
            rule = by_prefix.get(entity.credit_code[:2])
            if rule is None or entity.status in excluded:
                continue
            for year in years:
                if entity.established and entity.established > f"{year}-12-31":
                    continue
                closes = deadline(year)
                filed_on = facts.filed.get(year, {}).get(entity.credit_code)
                if filed_on is not None and filed_on <= closes.isoformat():
                    continue
                fields = {"party_name": entity.name, "party_type": _party_type(entity.credit_code),
                          "credit_code": entity.credit_code,
                          "document_number": rule.document_number.format(year=year, credit_code=entity.credit_code),
                          "cause": rule.cause, "report_year": year,
                          "remarks": f"{year}年度年度报告报送期于{closes.isoformat()}届满，届满时未报送"}
                if entity.legal_representative:
                    fields["legal_representative"] = entity.legal_representative
                if self._target(rule, fields) in known:
                    plan.already[rule.id] += 1
                    continue
                plan.decisions.append(self._decision(rule, fields, rule.due(closes)))

    # -- filed late and applied for removal ----------------------------------------------------------------
    def _removals(self, rule: Rule, facts: Facts, plan: Plan, removed_today: set[str]) -> None:
        listings = {listing.record_id: listing for listing in facts.listings if listing.rule_id == rule.of_rule}
        source = rules()[rule.of_rule] if rule.of_rule else None
        for application in facts.applications:
            listing = listings.get(application.record_id)
            if listing is None or source is None or listing.report_year is None:
                continue
            filed_on = facts.filed.get(listing.report_year, {}).get(listing.credit_code)
            if filed_on is None:
                continue  # the report is still missing: the application waits for its reviewer
            document = rule.document_number.format(year=listing.report_year, credit_code=listing.credit_code)
            reason = (f"{listing.report_year}年度年度报告已于{filed_on}补报，依规则 {rule.id} 作出移出决定（{document}）："
                      f"{rule.legal_basis}")
            if listing.on_list:
                fields = {"credit_code": listing.credit_code, "party_name": listing.party_name,
                          "listing_authority_code": listing.authority_code,
                          "listing_document_number": listing.document_number, "document_number": document,
                          "cause": rule.cause,
                          "remarks": f"依申请（案件 {application.number}）；{listing.report_year}年度年度报告已于{filed_on}补报"}
                since = max(dt.date.fromisoformat(application.submitted_on), dt.date.fromisoformat(filed_on))
                decision = self._decision(rule, fields, rule.due(since))
                plan.decisions.append(decision)
                removed_today.add(listing.record_id)
            elif listing.removal_document == document:
                decision = None  # removed by an earlier run that stopped before settling the case
            else:
                continue  # removed or ended otherwise: not this rule's to settle
            plan.settlements.append(Settlement(rule, application.number, application.department, reason, decision))

    # -- unreachable at the registered address (抽查发现无法联系) ---------------------------------------------------
    def _unreachable(self, unreachable: list[Rule], facts: Facts, plan: Plan, known: set[str]) -> None:
        """List (or mark) each entity a current spot-check result found unreachable, once per draw.

        The limit runs from the day the inspection established it (查实之日). An entity already on
        the list (or marked) for this cause is not listed again for a later draw; a result corrected
        before the job runs decides nothing; a listing already decided stays when its result is
        corrected later (removal is a reviewer's decision through a repair case: the regulation asks
        the registration authority to verify that contact is restored).
        """
        excluded = set(config()["excluded_statuses"])
        registered = {e.credit_code: e for e in facts.entities}
        listed = {(listing.kind, listing.credit_code) for listing in facts.listings
                  if listing.on_list and listing.cause in {r.cause for r in unreachable}}
        by_prefix = {(p, r.inspection_outcome): r for r in unreachable for p in r.credit_code_prefixes}
        for result in facts.inspected:
            rule = by_prefix.get((result.credit_code[:2], result.outcome))
            entity = registered.get(result.credit_code)
            if rule is None or entity is None or entity.status in excluded:
                continue
            inspector = self.catalog.department(result.department)
            fields = {"party_name": entity.name, "party_type": _party_type(entity.credit_code),
                      "credit_code": entity.credit_code,
                      "document_number": rule.document_number.format(draw=result.draw_id.replace("-", "")[:8],
                                                                     credit_code=entity.credit_code),
                      "cause": rule.cause,
                      "remarks": f"{inspector.name if inspector else result.department}于{result.inspected_on}"
                                 f"抽查检查（抽查 {result.draw_id}）查实：通过登记的住所（经营场所）无法联系"}
            if entity.legal_representative:
                fields["legal_representative"] = entity.legal_representative
            if self._target(rule, fields) in known:
                plan.already[rule.id] += 1
                continue
            if (rule.decides, entity.credit_code) in listed:
                continue  # on the list for this cause already (an earlier draw, or decided by its department)
            listed.add((rule.decides, entity.credit_code))
            plan.decisions.append(self._decision(rule, fields, rule.due(dt.date.fromisoformat(result.inspected_on))))

    # -- listed for years ---------------------------------------------------------------------------------
    def _serious(self, rule: Rule, facts: Facts, plan: Plan, known: set[str], removed_today: set[str]) -> None:
        on_serious = {listing.credit_code for listing in facts.listings
                      if listing.kind == rule.decides and listing.list_type == rule.list_type and listing.on_list}
        months = (rule.years or 0) * 12
        due = sorted((listing for listing in facts.listings
                      if listing.kind == rule.listed_kind and listing.on_list and listing.record_id not in removed_today
                      and add_months(dt.date.fromisoformat(listing.decision_date), months) <= self.today),
                     key=lambda listing: (listing.decision_date, listing.record_id))
        for listing in due:
            fields = {"party_name": listing.party_name, "party_type": _party_type(listing.credit_code),
                      "credit_code": listing.credit_code, "list_type": rule.list_type,
                      "document_number": rule.document_number.format(credit_code=listing.credit_code,
                                                                     listing=listing.record_id.replace("-", "")[:8]),
                      "cause": f"{rule.cause}（{listing.document_number}，{listing.decision_date}列入，"
                               f"原因：{listing.cause or '未载明'}）"}
            if self._target(rule, fields) in known:
                plan.already[rule.id] += 1
                continue
            if listing.credit_code in on_serious:
                continue  # on the serious list already (for an older listing, or decided by its department)
            on_serious.add(listing.credit_code)
            reached = add_months(dt.date.fromisoformat(listing.decision_date), months)
            plan.decisions.append(self._decision(rule, fields, rule.due(reached)))


def _party_type(credit_code: str) -> str:
    return "个体工商户" if credit_code.startswith(INDIVIDUAL_PREFIX) else "法人及非法人组织"

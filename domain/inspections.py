"""Risk-graded random inspection lists (双随机、一公开), reproducible from a published seed.

Each entity of a grade gets a ticket, SHA-256(seed + "\\n" + entity key) in hex; the
entities with the smallest tickets are drawn, ceil(ratio x population) of each grade.
Anyone holding the seed and the population (the grades at the published log position and
day) can recompute the list with any SHA-256 tool, in any language. Every draw is recorded
in the log with its seed before the list is shown, so a seed cannot be quietly re-rolled.

The inspecting department then records each drawn entity's result (`record_results`, the
outcomes of schemas/inspection_results.json): a batch is stored whole or not at all, the
same result posted again changes nothing, and a recorded result is changed only with a
reason (a correction, kept in the event).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, FieldError, ForbiddenError, InputError, ValidationFailed
from domain.grading import GRADES, inspection_quota
from domain.validation import parse_date
from schemas.supervision import inspection_results

DRAW_TOPIC = "gongshi:InspectionDraw.Drawn"
RESULTS_TOPIC = "gongshi:InspectionDraw.ResultsRecorded"
UNREACHABLE = "unreachable"
#: What one submitted result may hold (`entity_key` or `credit_code` names the entity).
RESULT_FIELDS = ("entity_key", "credit_code", "outcome", "inspected_on", "note", "reason")


def ticket(seed: str, entity_key: str) -> str:
    return hashlib.sha256(f"{seed}\n{entity_key}".encode()).hexdigest()


def population_digest(population: Mapping[str, Sequence[str]]) -> str:
    """SHA-256 over the sorted lines "grade<TAB>entity key": proves two parties drew from the same population."""
    lines = sorted(f"{g}\t{k}\n" for g, keys in population.items() for k in keys)
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def draw(population: Mapping[str, Sequence[str]], ratios: Mapping[str, float], seed: str) -> dict[str, list[str]]:
    """The drawn entity keys per grade, smallest ticket first."""
    drawn = {}
    for grade in GRADES:
        keys = population.get(grade, ())
        quota = inspection_quota(ratios.get(grade, 0), len(keys))
        drawn[grade] = sorted(keys, key=lambda k: ticket(seed, k))[:quota]
    return drawn


def outcomes() -> dict[str, dict[str, Any]]:
    """Outcome id -> its labels (zh, en) and consequence, in the order of schemas/inspection_results.json."""
    return {o["id"]: o for o in inspection_results()["outcomes"]}


def result_id(draw_id: UUID | str, entity_key: str) -> UUID:
    """Stable id of one drawn entity's result (the open dataset's key)."""
    return uuid5(NAMESPACE_URL, f"/inspections/{draw_id}/results/{entity_key}")


class InspectionDraw(Aggregate):
    """One draw: who drew, with which seed and ratios, from which population, and how many; then the results."""

    TOPIC = "gongshi:InspectionDraw"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:InspectionDraw.Created"

    class Drawn(Aggregate.Created):
        TOPIC = DRAW_TOPIC
        drawer: str
        role: str
        department: str | None
        seed: str
        ratios: dict[str, float]
        moment: dict[str, Any]
        population: dict[str, Any]
        drawn: dict[str, Any]

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @event(Drawn)
    def __init__(self, drawer, role, department, seed, ratios, moment, population, drawn):  # noqa: PLR0913
        self.drawer = drawer
        self.role = role
        self.department = department
        self.seed = seed
        self.ratios = ratios
        self.moment = moment
        self.population = population
        self.drawn = drawn
        self.results: dict[str, dict[str, Any]] = {}  # entity key -> its current result

    class ResultsRecorded(Aggregate.Event):
        """Results of drawn entities: {entity_key, credit_code, outcome, inspected_on, note, reason}.

        `reason` is None for a first result and says why for a correction of a recorded one.
        """

        TOPIC = RESULTS_TOPIC
        results: list[dict[str, Any]]
        department: str
        submitter: str

        def apply(self, draw: InspectionDraw) -> None:
            for result in self.results:
                draw.results[result["entity_key"]] = result

    @property
    def drawn_on(self) -> str:
        """The day of the draw (draws recorded before it was kept: the day they were graded on)."""
        return self.moment.get("drawn_on") or self.moment["today"]

    def record_results(self, submitted: Any, drawn: Mapping[str, str], department: str | None, submitter: str,
                       today: dt.date) -> bool:
        """Record the results of drawn entities (`drawn`: entity key -> credit code); False if nothing changed.

        Refused whole (nothing recorded) when any result is at fault: ForbiddenError for another
        department than the draw's, ValidationFailed naming every field at fault (an entity not
        drawn, an unknown outcome, a day before the draw or after today...), ConflictError for
        a recorded result changed without a reason.
        """
        self._refuse_other_department(department)
        results = _checked(submitted, drawn, dt.date.fromisoformat(self.drawn_on), today)
        changed = []
        for index, result in enumerate(results):
            recorded = self.results.get(result["entity_key"])
            if recorded is not None and _same(recorded, result):
                continue
            if recorded is None:
                result["reason"] = None
            elif result["reason"] is None:
                label = outcomes()[recorded["outcome"]]["zh"]
                raise ConflictError(f"results[{index}].reason", "changed_without_reason",
                                    f"抽查结果第{index + 1}项：该主体已记录检查结果“{label}”（检查日期 "
                                    f"{recorded['inspected_on']}），更正须说明理由（reason）",
                                    f"result {index + 1}: this entity's result is recorded already "
                                    f"({recorded['outcome']}, {recorded['inspected_on']}); a change needs a reason")
            changed.append(result)
        if not changed:
            return False
        self.trigger_event(self.ResultsRecorded, results=changed, department=department, submitter=submitter)
        return True

    def _refuse_other_department(self, department: str | None) -> None:
        if department is None:
            raise ForbiddenError("department", "no_department", "记录检查结果需要检查部门的令牌（该令牌不属于任何部门）",
                                 "results are recorded with an inspecting department's token (this one has none)")
        if self.department is not None and department != self.department:
            raise ForbiddenError("department", "other_department",
                                 f"该抽查名单由部门 {self.department} 抽取，只能由该部门记录检查结果",
                                 f"this list was drawn by department {self.department}; only it records the results")


def _same(recorded: Mapping[str, Any], result: Mapping[str, Any]) -> bool:
    return all(recorded.get(k) == result.get(k) for k in ("outcome", "inspected_on", "note"))


def _checked(submitted: Any, drawn: Mapping[str, str], drawn_on: dt.date, today: dt.date) -> list[dict[str, Any]]:
    """The submitted results, normalised, or ValidationFailed naming every field at fault."""
    if not isinstance(submitted, list) or not submitted:
        raise InputError("results", "required", "请提交检查结果列表（results），至少一项",
                         "results must be a non-empty list")
    shared = Counter(drawn.values())
    keys_of = {code: key for key, code in drawn.items() if code and shared[code] == 1}
    errors: list[FieldError] = []
    results: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(submitted):
        result, found = _checked_one(index, raw, drawn, keys_of, drawn_on, today)
        key = result.get("entity_key")
        if key is not None and key in seen:
            found.append(FieldError(f"results[{index}].credit_code", "duplicate",
                                    f"抽查结果第{index + 1}项与第{seen[key] + 1}项是同一主体",
                                    f"result {index + 1} is about the same entity as result {seen[key] + 1}"))
        elif key is not None:
            seen[key] = index
        errors += found
        results.append(result)
    if len(errors) == 1:
        e = errors[0]
        raise InputError(e.field, e.code, e.zh, e.en)
    if errors:
        raise ValidationFailed(errors)
    return results


def _checked_one(index: int, raw: Any, drawn: Mapping[str, str], keys_of: Mapping[str, str],  # noqa: PLR0913
                 drawn_on: dt.date, today: dt.date) -> tuple[dict[str, Any], list[FieldError]]:
    n, at = index + 1, f"results[{index}]"
    if not isinstance(raw, dict):
        return {}, [FieldError(at, "type", f"抽查结果第{n}项应为一个对象", f"result {n} must be an object")]
    errors = [FieldError(f"{at}.{k}", "unknown_field", f"抽查结果第{n}项含有未知字段“{str(k)[:40]}”",
                         f"result {n} has an unknown field {str(k)[:40]!r}") for k in raw if k not in RESULT_FIELDS]
    result: dict[str, Any] = {}
    named = str(raw.get("entity_key") or raw.get("credit_code") or "").strip().upper()
    key = named if named in drawn else keys_of.get(named)
    field = f"{at}.{'entity_key' if raw.get('entity_key') else 'credit_code'}"
    if not named:
        errors.append(FieldError(f"{at}.credit_code", "required", f"抽查结果第{n}项缺少统一社会信用代码（credit_code）",
                                 f"result {n}: credit_code is required"))
    elif key is None:
        errors.append(FieldError(field, "not_drawn", f"抽查结果第{n}项：主体 {named[:40]} 不在本次抽查名单中",
                                 f"result {n}: {named[:40]} was not drawn in this draw"))
    else:
        result.update(entity_key=key, credit_code=drawn[key] or key)
    outcome = raw.get("outcome")
    if not isinstance(outcome, str) or outcome not in outcomes():
        choices = "、".join(f"{k}（{o['zh']}）" for k, o in outcomes().items())
        errors.append(FieldError(f"{at}.outcome", "enum" if outcome else "required",
                                 f"抽查结果第{n}项的检查结果（outcome）应为：{choices}",
                                 f"result {n}: outcome must be one of {', '.join(outcomes())}"))
    result["outcome"] = outcome
    errors += _day(index, raw.get("inspected_on"), drawn_on, today, result)
    for name, limit, title in (("note", "note_max_length", "备注"), ("reason", "reason_max_length", "更正理由")):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            errors.append(FieldError(f"{at}.{name}", "type", f"抽查结果第{n}项的{title}（{name}）应为文字",
                                     f"result {n}: {name} must be text"))
            value = None
        value = " ".join((value or "").split()) or None
        if value is not None and len(value) > inspection_results()[limit]:
            errors.append(FieldError(f"{at}.{name}", "too_long",
                                     f"抽查结果第{n}项的{title}最长 {inspection_results()[limit]} 字",
                                     f"result {n}: {name} is at most {inspection_results()[limit]} characters"))
        result[name] = value
    return result, errors


def _day(index: int, raw: Any, drawn_on: dt.date, today: dt.date, result: dict[str, Any]) -> list[FieldError]:
    """The inspection day: a real day, not before the draw, not after today."""
    n, field = index + 1, f"results[{index}].inspected_on"
    if not raw:
        return [FieldError(field, "required", f"抽查结果第{n}项缺少检查日期（inspected_on）",
                           f"result {n}: inspected_on is required")]
    try:
        day = dt.date.fromisoformat(parse_date(raw))
    except (ValueError, TypeError):
        return [FieldError(field, "type", f"抽查结果第{n}项的检查日期不是有效日期（应为 YYYY-MM-DD）",
                           f"result {n}: inspected_on is not a valid date (YYYY-MM-DD)")]
    if day < drawn_on:
        return [FieldError(field, "before_draw", f"抽查结果第{n}项的检查日期（{day}）早于抽取日期（{drawn_on}）",
                           f"result {n}: inspected_on {day} is before the draw ({drawn_on})")]
    if day > today:
        return [FieldError(field, "future", f"抽查结果第{n}项的检查日期（{day}）晚于今天（{today}）",
                           f"result {n}: inspected_on {day} is after today ({today})")]
    result["inspected_on"] = day.isoformat()
    return []

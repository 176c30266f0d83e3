"""Credit checks (联合奖惩查询) as facts in the log: who asked about whom, and what they were told.

An approval system asks "may this entity receive X?" before granting. The question and
the answer's gist (result, measure ids, triggering record ids and positions, the moment
evaluated) are stored as one event before the answer is sent, so an answer can always be
traced, and the log's signed heads cover the trail. A check is its own aggregate with a
random id: checks are not idempotent facts, and concurrent callers never contend.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol
from uuid import uuid4

from eventsourcing.domain import Aggregate, event

#: The topic the check trail is found by in the log.
CHECK_TOPIC = "gongshi:CreditCheck.Asked"


class CreditCheck(Aggregate):
    """One check: the caller, the entity, the business or measure asked about, and the answer."""

    TOPIC = "gongshi:CreditCheck"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:CreditCheck.Created"

    class Asked(Aggregate.Created):
        TOPIC = CHECK_TOPIC
        asker: str
        role: str
        department: str | None
        credit_code: str
        asked: str | None
        moment: dict[str, Any]
        answer: dict[str, Any]

    @event(Asked)
    def __init__(self, asker, role, department, credit_code, asked, moment, answer):  # noqa: PLR0913
        self.asker = asker
        self.role = role
        self.department = department
        self.credit_code = credit_code
        self.asked = asked
        self.moment = moment
        self.answer = answer


class SavesAggregates(Protocol):
    def save(self, *aggregates: Any) -> Any: ...


def gist(outcome: dict[str, Any]) -> dict[str, Any]:
    """What the log keeps of an answer: the result, the measures and the records that triggered them."""
    return {
        "result": outcome["result"],
        "grade": outcome.get("grade"),
        "measures": [{"id": m["id"], "records": [[t["record_id"], t["position"]] for t in m["triggers"]
                                                  if "record_id" in t]}
                     for m in outcome["measures"]],
    }


def new_check(*, asker: str, role: str, department: str | None, credit_code: str, asked: str | None,
              moment: dict[str, Any], answer: dict[str, Any]) -> CreditCheck:
    """A check not yet saved: `moment` is {"position", "today"}, `answer` is `gist(...)` of the answer."""
    return CreditCheck._create(CreditCheck.Asked, id=uuid4(), asker=asker, role=role, department=department,
                               credit_code=credit_code, asked=asked, moment=moment, answer=answer)


def save_checks(ledger: SavesAggregates, pending: Sequence[CreditCheck]) -> list[int]:
    """Store checks in one transaction; return each one's log position, in order."""
    recordings = ledger.save(*pending)
    positions = {r.domain_event.originator_id: r.notification.id for r in recordings}
    return [positions[c.id] for c in pending]

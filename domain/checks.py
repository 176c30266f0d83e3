"""Credit checks (联合奖惩查询) as facts in the log: who asked about whom, and what they were told.

An approval system asks "may this entity receive X?" before granting. The question and
the answer's gist (result, measure ids, triggering record ids and positions, the moment
evaluated) are stored as one event before the answer is sent, so an answer can always be
traced, and the log's signed heads cover the trail. A check is its own aggregate with a
random id: checks are not idempotent facts, and concurrent callers never contend.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

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

    @staticmethod
    def create_id() -> UUID:
        return uuid4()  # checks are not idempotent facts: each is its own aggregate

    @event(Asked)
    def __init__(self, asker, role, department, credit_code, asked, moment, answer):  # noqa: PLR0913
        self.asker = asker
        self.role = role
        self.department = department
        self.credit_code = credit_code
        self.asked = asked
        self.moment = moment
        self.answer = answer


def gist(outcome: dict[str, Any]) -> dict[str, Any]:
    """What the log keeps of an answer: the result, the measures and the records that triggered them."""
    return {
        "result": outcome["result"],
        "grade": outcome.get("grade"),
        "measures": [{"id": m["id"], "records": [[t["record_id"], t["position"]] for t in m["triggers"]
                                                  if "record_id" in t]}
                     for m in outcome["measures"]],
    }

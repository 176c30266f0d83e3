"""Risk-graded random inspection lists (双随机、一公开), reproducible from a published seed.

Each entity of a grade gets a ticket, SHA-256(seed + "\\n" + entity key) in hex; the
entities with the smallest tickets are drawn, ceil(ratio x population) of each grade.
Anyone holding the seed and the population (the grades at the published log position and
day) can recompute the list with any SHA-256 tool, in any language. Every draw is recorded
in the log with its seed before the list is shown, so a seed cannot be quietly re-rolled.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.grading import GRADES, inspection_quota

DRAW_TOPIC = "gongshi:InspectionDraw.Drawn"


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


class InspectionDraw(Aggregate):
    """One draw: who drew, with which seed and ratios, from which population, and how many."""

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

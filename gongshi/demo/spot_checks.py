"""Spot-check results for the demo's inspection draws: most without problems, a few unreachable.

Deterministic from the seed and each drawn entity's key. Two draws by the market regulator:
one in September whose every drawn entity has its result, one in late October still under way
(about half inspected). Shares of the outcomes: 72% no problem, 10% ordered to correct, 5%
follow-up pending, 4% no such business, 2% not cooperating, 7% unreachable at the registered
address (at least two per draw of four or more, so that the anomaly-listing job has some).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.inspections import UNREACHABLE

OUTCOMES = (("no_problem", 0.72), ("corrected", 0.10), ("pending", 0.05), ("no_activity", 0.04),
            ("uncooperative", 0.02), (UNREACHABLE, 0.07))
NOTES = {
    "corrected": ("未按规定公示即时信息，已责令限期公示", "经营场所未亮照经营，已当场责令改正", "公示的从业人数与实际不符，已责令更正"),
    "pending": ("涉嫌超范围经营，已移交执法机构调查", "产品标签不规范，待抽样检验结果"),
    "no_activity": ("检查时处于停业状态",),
    "uncooperative": ("拒绝提供经营台账",),
    UNREACHABLE: ("登记住所无人办公，电话无法接通", "登记的经营场所已改作他用"),
}
MIN_UNREACHABLE = 2


@dataclass(frozen=True)
class DemoDraw:
    seed: str
    drawn_on: dt.date
    share_inspected: float  # of the drawn entities, how many have their result by the end


def demo_draws(seed: int, end: dt.date) -> list[DemoDraw]:
    """The demo's two draws, the later one before `end`."""
    return [DemoDraw(f"{seed}-双随机-一", end - dt.timedelta(days=75), 1.0),
            DemoDraw(f"{seed}-双随机-二", end - dt.timedelta(days=28), 0.5)]


def generate_results(draw: DemoDraw, entities: Sequence[dict[str, Any]], end: dt.date) -> list[dict[str, Any]]:
    """The results of one draw's entities (from its described list), dated between the draw and `end`."""
    results = []
    for ent in entities:
        rng = random.Random(int(hashlib.sha256(f"{draw.seed}/{ent['entity_key']}".encode()).hexdigest()[:16], 16))
        if rng.random() >= draw.share_inspected:
            continue
        outcome = rng.choices([o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES])[0]
        days = max(0, (end - draw.drawn_on).days)
        result = {"entity_key": ent["entity_key"], "outcome": outcome,
                  "inspected_on": (draw.drawn_on + dt.timedelta(days=rng.randint(0, days))).isoformat()}
        if outcome in NOTES:
            result["note"] = rng.choice(NOTES[outcome])
        results.append(result)
    unreachable = [r for r in results if r["outcome"] == UNREACHABLE]
    if len(results) >= 4:
        for result in [r for r in results if r["outcome"] == "no_problem"][:max(0, MIN_UNREACHABLE - len(unreachable))]:
            result.update(outcome=UNREACHABLE, note=NOTES[UNREACHABLE][0])
    return results

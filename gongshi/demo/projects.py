"""Investment projects for the demo: about 1 in 40 companies submits one, plus one applicant on the serious
dishonesty list (refused at acceptance) and one of grade A asking for approval by commitment. Deterministic."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from domain.projects import rules
from gongshi.demo.common import END_ISO

SHARE = 1 / 40
WHAT = ("二期扩建项目", "智能化改造项目", "新建生产线项目", "仓储物流中心项目", "技术改造项目")
OPINIONS = (("approve", ""), ("approve", ""), ("approve_with_conditions", "落实施工期扬尘和噪声防治措施"),
            ("approve", ""), ("refuse", "选址位于生态保护红线内，不予同意"))


@dataclass
class DemoProject:
    credit_code: str
    on: str
    project: dict[str, Any]
    stage: str  # waiting | review | decided
    opinions: Sequence[tuple[str, str]]


def _project(ent: dict[str, Any], digest: bytes, commitment: bool = False) -> dict[str, Any]:
    industries, kinds = list(rules()["industries"]), list(rules()["types"])
    short = ent["name"].removeprefix("本溪市").split("有限")[0][:12]
    return {"name": short + WHAT[digest[1] % len(WHAT)], "project_type": kinds[digest[2] % len(kinds)],
            "industry": industries[digest[3] % len(industries)], "district": ent.get("district_code") or "210502",
            "amount": float(500 + (digest[4] * 97) % 20000), "description": "", "commitment": commitment}


def choose_projects(entities: Iterable[dict[str, Any]], seed: int, listed: Sequence[str],
                    grade_a: Sequence[str]) -> list[DemoProject]:
    end, out = dt.date.fromisoformat(END_ISO), []
    by_code = {e["credit_code"]: e for e in entities if e.get("name")}
    for code, ent in by_code.items():
        digest = hashlib.sha256(f"projects/{seed}/{code}".encode()).digest()
        if digest[0] / 256 >= SHARE or code in listed:
            continue
        stage = ("waiting", "review", "decided", "decided", "decided")[digest[5] % 5]
        opinions = (OPINIONS[digest[6] % len(OPINIONS)], *OPINIONS[:3])
        on = end - dt.timedelta(days=10 + digest[7] % 40)
        out.append(DemoProject(code, on.isoformat(), _project(ent, digest), stage, opinions))
    extra = [(listed[0], False)] if listed and listed[0] in by_code else []
    extra += [(c, True) for c in grade_a if c in by_code and c not in listed][:3]
    for code, commitment in extra:
        digest = hashlib.sha256(f"projects/{seed}/special/{code}".encode()).digest()
        out.append(DemoProject(code, (end - dt.timedelta(days=15)).isoformat(),
                               _project(by_code[code], digest, commitment), "decided", OPINIONS[:2]))
    return out

"""Loaders of the supervision configuration: measures, the grading model, early-warning rules.

Each file is the one place its rules are written down; the domain modules evaluate them.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from schemas import load

@cache
def measures() -> dict[str, Any]:
    """The joint reward and punishment measures (联合奖惩措施清单)."""
    return load("measures.json")


@cache
def grading() -> dict[str, Any]:
    """The credit-risk grading models, inspection ratios and the nightly regrade time."""
    return load("grading.json")


@cache
def warnings() -> dict[str, Any]:
    """The early-warning rule sets (信用风险预警规则)."""
    return load("warnings.json")


@cache
def inspection_results() -> dict[str, Any]:
    """The outcomes of a spot check (抽查检查结果) with their legal basis and consequences."""
    return load("inspection_results.json")

"""Deterministic synthetic data for `gongshi demo`: Benxi entities and their credit records.

    from gongshi.demo import generate, department_of
    for item in generate(entities=2000, seed=20261125):
        submit(department_of(item), item)

Items are plain JSON-compatible dicts: {"kind": ..., **fields} for a new record,
{"kind", "action": "correct", "reason", **fields} for a correction and
{"kind", "action": "withdraw", "reason", "authority_code", "document_number"} for a
withdrawal. See generator.py for the ordering and determinism guarantees.
"""
from .generator import DEFAULT_ENTITIES, DEFAULT_SEED, department_of, generate
from .common import DEPARTMENTS, END, START, source_department

__all__ = ["DEFAULT_ENTITIES", "DEFAULT_SEED", "DEPARTMENTS", "END", "START", "department_of", "generate",
           "source_department"]

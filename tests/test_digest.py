"""Record digests are stored in the log and recognise resubmissions: however they are computed,
they must stay the hash of the same canonical JSON bytes as ever."""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest

from domain.submission import make_checker
from domain.records import digest
from tests.conftest import TODAY
from tests.records import entity, penalty


def reference(fields: dict) -> str:
    """The digest as it was first defined (session 1): stdlib json, sorted keys, decimals as strings."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                           default=lambda v: str(v) if isinstance(v, Decimal) else None)
    return hashlib.sha256(canonical.encode()).hexdigest()


CASES = [
    {"a": 1, "b": "本溪", "c": Decimal("0.35"), "d": ["罚款", "没收违法所得"], "e": None, "f": True},
    {"é": 1, "e": 2, "Z": 3, "中": 4, "𠀀": 5, "\uffff": 6, "ctrl": "a\x00b\x1fc\u2028d\"e\\f"},
    {"small float": 1e-05, "float": 2.5, "big": 1e16},  # floats: orjson writes 0.00001, json 1e-05
    {"huge": 10 ** 30, "negative": -(2 ** 63)},  # beyond 64 bits: only json writes it
    {"nested": {"z": [Decimal("1E+3"), {"y": 1.5e-7}], "a": []}},
]


@pytest.mark.parametrize("fields", CASES)
def test_digest_is_the_hash_of_the_same_canonical_json_as_ever(fields):
    assert digest(fields) == reference(fields)


def test_digest_of_validated_records_is_unchanged():
    checker = make_checker(TODAY)
    items = [penalty(1), penalty(2, fine=12345678.125, confiscation=0.35), entity(registered_capital=500.5)]
    for i, item in enumerate(items):
        checked = checker.check(i, item, None, None)
        assert checked.digest == reference(checked.fields)

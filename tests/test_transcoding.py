"""The ledger reads its events with orjson (domain/transcoding.py) and must get exactly what the
library's own decoder gets from the same stored bytes."""
from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal

import pytest

from application.ledger import Ledger
from domain.transcoding import LedgerTranscoder
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex


def transcoders() -> tuple[JSONTranscoder, LedgerTranscoder]:
    library, ours = JSONTranscoder(), LedgerTranscoder()
    for transcoder in (library, ours):
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
            transcoder.register(transcoding)
    return library, ours


STATES = [
    {"timestamp": dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.timezone.utc), "kind": "penalty"},
    {"timestamp": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
     "fields": {"fine": Decimal("2.35"), "categories": ["罚款", {"amount": Decimal("1E+3")}], "n": 3, "f": 0.5},
     "window": None, "ids": [uuid.UUID(int=7), [uuid.UUID(int=8)]]},
    {"facts": 'a quoted "_type_" and {"_type_": "decimal_str", "_data_": "1"} inside a string', "empty": {}},
    {"_type_": "not a tag: three keys", "_data_": 1, "other": 2},
    {"nested": {"_type_": "decimal_str", "_data_": "9"}},  # a tagged value written by hand
]


@pytest.mark.parametrize("state", STATES)
def test_orjson_reading_gives_what_the_library_reads(state):
    library, ours = transcoders()
    stored = library.encode(state)
    assert ours.decode(stored) == library.decode(stored)


def test_what_orjson_refuses_is_read_by_the_library_decoder():
    library, ours = transcoders()
    stored = library.encode({"value": math.inf})  # the stdlib writes Infinity, which orjson rejects
    assert ours.decode(stored) == {"value": math.inf}


def test_the_ledger_writes_with_the_library_encoder_and_reads_with_orjson(tmp_path):
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "l.sqlite")})
    assert type(ledger.mapper.transcoder) is LedgerTranscoder
    library, _ = transcoders()
    state = STATES[1]
    assert ledger.mapper.transcoder.encode(state) == library.encode(state)  # stored bytes unchanged


@pytest.mark.parametrize("state", STATES + [{"timestamp": dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc),
                                             "fine": math.nan}])
def test_the_bulk_reader_gives_what_the_library_reads_with_the_timestamp_as_its_iso_text(state):
    """projections/bulk.py reads rows straight from the event table and keeps the timestamp as text;
    everything else must be what the library's decoder gives (NaN: orjson refuses, the library reads)."""
    library, ours = transcoders()
    stored = library.encode(state)
    expected = library.decode(stored)
    got = ours.decode_keeping_time_text(stored)
    if isinstance(expected.get("timestamp"), dt.datetime) and isinstance(got["timestamp"], str):
        assert got.pop("timestamp") == expected.pop("timestamp").isoformat()
    assert repr(got) == repr(expected)  # repr: NaN is not equal to itself

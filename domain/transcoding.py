"""How the ledger's events are turned back into objects: the library's JSON format, read faster.

Events are written by the library's own `JSONTranscoder` (stdlib json), so the stored
bytes are exactly what the library writes and any reader of the log can decode them.
Reading goes through orjson, about twice as fast, then the library's tagged values
(`{"_type_": ..., "_data_": ...}`: datetimes, decimals, UUIDs) are revived the way the
library's own object hook does it, innermost first. Anything orjson refuses (the stdlib
also reads NaN) is read by the library's decoder instead.
"""
from __future__ import annotations

from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder


class LedgerTranscoder(JSONTranscoder):
    """The library's JSON transcoder with an orjson reader."""

    def decode(self, data: bytes) -> Any:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode(data)
        tags = data.count(b'"_type_"')  # an upper bound: inside a string the quotes would be escaped
        if not tags:
            return value
        if type(value) is dict:  # most events have one tag, the top-level timestamp: no need to walk
            for key, item in value.items():
                if type(item) is dict and len(item) == 2 and "_type_" in item and "_data_" in item:
                    value[key] = self._decode_obj(item)
                    tags -= 1
            if not tags:
                return value
        return self.revive(value)

    def decode_keeping_time_text(self, data: bytes) -> Any:
        """`decode`, but an event's timestamp stays the ISO text it is stored as (projections/bulk.py:
        the read models want the text, and parsing it only to print it again was a tenth of a rebuild's read)."""
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode(data)
        tags = data.count(b'"_type_"')
        stamp = value.get("timestamp") if type(value) is dict else None
        if type(stamp) is dict and stamp.get("_type_") == "datetime_iso" and len(stamp) == 2:
            value["timestamp"] = stamp["_data_"]
            tags -= 1
        return self.revive(value) if tags > 0 else value

    def revive(self, value: Any) -> Any:
        """Replace the library's tagged values inside `value` (orjson-parsed) by the objects they stand for."""
        if type(value) is dict:
            for key, item in value.items():
                if type(item) is dict or type(item) is list:
                    value[key] = self.revive(item)  # replaces a value, never a key: safe while iterating
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                return self._decode_obj(value)
        elif type(value) is list:
            for i, item in enumerate(value):
                if type(item) is dict or type(item) is list:
                    value[i] = self.revive(item)
        return value

"""A checked batch crosses from the checking worker to the importing process as orjson
(gongshi/importer.py pack/unpack) and must arrive exactly as it left."""
from __future__ import annotations

import json
import uuid
from decimal import Decimal

from domain.submission import CheckedItem, ItemResult, make_checker
from gongshi.importer import _Unparsable, check_chunk, pack, unpack
from tests.conftest import TODAY
from tests.records import SCJG, entity, penalty


def test_a_checked_batch_arrives_as_it_left():
    lines = [(1, json.dumps(penalty(1, fine=2.5, confiscation=0.35), ensure_ascii=False)),
             (2, json.dumps(entity(registered_capital=0), ensure_ascii=False).replace(
                 '"registered_capital": 0', '"registered_capital": 12345678901234567.125')),
             (3, "{not json"),
             (4, json.dumps(penalty(2, credit_code="91210504MA0XK4E22X"), ensure_ascii=False)),  # bad checksum
             (5, json.dumps({"kind": "penalty", "action": "withdraw", "reason": "撤销", "authority_code": SCJG,
                             "document_number": "本市监罚〔2024〕1号"}, ensure_ascii=False))]
    checked = check_chunk(lines, None, None, make_checker(TODAY))
    assert [type(c) for c in checked] == [CheckedItem, CheckedItem, _Unparsable, ItemResult, CheckedItem]
    assert checked[0].fields["fine"] == Decimal("2.5") and checked[0].window is not None
    assert checked[1].fields["registered_capital"] == Decimal("12345678901234567.125")  # beyond a float
    arrived = unpack(pack(checked))
    assert arrived == checked
    assert isinstance(arrived[0].target, uuid.UUID) and isinstance(arrived[0].fields["fine"], Decimal)

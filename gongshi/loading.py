"""Load an iterable of submission items into the ledger in batches, with a progress bar."""
from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

from tqdm import tqdm

from domain.submission import ACCEPTED, DUPLICATE, REJECTED
from gongshi.importer import ImportSummary
from gongshi.platform import Platform

BATCH_SIZE = 1000


def load_items(platform: Platform, items: Iterable[dict[str, Any]], *, desc: str,
               submitter: str = "demo") -> ImportSummary:
    """Submit items batch by batch (each batch one transaction), each under its own source unit."""
    summary = ImportSummary()
    iterator = iter(items)
    with tqdm(desc=desc, unit=" items") as bar:
        while batch := list(islice(iterator, BATCH_SIZE)):
            result = platform.records.submit(batch, department=None, submitter=submitter, visible=False)
            summary.total += len(batch)
            summary.accepted += result.count(ACCEPTED)
            summary.duplicates += result.count(DUPLICATE)
            summary.rejected += result.count(REJECTED)
            if result.position is not None:
                summary.position = result.position
            bar.update(len(batch))
    return summary

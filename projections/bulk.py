"""Catching the ledger read models up from far behind (a replay, a new instance, a layout change)
with both cores: a second process reads and decodes the log and builds the rows, this one
writes them.

The builder runs one batch ahead of the writer. It builds batch k from the events, what
batch k-1 created (its `Carry`, which may not be written yet) and the tables, once batch
k-2 is committed: the writer acknowledges every commit. It hands each batch over as a
file in a private spool directory (writing to the page cache never waits for the reader,
a pipe would) and says so on the pipe. Each batch is still one transaction with its log
position, checked first: if another process moved the position meanwhile (it applied some
of these events itself), the bulk run stops and the caller's ordinary loop goes on from
the position it finds, so nothing is applied twice.

The builder holds no locks and keeps no read transaction open; if either process dies the
other sees the pipe close. Figures: bench/RESULTS.md (bench/ledger_bench.py).
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import shutil
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from eventsourcing.utils import resolve_topic

from projections.db import Database
from projections.ledger_rows import Carry, RowBuilder, Rows

log = logging.getLogger(__name__)

BATCH = 2000  # events per transaction
# Memory-backed where there is one: the spool holds at most three batches (a few MB), and a
# file on a disk file system costs journal work for a file deleted a moment later.
_SPOOL_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


class Overtaken(Exception):
    """Another process applied events to the read models during the bulk run."""


def catch_up(views: Any, ledger: Any, stop: int, progress: Callable[[int], None] | None = None) -> int:
    """Write the rows of events (views.position(), stop] built in a second process; return the position reached."""
    from projections.ledger_views import write_rows

    db: Database = views.db
    start = reached = views.position()
    context = multiprocessing.get_context("spawn")  # no fork: this process may hold threads and connections
    here, there = context.Pipe()
    spool = tempfile.mkdtemp(prefix="gongshi-rows-", dir=_SPOOL_DIR)
    worker = context.Process(target=_build, name="gongshi-rows", daemon=True,
                             args=(there, spool, dict(ledger.env), db.url, db.schema, start, stop, BATCH))
    worker.start()
    there.close()
    try:
        with _fewer_collections(), _writer_settings(db):
            while True:
                message = here.recv()
                if message[0] == "done":
                    return reached
                if message[0] == "error":
                    raise RuntimeError(f"the row builder failed:\n{message[1]}")
                _, first, last, path = message
                with open(path, "rb") as f:
                    rows = Rows(*orjson.loads(f.read()))
                os.unlink(path)
                if not views.apply_at(first, last, lambda: write_rows(db, rows)):
                    raise Overtaken(first)
                here.send(last)
                reached = last
                if progress:
                    progress(last - first)
    except Overtaken:
        log.info("another process applied events during the bulk catch-up; going on batch by batch")
        return views.position()
    except EOFError:
        raise RuntimeError("the row builder process died; the read models are intact at position "
                           f"{views.position()}: run the command again") from None
    finally:
        here.close()
        worker.join(timeout=10)
        if worker.is_alive():
            worker.terminate()
            worker.join()
        shutil.rmtree(spool, ignore_errors=True)


def _build(pipe: Any, spool: str, env: dict[str, str], url: str, schema: str | None, start: int, stop: int,
           batch: int) -> None:
    """The builder process: read, decode, build, hand over; one batch ahead of the writer."""
    try:
        from domain.ledger import Ledger
        from projections.ledger_views import TableState

        gc.disable()  # events and rows hold no cycles: collecting every 700 allocations cost a fifth of the time
        # On SQLite the ids are text in the table: read them as text and leave them so (the rows
        # want text), instead of parsing a UUID per event only to print it again.
        text_ids = env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite"
        ledger = Ledger(env={**env, "CREATE_TABLE": "no", **({"ORIGINATOR_ID_TYPE": "text"} if text_ids else {})})
        recorder, mapper = ledger.recorder, ledger.mapper
        decode = _text_id_decoder(mapper) if text_ids and not (mapper.cipher or mapper.compressor) else None
        state = TableState(Database(url, schema=schema))
        builder = RowBuilder()
        carry: Carry | None = None
        sent = acknowledged = 0
        position = start
        while True:
            notifications = recorder.select_notifications(position, batch, stop=stop, inclusive_of_start=False)
            if not notifications:
                break
            events = decode(notifications) if decode else [(n.id, mapper.to_domain_event(n)) for n in notifications]
            while acknowledged < sent - 1:  # the tables must hold every batch before the carried one
                pipe.recv()
                acknowledged += 1
            rows, carry = builder.build(events, state, carry)
            path = os.path.join(spool, f"{sent}.json")
            with open(path, "wb") as f:
                f.write(orjson.dumps([rows.record_closes, rows.entity_closes, rows.records, rows.entities, rows.log]))
            last = notifications[-1].id
            pipe.send(("rows", position, last, path))
            sent += 1
            if sent % 50 == 0:
                gc.collect()  # in case something did make a cycle
            position = last
            if len(notifications) < batch:
                break
        pipe.send(("done",))
        while acknowledged < sent:  # leave when the writer has everything (its last answer would hit a closed pipe)
            pipe.recv()
            acknowledged += 1
    except (EOFError, BrokenPipeError):  # the writer stopped (overtaken, failed or killed): nothing to report to
        shutil.rmtree(spool, ignore_errors=True)  # a killed writer did not clean up
    except BaseException:
        try:
            pipe.send(("error", traceback.format_exc()))
        except OSError:
            pass


def _text_id_decoder(mapper: Any) -> Callable[[Any], list[tuple[int, Any]]]:
    """The library's `Mapper.to_domain_event` (no cipher, no compressor), with originator ids as text
    in `str(UUID)` form. Only for the row builder, which wants text; events leave this process as rows.
    """
    transcoder = mapper.transcoder

    def decode(notifications: Any) -> list[tuple[int, Any]]:
        events = []
        for n in notifications:
            cls = resolve_topic(n.topic)
            state = transcoder.decode(n.state)
            text = n.originator_id  # the library stores UUID.hex; str(UUID) puts the dashes in
            state["originator_id"] = (f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
                                      if len(text) == 32 else text)
            state["originator_version"] = n.originator_version
            version, stored = getattr(cls, "class_version", 1), state.pop("class_version", 1)
            while stored < version:
                getattr(cls, f"upcast_v{stored}_v{stored + 1}")(state)
                stored += 1
            event = object.__new__(cls)
            object.__setattr__(event, "__dict__", state)
            events.append((n.id, event))
        return events

    return decode


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Rows are lists of strings and numbers: no cycles, so the collector need not run every 700 of them."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def _writer_settings(db: Database) -> Iterator[None]:
    """SQLite, for the run: the primary keys' pages in memory (random record ids), fewer checkpoints."""
    if db.dialect != "sqlite":
        yield
        return
    conn = db.connection
    cache, checkpoint = conn.execute("PRAGMA cache_size").fetchone()[0], conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute("PRAGMA cache_size=-131072")  # 128 MB: the record ids' index at 1,000,000 records is ~70 MB
    conn.execute("PRAGMA wal_autocheckpoint=10000")  # 40 MB of log between checkpoints instead of 4 MB
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size={int(cache)}")
        conn.execute(f"PRAGMA wal_autocheckpoint={int(checkpoint)}")

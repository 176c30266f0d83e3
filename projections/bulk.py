"""Catching the ledger read models up from far behind (a replay, a new instance, a layout change)
with both cores: this process and a second one take the batches in turn.

Batch k is the log positions (start + k*BATCH, start + (k+1)*BATCH]. This process takes the
batches alone until the second one is ready (it takes about a second to start), then the two
take every other batch. Each reads, decodes and prepares its next batch (`RowBuilder.prepare`:
the public fields and the JSON, most of the work) while the other writes, then waits for its
turn: the other's message that batch k-1 is committed. Only then does it complete the batch
against the tables (`RowBuilder.complete`: which rows end, what a correction or removal
changes) and write it, in one transaction with its position, checked first. So the tables
see the batches in log order, each whole, exactly as the ordinary loop writes them; nothing
travels between the processes but the turn. On SQLite a thread of this process does the
checkpoints (`_checkpoints`), so neither writer waits for the disk.

If another process moved the position meanwhile (it applied some of these events itself),
the bulk run stops and the caller's ordinary loop goes on from the position it finds, so
nothing is applied twice. If either process dies, the other sees the pipe close. Neither
holds a lock or a transaction while it prepares. Figures: bench/RESULTS.md
(bench/ledger_bench.py).
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import sqlite3
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.application import Application
from eventsourcing.sqlite import SQLiteRecorder
from eventsourcing.utils import get_topic, resolve_topic

from projections.db import Database
from projections.ledger_rows import Prepared, RowBuilder
from projections.ledger_tables import TableState, write_rows
from projections.tracked import TrackedTables, write_at

log = logging.getLogger(__name__)

BATCH = 5000  # events per transaction
# This process takes the batches alone until the partner process is ready (it takes a second to
# start); tests turn this off so that the two take turns from the first batch.
SOLO_START = True

Read = Callable[[int, int], list[tuple[int, Any]]]  # (after, up to) -> [(position, event)]


class Overtaken(Exception):
    """Another process applied events to the read models during the bulk run."""


def catch_up(views: TrackedTables, ledger: Application, stop: int, progress: Callable[[int], None] | None = None) -> int:
    """Write the rows of events (views.position(), stop] with a second process; return the position reached."""
    db: Database = views.db
    start = views.position()
    if stop <= start:
        return start
    context = multiprocessing.get_context("spawn")  # no fork: this process may hold threads and connections
    here, there = context.Pipe()
    partner = context.Process(target=_partner, name="gongshi-rows", daemon=True,
                              args=(there, get_topic(type(ledger)), dict(ledger.env), db.url, db.schema, views.name, start, stop, BATCH))
    partner.start()
    there.close()
    try:
        with _fewer_collections(), _writer_settings(db), _checkpoints(db, progress) as written:
            batches = _Batches(_reader(ledger.recorder, ledger.mapper), db, views.name, start, stop, BATCH)
            return _lead(batches, here, written)
    except Overtaken:
        log.info("another process applied events during the bulk catch-up; going on batch by batch")
        return views.position()
    except EOFError:
        raise RuntimeError("the second row builder process died; the read models are intact at position "
                           f"{views.position()}: run the command again") from None
    finally:
        here.close()
        partner.join(timeout=10)
        if partner.is_alive():
            partner.terminate()
            partner.join()


class _Batches:
    """Batch k of a bulk run: the log positions (start + k*size, start + (k+1)*size]."""

    def __init__(self, read: Read, db: Database, name: str, start: int, stop: int, size: int):
        self.read, self.db, self.name, self.start, self.stop, self.size = read, db, name, start, stop, size
        self.count = -(-(stop - start) // size)
        self.builder, self.state = RowBuilder(), TableState(db)

    def prepare(self, k: int) -> tuple[int, Prepared]:
        """Read, decode and prepare batch k (no lock, no transaction); (its last position, the work)."""
        low = self.start + k * self.size
        events = self.read(low, min(low + self.size, self.stop))
        return (events[-1][0] if events else 0), self.builder.prepare(events)

    def write(self, position: int, prepared: tuple[int, Prepared]) -> int:
        """Complete and write a prepared batch, the tables being at `position`; return the new position."""
        last, work = prepared
        if not last:
            return position  # no events in this range
        if not write_at(self.db, self.name, position, last,
                        lambda: write_rows(self.db, self.builder.complete(work, self.state))):
            raise Overtaken(position)
        return last


def _lead(batches: _Batches, pipe: Any, progress: Callable[[int], None] | None) -> int:
    """This process: every batch until the partner says it is ready (it takes a second to start),
    from then on every other one, writing each when the partner has committed the one before."""
    position, count = batches.start, batches.count
    k, partner_from = 0, None
    while k < count:
        if partner_from is None and (not SOLO_START or pipe.poll()):
            _expect(pipe, "ready")
            partner_from = k + 1
            pipe.send(("from", partner_from))
        prepared = batches.prepare(k)
        if partner_from is not None and k > partner_from:
            position = _partner_turn(pipe, position, progress)  # batch k-1
        position = _moved(progress, position, batches.write(position, prepared))
        if partner_from is not None and k + 1 < count:
            pipe.send(("turn", position))
        k += 1 if partner_from is None else 2
    if partner_from is not None and partner_from < count and (count - 1 - partner_from) % 2 == 0:
        position = _partner_turn(pipe, position, progress)  # the last batch was the partner's
    return position


def _partner_turn(pipe: Any, position: int, progress: Callable[[int], None] | None) -> int:
    return _moved(progress, position, _expect(pipe, "turn")[1])


def _moved(progress: Callable[[int], None] | None, position: int, reached: int) -> int:
    """Report the events between two positions; return the new one."""
    if progress and reached > position:
        progress(reached - position)
    return reached


def _follow(batches: _Batches, pipe: Any) -> None:
    """The partner: the batches the main process leaves it, each written in its turn."""
    pipe.send(("ready",))
    first = _expect(pipe, "from")[1]
    for k in range(first, batches.count, 2):
        prepared = batches.prepare(k)
        position = _expect(pipe, "turn")[1]  # the main process has committed batch k-1
        pipe.send(("turn", batches.write(position, prepared)))


def _expect(pipe: Any, kind: str) -> tuple:
    message = pipe.recv()
    if message[0] == kind:
        return message
    if message[0] == "overtaken":
        raise Overtaken(message[1])
    if message[0] == "error":
        raise RuntimeError(f"the row builder failed:\n{message[1]}")
    raise RuntimeError(f"the row builder said {message[0]!r} where {kind!r} was due")


def _partner(pipe: Any, application: str, env: dict[str, str], url: str, schema: str | None, name: str, start: int,
             stop: int, size: int) -> None:
    """The second process: opens the same event store application (by its topic) and takes every other batch."""
    try:
        ledger = resolve_topic(application)(env={**env, "CREATE_TABLE": "no"})
        db = Database(url, schema=schema)
        with _fewer_collections(), _writer_settings(db):
            _follow(_Batches(_reader(ledger.recorder, ledger.mapper), db, name, start, stop, size), pipe)
    except (EOFError, BrokenPipeError):  # the main process stopped (overtaken, failed, killed, or done alone)
        pass
    except Overtaken as exc:
        _tell(pipe, ("overtaken", exc.args[0]))
    except BaseException:
        _tell(pipe, ("error", traceback.format_exc()))


def _tell(pipe: Any, message: tuple) -> None:
    try:
        pipe.send(message)
    except OSError:
        pass


def _reader(recorder: Any, mapper: Any) -> Read:
    """Events of the log as the row builder wants them. On SQLite, straight from the table: ids as
    text in `str(UUID)` form (no UUID parsed only to be printed again), timestamps left as the ISO
    text they are stored as; anything else as the library's own mapper gives it."""
    if not isinstance(recorder, SQLiteRecorder) or mapper.cipher or mapper.compressor \
            or not hasattr(mapper.transcoder, "decode_keeping_time_text"):
        def read(after: int, up_to: int) -> list[tuple[int, Any]]:
            notifications = recorder.select_notifications(after, up_to - after, stop=up_to, inclusive_of_start=False)
            return [(n.id, mapper.to_domain_event(n)) for n in notifications]

        return read

    statement = (f"SELECT rowid, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
                 "WHERE rowid>? AND rowid<=? ORDER BY rowid")
    decode = mapper.transcoder.decode_keeping_time_text
    classes: dict[str, type] = {}

    def read_sqlite(after: int, up_to: int) -> list[tuple[int, Any]]:
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, (after, up_to))
            rows = cursor.fetchall()
        events = []
        for position, text, version, topic, data in rows:
            cls = classes.get(topic)
            if cls is None:
                cls = classes[topic] = resolve_topic(topic)
            state = decode(data)
            # the library stores UUID.hex; str(UUID) puts the dashes in
            state["originator_id"] = (f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
                                      if len(text) == 32 else text)
            state["originator_version"] = version
            stored, wanted = state.pop("class_version", 1), getattr(cls, "class_version", 1)
            while stored < wanted:
                getattr(cls, f"upcast_v{stored}_v{stored + 1}")(state)
                stored += 1
            event = object.__new__(cls)
            object.__setattr__(event, "__dict__", state)
            events.append((position, event))
        return events

    return read_sqlite


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
    """SQLite, for the run: the primary keys' pages in memory (random record ids), and no checkpoints
    in the writers' commits (`_checkpoints` does them beside the writers)."""
    if db.dialect != "sqlite":
        yield
        return
    conn = db.connection
    cache, checkpoint = conn.execute("PRAGMA cache_size").fetchone()[0], conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute("PRAGMA cache_size=-131072")  # 128 MB: the record ids' index at 1,000,000 records is ~70 MB
    conn.execute("PRAGMA wal_autocheckpoint=0")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size={int(cache)}")
        conn.execute(f"PRAGMA wal_autocheckpoint={int(checkpoint)}")


CHECKPOINT_EVENTS = 50_000  # events between checkpoints: each copies the latest version of a page once


@contextmanager
def _checkpoints(db: Database, progress: Callable[[int], None] | None) -> Iterator[Callable[[int], None] | None]:
    """SQLite: copy the write-ahead log into the database in a thread of its own while the two
    processes write, every CHECKPOINT_EVENTS events. A checkpoint waits for the disk twice (fsync
    of the log, then of the database); done in a writer's commit (SQLite's default) that wait was
    a third of the writing time. The thread waits instead (SQLite releases the GIL), and the
    durability is the usual one (synchronous=NORMAL: what is committed is in the log, every
    checkpoint syncs). The last checkpoint starts when the writers are done and nobody waits for
    it (the indexes are built meanwhile; a process that exits first leaves the rest in the log,
    as SQLite always may). Yields `progress`, counting the events written.
    """
    if db.dialect != "sqlite":
        yield progress
        return
    path = db.url.removeprefix("sqlite:///")
    due, done = threading.Event(), threading.Event()

    def checkpoint() -> None:
        try:
            conn = sqlite3.connect(path, timeout=60, isolation_level=None)
            try:
                conn.execute("PRAGMA synchronous=NORMAL")
                while due.wait():
                    due.clear()
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    if done.is_set():
                        return
            finally:
                conn.close()
        except sqlite3.Error as exc:  # the next commit's own checkpoint will do it
            log.warning("checkpoint during the bulk catch-up failed: %s", exc)

    written = 0

    def counting(events: int) -> None:
        nonlocal written
        written += events
        if written >= CHECKPOINT_EVENTS:
            written = 0
            due.set()
        if progress:
            progress(events)

    threading.Thread(target=checkpoint, name="gongshi-checkpoint", daemon=True).start()
    try:
        yield counting
    finally:
        done.set()
        due.set()

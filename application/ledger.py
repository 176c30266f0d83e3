"""The credit ledger: the one event-sourced application behind every view, and how commands save.

Every command of the application layer runs through `Ledger.execute`: the command loads
what it needs, calls the domain, and returns the aggregates it touched; they are saved in
one transaction and the last log position is returned. When another request changed one
of them first, the save fails as a whole and the command is re-run from fresh state.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, JSONTranscoder, Recording, Transcoder

# Every module defining events with explicit topics must be imported before the log is
# decoded; importing them here means any Ledger can read any event it ever stored.
import domain.annual_reports  # noqa: E402,F401,I001
import domain.audit  # noqa: E402,F401
import domain.checks  # noqa: E402,F401
import domain.complaints  # noqa: E402,F401
import domain.consents  # noqa: E402,F401
import domain.contributions  # noqa: E402,F401
import domain.contributors  # noqa: E402,F401
import domain.documents  # noqa: E402,F401
import domain.inspections  # noqa: E402,F401
import domain.lenders  # noqa: E402,F401
import domain.loans  # noqa: E402,F401
import domain.objections  # noqa: E402,F401
import domain.online  # noqa: E402,F401
import domain.projects  # noqa: E402,F401
import domain.quality  # noqa: E402,F401
import domain.records  # noqa: E402,F401
import domain.repair  # noqa: E402,F401
import domain.reports  # noqa: E402,F401
import domain.trace  # noqa: E402,F401
import schemas
from domain.catalog import Catalog
from domain.errors import ConcurrentChangeError
from domain.transcoding import LedgerTranscoder

#: The commands' attempts when concurrent writers keep conflicting.
ATTEMPTS = 3


class Ledger(Application):
    """All credit records, entities, cases and recorded reads of one platform instance, in one log."""

    name = "gongshi_ledger"  # pinned: on PostgreSQL the tables are named after it

    def __init__(self, env: dict[str, str] | None = None):
        super().__init__(env)
        self.catalog = Catalog(schemas.catalog())

    def construct_transcoder(self) -> Transcoder:
        """The library's JSON format, read with orjson (domain/transcoding.py)."""
        transcoder = self.factory.transcoder()
        if type(transcoder) is JSONTranscoder:
            transcoder = LedgerTranscoder()
        if isinstance(transcoder, JSONTranscoder):
            self.register_transcodings(transcoder)
        return transcoder

    # -- saving ---------------------------------------------------------------------------------
    def execute(self, command: Callable[[], Sequence[Aggregate]], *, attempts: int = ATTEMPTS,
                conflict: Callable[[], Exception] | None = None) -> list[Recording]:
        """Run `command` and save what it touched in one transaction; re-run it on a concurrent change.

        Returns the recordings (empty when nothing changed). After the last attempt the
        `conflict` error is raised (default: ConcurrentChangeError naming the case).
        """
        for _ in range(attempts):
            pending = [a for a in command() if a.pending_events]
            if not pending:
                return []
            try:
                return self.save(*pending)
            except IntegrityError:
                continue
        raise (conflict or _concurrent_change)()

    # -- loading --------------------------------------------------------------------------------
    def get_or_none(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def load_many(self, ids: Iterable[UUID]) -> list[Any]:
        """The existing aggregates among these ids (one existence query per 500 ids)."""
        return [self.repository.get(i) for i in existing_ids(self.recorder, ids)]

    # -- queries ----------------------------------------------------------------------------------
    def position(self) -> int:
        """The last position in the log (0 when empty)."""
        return self.recorder.max_notification_id() or 0

    def history(self, aggregate_id: UUID) -> list[Any]:
        """Every event of one record or entity, oldest first (for auditors and version history)."""
        return list(self.events.get(aggregate_id))


def _concurrent_change() -> Exception:
    return ConcurrentChangeError("case", "concurrent_change", "案件正被同时办理，请刷新后重试",
                                 "the case was changed at the same time by someone else; reload and retry")


def last_position(recordings: Sequence[Recording]) -> int | None:
    return recordings[-1].notification.id if recordings else None


def existing_ids(recorder: ApplicationRecorder, ids: Iterable[UUID]) -> set[UUID]:
    """Which of these aggregates have events: one query per 500 ids instead of one per id.

    Reads the library's own events table (its name is the recorder's `events_table_name`).
    """
    ids = list(ids)
    found: set[UUID] = set()
    table = recorder.events_table_name  # type: ignore[attr-defined]
    datastore = recorder.datastore  # type: ignore[attr-defined]
    postgres = hasattr(datastore, "schema")
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        with datastore.transaction(commit=False) as cur:
            if postgres:
                cur.execute(
                    f'SELECT DISTINCT originator_id FROM "{datastore.schema}"."{table}" '
                    "WHERE originator_id = ANY(%s)", (chunk,))
                found.update(row["originator_id"] for row in cur.fetchall())
            else:
                marks = ",".join("?" * len(chunk))
                cur.execute(f"SELECT DISTINCT originator_id FROM {table} WHERE originator_id IN ({marks})",
                            [u.hex for u in chunk])
                found.update(UUID(row["originator_id"]) for row in cur.fetchall())
    return found

"""The base of the read models that keep their rows and their log position in one database."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from projections.db import Database
from projections.runner import Event

TRACKING = "CREATE TABLE IF NOT EXISTS v_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"


class TrackedTables:
    """Base for projections whose rows and position live in one database transaction.

    `layout` is the version of the tables' shape: when it changes, the tables are
    dropped and rebuilt from the log (read models are disposable, the log is not).
    `indexes` are the readers' secondary indexes: left out while a (re)build fills the
    tables, built after the first catch-up (`tick`, which the runner calls after every one).
    """

    name = ""
    layout = 1
    schema: Sequence[str] = ()
    indexes: Sequence[str] = ()
    tables: Sequence[str] = ()

    def __init__(self, db: Database):
        self.db = db
        db.execute(TRACKING)
        db.execute("CREATE TABLE IF NOT EXISTS v_layout (name TEXT PRIMARY KEY, layout BIGINT NOT NULL)")
        rows = db.execute("SELECT layout FROM v_layout WHERE name=?", (self.name,))
        if rows and rows[0][0] != self.layout:
            with db.transaction():
                for table in self.tables:
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                db.execute("DELETE FROM v_tracking WHERE name=?", (self.name,))
        fresh = bool(self.tables) and not db.table_exists(self.tables[0])
        self._create_tables(with_indexes=not fresh)  # fresh: the first catch-up is a build (see tick)
        db.execute("INSERT INTO v_layout (name, layout) VALUES (?, ?) "
                   "ON CONFLICT (name) DO UPDATE SET layout=excluded.layout", (self.name, self.layout))
        self._indexed = False  # checked (and built if a killed build left them out) by the first tick

    def _create_tables(self, with_indexes: bool = False) -> None:
        for statement in (*self.schema, *self.indexes) if with_indexes else self.schema:
            self.db.execute(statement)

    def position(self) -> int:
        rows = self.db.execute("SELECT position FROM v_tracking WHERE name=?", (self.name,))
        return rows[0][0] if rows else 0

    def apply(self, events: Sequence[Event], position: int) -> None:
        with self.db.transaction():
            done = self._locked_position()
            todo = [e for e in events if e[0] > done]
            if todo:
                self.write(todo)
            if position > done:
                self._set_position(position)

    def apply_at(self, expected: int, position: int, write: Callable[[], None]) -> bool:
        """One transaction: if the position is still `expected`, run `write` and move it to `position`.

        False (nothing written) when another process moved the position meanwhile.
        """
        return write_at(self.db, self.name, expected, position, write)

    def _set_position(self, position: int) -> None:
        _set_position(self.db, self.name, position)

    def _locked_position(self) -> int:
        return _locked_position(self.db, self.name)

    def reset(self) -> None:
        """Start again from position 0: empty tables without their secondary indexes (see `tick`)."""
        with self.db.transaction():
            for table in self.tables:
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
            self.db.execute("DELETE FROM v_tracking WHERE name=?", (self.name,))
            self._create_tables()
        self._indexed = False

    def tick(self) -> None:
        """After a catch-up: build the secondary indexes a (re)build left out, in one sorted pass each."""
        if self._indexed:
            return
        if self.indexes:
            with self.db.transaction():
                for statement in self.indexes:
                    self.db.execute(statement)
        self._indexed = True

    def write(self, events: Sequence[Event]) -> None:
        raise NotImplementedError


def write_at(db: Database, name: str, expected: int, position: int, write: Callable[[], None]) -> bool:
    """`TrackedTables.apply_at` for a process that has the database but not the projection object."""
    with db.transaction():
        if _locked_position(db, name) != expected:
            return False
        write()
        _set_position(db, name, position)
    return True


def _set_position(db: Database, name: str, position: int) -> None:
    db.execute("INSERT INTO v_tracking (name, position) VALUES (?, ?) "
               "ON CONFLICT (name) DO UPDATE SET position=excluded.position", (name, position))


def _locked_position(db: Database, name: str) -> int:
    lock = " FOR UPDATE" if db.dialect == "postgresql" else ""
    rows = db.execute(f"SELECT position FROM v_tracking WHERE name=?{lock}", (name,))
    return rows[0][0] if rows else 0

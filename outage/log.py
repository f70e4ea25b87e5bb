"""The durable event log: every accepted event, in order, before it is acknowledged.

SQLite by default (WAL, synchronous FULL: a committed append survives a crash
of the process or the machine), any SQLAlchemy URL otherwise (PostgreSQL in
production). The engine state is a fold over this log; snapshots of that state
make restarts fast.
"""

from __future__ import annotations

import json
import logging
import pickle
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from outage.errors import EventLogError

_log = logging.getLogger(__name__)

_metadata = sa.MetaData()
EVENTS = sa.Table(
    "events",
    _metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)
# Keys of retried submissions (a phone on a flaky connection sends the same action
# twice): stored in the same transaction as the event, so a retry is never logged twice.
IDEMPOTENCY = sa.Table(
    "idempotency",
    _metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
)
SNAPSHOTS = sa.Table(
    "snapshots",
    _metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("state", sa.LargeBinary, nullable=False),
)


def _sqlite_durability(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


class EventLog:
    """Append-only log of event JSON objects, numbered by `seq` from 1."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self._engine = sa.create_engine(url, future=True)
            if self._engine.dialect.name == "sqlite":
                sa.event.listen(self._engine, "connect", _sqlite_durability)
            _metadata.create_all(self._engine)
        except SQLAlchemyError as error:
            raise EventLogError(f"event log {url!r} cannot be opened: {error}") from error

    def append(self, events: Sequence[dict[str, Any]], received_at: datetime | None = None
               ) -> list[int]:
        """Write events in one transaction; return their sequence numbers once committed."""
        return [seq for seq, _ in self._append(events, None, received_at)]

    def append_once(self, event: dict[str, Any], key: str,
                    received_at: datetime | None = None) -> tuple[int, bool]:
        """Write an event unless `key` was seen; return (seq, True if newly written)."""
        ((seq, new),) = self._append([event], key, received_at)
        return seq, new

    def _append(self, events: Sequence[dict[str, Any]], key: str | None,
                received_at: datetime | None) -> list[tuple[int, bool]]:
        stamp = (received_at or datetime.now(UTC)).isoformat()
        try:
            with self._engine.begin() as connection:
                if key is not None:
                    known = connection.execute(
                        sa.select(IDEMPOTENCY.c.seq).where(IDEMPOTENCY.c.key == key)
                    ).scalar()
                    if known is not None:
                        return [(int(known), False)]
                out = []
                for event in events:
                    result = connection.execute(
                        EVENTS.insert().values(received_at=stamp,
                                               body=json.dumps(event, separators=(",", ":")))
                    )
                    key_row = result.inserted_primary_key
                    assert key_row is not None
                    out.append((int(key_row[0]), True))
                if key is not None:
                    connection.execute(IDEMPOTENCY.insert().values(key=key, seq=out[0][0]))
            return out
        except SQLAlchemyError as error:
            raise EventLogError(f"event log {self.url!r}: append failed: {error}") from error

    def read(self, after: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
        """Events with seq > `after`, in order."""
        query = sa.select(EVENTS.c.seq, EVENTS.c.body).where(EVENTS.c.seq > after)
        with self._engine.connect() as connection:
            for seq, body in connection.execute(query.order_by(EVENTS.c.seq)):
                yield int(seq), json.loads(body)

    def last_seq(self) -> int:
        with self._engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.max(EVENTS.c.seq))).scalar() or 0)

    def save_snapshot(self, seq: int, state: object) -> None:
        """Store a pickled engine state valid after event `seq`."""
        blob = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        with self._engine.begin() as connection:
            connection.execute(SNAPSHOTS.delete().where(SNAPSHOTS.c.seq < seq))
            connection.execute(
                SNAPSHOTS.insert().values(seq=seq, created_at=datetime.now(UTC).isoformat(),
                                          state=blob)
            )

    def latest_snapshot(self) -> tuple[int, object] | None:
        query = sa.select(SNAPSHOTS.c.seq, SNAPSHOTS.c.state).order_by(SNAPSHOTS.c.seq.desc())
        with self._engine.connect() as connection:
            row = connection.execute(query.limit(1)).first()
        if row is None:
            return None
        # Our own pickles only: the log's database is as trusted as the code.
        try:
            return int(row[0]), pickle.loads(row[1])
        except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError,
                ValueError) as error:
            # Taken by another version of the code (a class since moved or renamed): the
            # state is folded from the log instead, as for any snapshot out of date.
            _log.warning("snapshot after event %d cannot be read by this version (%s): "
                         "the state is rebuilt from the log", row[0], error)
            return None

    def close(self) -> None:
        self._engine.dispose()

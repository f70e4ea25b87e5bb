"""The web layer's own durable state: idempotency keys, subscriptions, crews.

Kept beside the event log (same database URL, own tables) so one backup holds
everything. Outage state is never stored here: that is the event log's job.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

_metadata = sa.MetaData()
IDEMPOTENCY = sa.Table(
    "web_idempotency", _metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)
SUBSCRIPTIONS = sa.Table(
    "web_subscriptions", _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("customer_id", sa.String(100), nullable=False, index=True),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("contact", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)
CREWS = sa.Table(
    "web_crews", _metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
)


class WebStore:
    """Small tables of the web layer, behind SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self._engine = sa.create_engine(url, future=True)
        _metadata.create_all(self._engine)
        self._lock = threading.Lock()

    # -- idempotency ---------------------------------------------------------------------
    def recall(self, key: str) -> tuple[int, Any] | None:
        query = sa.select(IDEMPOTENCY.c.status, IDEMPOTENCY.c.body).where(IDEMPOTENCY.c.key == key)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else (int(row[0]), json.loads(row[1]))

    def remember(self, key: str, status: int, body: Any) -> None:
        with self._lock, self._engine.begin() as connection:
            connection.execute(IDEMPOTENCY.insert().values(
                key=key, status=status, body=json.dumps(body),
                created_at=datetime.now(UTC).isoformat()))

    # -- subscriptions -------------------------------------------------------------------
    def subscribe(self, customer_id: str, channel: str, contact: str) -> int:
        with self._lock, self._engine.begin() as connection:
            result = connection.execute(SUBSCRIPTIONS.insert().values(
                customer_id=customer_id, channel=channel, contact=contact,
                created_at=datetime.now(UTC).isoformat()))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def subscribed_customers(self) -> set[str]:
        with self._engine.connect() as connection:
            rows = connection.execute(sa.select(SUBSCRIPTIONS.c.customer_id).distinct())
            return {str(r[0]) for r in rows}

    # -- crews ---------------------------------------------------------------------------
    def save_crew(self, crew_id: str, body: dict[str, Any]) -> None:
        with self._lock, self._engine.begin() as connection:
            connection.execute(CREWS.delete().where(CREWS.c.id == crew_id))
            connection.execute(CREWS.insert().values(id=crew_id, body=json.dumps(body)))

    def crews(self) -> list[dict[str, Any]]:
        with self._engine.connect() as connection:
            return [json.loads(r[0]) for r in connection.execute(sa.select(CREWS.c.body))]

    def close(self) -> None:
        self._engine.dispose()

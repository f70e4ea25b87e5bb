"""The web layer's own durable state: idempotency keys, subscriptions, the messages
waiting for the messaging gateway, crews, the complaints desk's actions.

Kept beside the event log (same database URL, own tables) so one backup holds
everything. Outage state is never stored here: that is the event log's job. Contact
details, and what complainants and the desk write, are stored sealed (`web.privacy`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from outage.complaints import ComplaintAction
from web.privacy import ContactCipher, ContactKeyError

log = logging.getLogger(__name__)

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
OUTBOX = sa.Table(
    "web_outbox", _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("customer_id", sa.String(100), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("contact", sa.Text, nullable=False),  # sealed
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    # Set when the gateway has sent it; kept, so a reply names the customer it answers.
    sa.Column("sent_at", sa.String(40), nullable=True, index=True),
)
RATINGS = sa.Table(
    "web_ratings", _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("customer_id", sa.String(100), nullable=False),
    sa.Column("message_id", sa.Integer, nullable=False),
    sa.Column("rating", sa.Integer, nullable=True),  # 1-5, or none given
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
)
# The complaints register's actions, in order (`outage.complaints`: the register is
# their fold). What people wrote (text, contact, notes, resolution) is sealed.
COMPLAINT_ACTIONS = sa.Table(
    "web_complaint_actions", _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(20), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("by", sa.Text, nullable=False),  # as applied: the fold must see the same
    sa.Column("fields", sa.Text, nullable=False),
    sa.Column("sealed", sa.Text, nullable=False),
)
_SEALED_FIELDS = ("text", "matched", "contact", "note", "resolution")
UNREADABLE = "(sealed under another key)"
CREWS = sa.Table(
    "web_crews", _metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    customer_id: str
    channel: str  # sms | email | push
    contact: str


@dataclass(frozen=True, slots=True)
class Message:
    """A text for the messaging gateway to send (an SMS or an e-mail)."""

    id: int
    customer_id: str
    channel: str
    contact: str
    text: str
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class WebStore:
    """Small tables of the web layer, behind SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, url: str, cipher: ContactCipher) -> None:
        self._cipher = cipher
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
                customer_id=customer_id, channel=channel, contact=self._cipher.seal(contact),
                created_at=datetime.now(UTC).isoformat()))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def subscribed_customers(self) -> set[str]:
        with self._engine.connect() as connection:
            rows = connection.execute(sa.select(SUBSCRIPTIONS.c.customer_id).distinct())
            return {str(r[0]) for r in rows}

    def subscriptions(self, customer_ids: Collection[str]) -> list[Subscription]:
        """The subscriptions of these customers, oldest first (one query for a batch)."""
        query = (sa.select(SUBSCRIPTIONS.c.id, SUBSCRIPTIONS.c.customer_id,
                           SUBSCRIPTIONS.c.channel, SUBSCRIPTIONS.c.contact)
                 .where(SUBSCRIPTIONS.c.customer_id.in_(list(customer_ids)))
                 .order_by(SUBSCRIPTIONS.c.id))
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [Subscription(int(r.id), r.customer_id, r.channel, contact) for r in rows
                if (contact := self._open(r.contact, f"subscription {r.id}")) is not None]

    # -- messages for the gateway --------------------------------------------------------
    def queue(self, messages: list[tuple[Subscription, str]]) -> None:
        """Queue texts for the gateway, in one transaction."""
        if not messages:
            return
        now = datetime.now(UTC).isoformat()
        rows = [{"customer_id": s.customer_id, "channel": s.channel,
                 "contact": self._cipher.seal(s.contact), "text": text, "created_at": now}
                for s, text in messages]
        with self._lock, self._engine.begin() as connection:
            connection.execute(OUTBOX.insert(), rows)

    def outbox(self, limit: int = 100) -> list[Message]:
        """The oldest messages not yet sent."""
        query = (sa.select(OUTBOX).where(OUTBOX.c.sent_at.is_(None)).order_by(OUTBOX.c.id)
                 .limit(limit))
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [Message(int(r.id), r.customer_id, r.channel, contact, r.text, r.created_at)
                for r in rows if (contact := self._open(r.contact, f"message {r.id}")) is not None]

    def sent(self, ids: list[int]) -> int:
        """The gateway has sent these messages: they leave the queue; how many were in it."""
        update = (OUTBOX.update().where(OUTBOX.c.id.in_(ids) & OUTBOX.c.sent_at.is_(None))
                  .values(sent_at=datetime.now(UTC).isoformat()))
        with self._lock, self._engine.begin() as connection:
            return int(connection.execute(update).rowcount)

    def forget_messages(self, before: datetime) -> int:
        """Delete the texts sent before `before`, and those never sent that were queued
        before it (a gateway down that long: stale news); how many. Their contacts go
        with them; the replies keep their rating and words, not the contact."""
        cutoff = before.astimezone(UTC).isoformat()
        delete = OUTBOX.delete().where(
            (OUTBOX.c.sent_at < cutoff)
            | (OUTBOX.c.sent_at.is_(None) & (OUTBOX.c.created_at < cutoff)))
        with self._lock, self._engine.begin() as connection:
            return int(connection.execute(delete).rowcount)

    # -- replies to the follow-up ----------------------------------------------------------
    def reply(self, message_id: int, rating: int | None, text: str,
              when: datetime) -> str | None:
        """Keep a customer's reply to a sent message, received `when`; the customer, or
        None when no message with that id was sent."""
        query = sa.select(OUTBOX.c.customer_id).where(
            (OUTBOX.c.id == message_id) & OUTBOX.c.sent_at.is_not(None))
        with self._lock, self._engine.begin() as connection:
            customer_id = connection.execute(query).scalar()
            if customer_id is None:
                return None
            connection.execute(RATINGS.insert().values(
                customer_id=customer_id, message_id=message_id, rating=rating, text=text,
                received_at=when.astimezone(UTC).isoformat()))
        return str(customer_id)

    def replies(self, limit: int = 100) -> list[dict[str, Any]]:
        """The latest replies to the follow-up, newest first."""
        query = sa.select(RATINGS).order_by(RATINGS.c.id.desc()).limit(limit)
        with self._engine.connect() as connection:
            return [{"customer_id": r.customer_id, "message_id": r.message_id,
                     "rating": r.rating, "text": r.text, "received_at": r.received_at}
                    for r in connection.execute(query)]

    def ratings(self, since: datetime) -> list[tuple[datetime, int]]:
        """The ratings (1-5) received since `since`, oldest first, with when."""
        query = (sa.select(RATINGS.c.received_at, RATINGS.c.rating)
                 .where((RATINGS.c.received_at >= since.astimezone(UTC).isoformat())
                        & RATINGS.c.rating.is_not(None))
                 .order_by(RATINGS.c.received_at))
        with self._engine.connect() as connection:
            return [(datetime.fromisoformat(r[0]), int(r[1])) for r in connection.execute(query)]

    def _open(self, sealed: str, what: str) -> str | None:
        """A sealed contact, or None (logged) when this server's key cannot open it: a
        server restarted without the OMS_DATA_KEY / OMS_SECRET_KEY it had. The row stays
        for a restart with that key."""
        try:
            return self._cipher.open(sealed)
        except ContactKeyError as error:
            log.warning("%s: %s", what, error)
            return None

    # -- complaints ----------------------------------------------------------------------
    def append_complaint_action(self, action: ComplaintAction) -> None:
        """Store an action durably (before the register applies it)."""
        fields = {k: v for k, v in action.fields.items() if k not in _SEALED_FIELDS}
        sealed = {k: v for k, v in action.fields.items() if k in _SEALED_FIELDS}
        with self._lock, self._engine.begin() as connection:
            connection.execute(COMPLAINT_ACTIONS.insert().values(
                reference=action.reference, kind=action.kind, at=action.at.isoformat(),
                by=action.by, fields=json.dumps(fields),
                sealed=self._cipher.seal(json.dumps(sealed))))

    def complaint_actions(self) -> list[ComplaintAction]:
        """Every stored action, in order. Where this server's key cannot open what people
        wrote, the register keeps the complaint with its text unreadable (logged)."""
        query = sa.select(COMPLAINT_ACTIONS).order_by(COMPLAINT_ACTIONS.c.id)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        actions = []
        for r in rows:
            fields = json.loads(r.fields)
            opened = self._open(r.sealed, f"complaint {r.reference} ({r.kind})")
            if opened is None:
                fields.update({k: UNREADABLE for k in ("text", "note", "resolution")})
            else:
                fields.update(json.loads(opened))
            actions.append(ComplaintAction(r.kind, r.reference, datetime.fromisoformat(r.at),
                                           r.by, fields))
        return actions

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

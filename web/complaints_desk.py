"""The complaints desk: the register (`outage.complaints`) with its durable actions, the
complainant told at each end, and the desk's pages told of each change.

An action is checked, stored, then applied, under one lock: a stored action always
applies, and one acknowledged to its sender is in the database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from flask_socketio import SocketIO

from outage.complaints import (
    CONTACT_CHANNELS,
    Complaint,
    ComplaintAction,
    ComplaintBook,
    summarise,
)
from web.notify import Updates
from web.store import WebStore

log = logging.getLogger(__name__)
ROOM = "complaints"  # the desk's Socket.IO room


Contacts = dict[str, list[tuple[str, str]]]  # department (or "*") -> (channel, address)


def escalation_contacts(setting: Any, departments: list[str]) -> Contacts:
    """`COMPLAINT_ESCALATION` checked: each department (or "*", every department) with
    the supervisors' contacts a complaint past its target goes to, as
    ``[{"channel": "sms" | "email", "address": …}]``."""
    if not setting:
        return {}
    if not isinstance(setting, dict):
        raise ValueError("OMS_COMPLAINT_ESCALATION: must be a JSON object of departments")
    contacts: Contacts = {}
    for department, listed in setting.items():
        if department != "*" and department not in departments:
            raise ValueError(f"OMS_COMPLAINT_ESCALATION: {department!r} is not a department "
                             f"({', '.join(departments)}, or *)")
        if not isinstance(listed, list):
            raise ValueError(f"OMS_COMPLAINT_ESCALATION[{department!r}]: must be a list")
        contacts[department] = []
        for k, c in enumerate(listed):
            if not isinstance(c, dict) or c.get("channel") not in CONTACT_CHANNELS or \
                    not isinstance(c.get("address"), str) or not c["address"].strip():
                raise ValueError(f"OMS_COMPLAINT_ESCALATION[{department!r}] #{k + 1}: give "
                                 "channel (sms or email) and address")
            contacts[department].append((c["channel"], c["address"].strip()))
    return contacts


class ComplaintsDesk:
    def __init__(self, book: ComplaintBook, store: WebStore, updates: Updates,
                 socketio: SocketIO, now: Callable[[], datetime],
                 escalation: Contacts | None = None) -> None:
        self.book = book
        self.store = store
        self.updates = updates
        self.socketio = socketio
        self.now = now
        self.escalation = escalation or {}
        self._lock = threading.Lock()

    def file(self, by: str, text: str, channel: str, *, category: str | None = None,
             customer_id: str | None = None,
             contact: tuple[str, str] | None = None) -> Complaint:
        """A new complaint, stored, routed, and the complainant told (`ComplaintError`
        naming the field when it cannot be taken)."""
        with self._lock:
            action = self.book.filing(self.now(), by, text, channel, category=category,
                                      customer_id=customer_id, contact=contact)
            complaint = self._commit(action)
        last_day = self.book.calendar.last_day(complaint.resolve_by)
        self._tell(lambda: self.updates.complaint_filed(complaint, last_day), complaint)
        return complaint

    def act(self, kind: str, reference: str, by: str, **fields: Any) -> Complaint:
        """The desk's action on a complaint (acknowledge, route, note, resolve, reopen)."""
        with self._lock:
            complaint = self._commit(self.book.action(kind, reference, self.now(), by,
                                                      **fields))
        if kind == "resolve":
            self._tell(lambda: self.updates.complaint_resolved(complaint), complaint)
        return complaint

    def escalate_due(self) -> int:
        """Escalate each open complaint that has just missed a target (not taken up
        within the hour, not answered within five working days): stored in its history
        once, and its department's supervisors told (`escalation`); how many."""
        with self._lock:
            now = self.now()
            escalated = [(self._commit(self.book.action("escalate", reference, now, "system",
                                                        breach=breach)), breach)
                         for reference, breach in self.book.due_escalations(now)]
        for complaint, breach in escalated:
            contacts = [*self.escalation.get(complaint.department, []),
                        *self.escalation.get("*", [])]
            if contacts:
                self._tell(partial(self.updates.complaint_escalated, complaint, breach,
                                   contacts), complaint)
        return len(escalated)

    def get(self, reference: str) -> Complaint:
        """One complaint (`ComplaintNotFoundError` when there is none)."""
        with self._lock:
            return self.book.get(reference)

    def of_customer(self, customer_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """A customer's latest complaints as the status page shows them to that customer."""
        with self._lock:
            mine = self.book.of_customer(customer_id)[:limit]
        return [c.to_customer_json(self.book.calendar) for c in mine]

    def to_json(self, complaint: Complaint) -> dict[str, Any]:
        return complaint.to_json(self.book.calendar, self.now())

    def listing(self, *, status: str = "open", department: str | None = None,
                limit: int = 1000) -> list[dict[str, Any]]:
        """Open complaints, oldest (the most urgent) first; or all, newest first; of one
        department or every one; at most `limit`."""
        with self._lock:
            complaints = self.book.all()
        if status == "all":
            complaints.reverse()
        chosen = [c for c in complaints if (status == "all" or c.resolved is None)
                  and (department is None or c.department == department)]
        return [self.to_json(c) for c in chosen[:limit]]

    def summary(self, since: datetime) -> dict[str, Any]:
        with self._lock:
            complaints = self.book.all()
        return summarise(complaints, self.now(), since).to_json()

    def _commit(self, action: ComplaintAction) -> Complaint:
        self.store.append_complaint_action(action)
        complaint = self.book.apply(action)
        self.socketio.emit("complaint", self.to_json(complaint), to=ROOM)
        return complaint

    def _tell(self, say: Callable[[], None], complaint: Complaint) -> None:
        # The complaint is stored and applied: a failing outbox must not undo its answer.
        try:
            say()
        except Exception:
            log.exception("complaint %s: its text to the complainant was not queued",
                          complaint.reference)

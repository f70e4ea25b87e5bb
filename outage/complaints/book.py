"""The complaints register: each complaint from receipt to resolution, a fold over the
desk's actions (filed, acknowledged, routed, noted, resolved, reopened, escalated).

The handbook's targets are set when a complaint is filed and kept with it: taken up by
someone within an hour (`ACKNOWLEDGE_WITHIN`), resolved within five working days
(`RESOLVE_WORKING_DAYS`, on `WorkingDays`). A reopened complaint keeps its first
deadline: what was promised does not move. A complaint past either target is escalated
once for it (`due_escalations`: to its department's supervisor), and it says so.

Every action is checked (`ComplaintBook.check`) before it is stored and applied, so a
stored action always applies; the register after a restart is the fold of the stored
actions, in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from outage.complaints.classify import CATEGORIES, DEPARTMENTS, classify
from outage.complaints.errors import (
    ComplaintError,
    ComplaintNotFoundError,
    ComplaintStateError,
)
from outage.complaints.working_days import WorkingDays

ACKNOWLEDGE_WITHIN = timedelta(hours=1)
RESOLVE_WORKING_DAYS = 5
# How a complaint reached us: the handbook's channels, and writing.
CHANNELS = ("phone", "web", "app", "sms", "email", "hall", "letter")
CONTACT_CHANNELS = ("sms", "email")  # how we can answer in writing
KINDS = ("file", "acknowledge", "route", "note", "resolve", "reopen", "escalate")
# The targets a complaint can miss, and how missing each is said.
MISSED = {"acknowledge": "not taken up within the hour",
          "answer": "not answered within five working days"}
BREACHES = tuple(MISSED)
MAX_TEXT = 2000


class Status(StrEnum):
    RECEIVED = "received"  # nobody has taken it up yet
    ACKNOWLEDGED = "acknowledged"  # someone in its department has
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Step:
    """One action in a complaint's history."""

    at: datetime
    by: str
    kind: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Complaint:
    reference: str
    received: datetime
    channel: str
    text: str
    category: str
    department: str
    classified_by: str  # customer | rules | desk
    matched: tuple[str, ...]  # the words the rules went by
    acknowledge_by: datetime
    resolve_by: datetime
    customer_id: str | None = None
    contact: tuple[str, str] | None = None  # (sms | email, number or address)
    acknowledged: datetime | None = None
    owner: str | None = None  # who took it up
    resolved: datetime | None = None
    resolution: str | None = None
    escalated: tuple[str, ...] = ()  # the targets it missed and was escalated for
    history: tuple[Step, ...] = field(default=())

    @property
    def status(self) -> Status:
        if self.resolved is not None:
            return Status.RESOLVED
        return Status.ACKNOWLEDGED if self.acknowledged is not None else Status.RECEIVED

    def missed(self, now: datetime) -> list[str]:
        """The targets this complaint, open, has missed by `now` (`BREACHES`)."""
        if self.resolved is not None:
            return []
        late = {"acknowledge": self.acknowledged is None and now > self.acknowledge_by,
                "answer": now > self.resolve_by}
        return [b for b in BREACHES if late[b]]

    def to_customer_json(self, calendar: WorkingDays) -> dict[str, Any]:
        """What the status page may show of it to whoever looks the account up: where it
        stands, who has it, the day of the answer; not its words, the desk's notes or the
        answer (those go to the complainant's own contact)."""
        return {"reference": self.reference, "status": str(self.status),
                "received": self.received.isoformat(), "category": self.category,
                "department": self.department,
                # The last working day itself, in the utility's zone (a reader elsewhere
                # would name the day the deadline's midnight falls on there).
                "resolve_by_day": calendar.last_day(self.resolve_by).isoformat(),
                "resolved": _iso(self.resolved)}

    def to_json(self, calendar: WorkingDays, now: datetime) -> dict[str, Any]:
        """For the desk: everything (what the customer sees, and the rest), with the
        clocks as of `now`."""
        open_ = self.resolved is None
        return {
            **self.to_customer_json(calendar),
            "channel": self.channel, "customer_id": self.customer_id, "text": self.text,
            "classified_by": self.classified_by, "matched": list(self.matched),
            "contact": {"channel": self.contact[0], "address": self.contact[1]}
            if self.contact else None,
            "acknowledge_by": self.acknowledge_by.isoformat(),
            "resolve_by": self.resolve_by.isoformat(),
            "acknowledged": _iso(self.acknowledged), "owner": self.owner,
            "resolution": self.resolution, "escalated": list(self.escalated),
            "acknowledge_overdue": self.acknowledged is None and open_
            and now > self.acknowledge_by,
            "resolve_overdue": open_ and now > self.resolve_by,
            "working_days_left": calendar.left(now, self.resolve_by) if open_ else None,
            "history": [{"at": s.at.isoformat(), "by": s.by, "kind": s.kind, "note": s.note}
                        for s in self.history],
        }


@dataclass(frozen=True, slots=True)
class ComplaintAction:
    """One thing done to a complaint, as stored: `fields` holds what the kind needs
    (a filing's text, category, deadlines …; a note's note; a resolution's text)."""

    kind: str
    reference: str
    at: datetime
    by: str
    fields: Mapping[str, Any] = field(default_factory=dict)


class ComplaintBook:
    """Every complaint, by reference; changed only by checked actions."""

    def __init__(self, calendar: WorkingDays,
                 routes: Mapping[str, str] | None = None) -> None:
        self.calendar = calendar
        self.routes = dict(DEPARTMENTS if routes is None else routes)
        missing = [c for c in CATEGORIES if c not in self.routes]
        if missing:
            raise ComplaintError("routes", f"no department for {', '.join(missing)}")
        self.departments = sorted(set(self.routes.values()))
        self._complaints: dict[str, Complaint] = {}
        self._by_customer: dict[str, list[str]] = {}
        # Open complaints in the order they came: what the clock's escalation looks at
        # (the register keeps every complaint ever filed).
        self._open: dict[str, None] = {}

    # -- reading -------------------------------------------------------------------------
    def get(self, reference: str) -> Complaint:
        try:
            return self._complaints[reference]
        except KeyError:
            raise ComplaintNotFoundError(reference) from None

    def all(self) -> list[Complaint]:
        """Oldest first."""
        return list(self._complaints.values())

    def of_customer(self, customer_id: str) -> list[Complaint]:
        """A customer's complaints, newest first."""
        return [self._complaints[r] for r in reversed(self._by_customer.get(customer_id, []))]

    def due_escalations(self, now: datetime) -> list[tuple[str, str]]:
        """(reference, target) of each open complaint past a target by `now` and not yet
        escalated for it, oldest first."""
        open_ = sorted(self._open, key=lambda r: self._complaints[r].received)
        return [(r, breach) for r in open_ for breach in self._complaints[r].missed(now)
                if breach not in self._complaints[r].escalated]

    # -- writing -------------------------------------------------------------------------
    def filing(self, at: datetime, by: str, text: str, channel: str, *,
               category: str | None = None, customer_id: str | None = None,
               contact: tuple[str, str] | None = None) -> ComplaintAction:
        """A new complaint's first action, checked: its reference, its class (as said,
        or by the rules), its department and its deadlines."""
        text = _text("text", text)
        _one_of("channel", channel, CHANNELS)
        if category is not None:
            _one_of("category", category, CATEGORIES)
        if contact is not None and (contact[0] not in CONTACT_CHANNELS or not contact[1].strip()):
            raise ComplaintError("contact", "give a channel (sms or email) and a number "
                                            "or address")
        found = classify(text)
        fields: dict[str, Any] = {
            "text": text, "channel": channel, "customer_id": customer_id,
            "contact": list(contact) if contact else None,
            "category": category or found.category,
            "classified_by": "customer" if category else "rules",
            "matched": [] if category else list(found.matched),
            "acknowledge_by": (at + ACKNOWLEDGE_WITHIN).isoformat(),
            "resolve_by": self.calendar.due(at, RESOLVE_WORKING_DAYS).isoformat(),
        }
        fields["department"] = self.routes[fields["category"]]
        return ComplaintAction("file", f"C-{len(self._complaints) + 1:06d}", at, by, fields)

    def action(self, kind: str, reference: str, at: datetime, by: str,
               **fields: Any) -> ComplaintAction:
        """A desk's action on a complaint, checked; a routing names the department it
        routes to, as it is now (a later change of the departments moves nothing)."""
        action = ComplaintAction(kind, reference, at, by, fields)
        self.check(action)
        if kind == "route":
            category = fields.get("category") or self.get(reference).category
            department = fields.get("department") or self.routes[category]
            action = replace(action, fields={**fields, "category": category,
                                             "department": department})
        return action

    def check(self, action: ComplaintAction) -> None:
        """Raise `ComplaintError` (naming the field) or `ComplaintNotFoundError` unless
        the action applies to the register as it is."""
        _one_of("kind", action.kind, KINDS)
        if action.kind == "file":
            if action.reference in self._complaints:
                raise ComplaintError("reference", f"{action.reference} is filed already")
            return
        complaint = self.get(action.reference)
        if action.at < complaint.received:
            raise ComplaintError("at", f"before {action.reference} was received")
        f = action.fields
        status = complaint.status
        if action.kind == "acknowledge" and status is not Status.RECEIVED:
            raise ComplaintStateError(f"{action.reference} was taken up already by "
                                      f"{complaint.owner} ({status})")
        if action.kind == "route":
            self._check_route(f)
        if action.kind == "note":
            _text("note", f.get("note"))
        if action.kind == "resolve":
            if status is Status.RESOLVED:
                raise ComplaintStateError(f"{action.reference} is resolved already")
            _text("resolution", f.get("resolution"))
        if action.kind == "reopen":
            if status is not Status.RESOLVED:
                raise ComplaintStateError(f"{action.reference} is not resolved")
            _text("note", f.get("note"))
        if action.kind == "escalate":
            _check_escalation(complaint, action)

    def apply(self, action: ComplaintAction, *, stored: bool = False) -> Complaint:
        """Check the action and apply it; the complaint as it now is. An action `stored`
        was checked when it came (against the departments of the time): folded again
        after a restart, it applies as it did."""
        if not stored:
            self.check(action)
        f = action.fields
        if action.kind == "file":
            complaint = _filed(action)
            if complaint.customer_id is not None:
                self._by_customer.setdefault(complaint.customer_id, []).append(
                    complaint.reference)
        else:
            complaint = self._changed(self._complaints[action.reference], action)
        note = str(f.get("note") or f.get("resolution") or "")
        if action.kind == "route":
            note = f"{complaint.category} → {complaint.department}" + (f": {note}" if note else "")
        if action.kind == "escalate":
            note = escalation_note(complaint, str(f["breach"]))
        step = Step(action.at, action.by, action.kind, note)
        complaint = replace(complaint, history=(*complaint.history, step))
        self._complaints[action.reference] = complaint
        if complaint.resolved is None:
            self._open[action.reference] = None
        else:
            self._open.pop(action.reference, None)
        return complaint

    def _check_route(self, f: Mapping[str, Any]) -> None:
        category, department = f.get("category"), f.get("department")
        if category is None and department is None:
            raise ComplaintError("category", "give a category or a department to route to")
        if category is not None:
            _one_of("category", category, CATEGORIES)
        if department is not None:
            _one_of("department", department, self.departments)

    def _changed(self, c: Complaint, action: ComplaintAction) -> Complaint:
        f, at, by = action.fields, action.at, action.by
        if action.kind == "acknowledge":
            return replace(c, acknowledged=at, owner=by)
        if action.kind == "route":
            return replace(c, category=f["category"], department=f["department"],
                           classified_by="desk")
        if action.kind == "resolve":
            # Resolved at first contact: taken up then, too.
            return replace(c, resolved=at, resolution=str(f["resolution"]).strip(),
                           acknowledged=c.acknowledged or at, owner=c.owner or by)
        if action.kind == "reopen":
            return replace(c, resolved=None, resolution=None)
        if action.kind == "escalate":
            return replace(c, escalated=(*c.escalated, str(f["breach"])))
        return c  # a note changes only the history


def _check_escalation(complaint: Complaint, action: ComplaintAction) -> None:
    breach = action.fields.get("breach")
    _one_of("breach", breach, BREACHES)
    if breach in complaint.escalated:
        raise ComplaintStateError(f"{action.reference} was escalated for it already")
    if breach not in complaint.missed(action.at):
        raise ComplaintStateError(f"{action.reference} has not missed its {breach} target")


def escalation_note(complaint: Complaint, breach: str) -> str:
    """What an escalation says: which target was missed, to whose supervisor it went."""
    return f"{MISSED[breach]}: escalated to the {complaint.department} supervisor"


def _filed(action: ComplaintAction) -> Complaint:
    f = action.fields
    contact = f.get("contact")
    return Complaint(
        reference=action.reference, received=action.at, channel=f["channel"], text=f["text"],
        category=f["category"], department=f["department"],
        classified_by=f["classified_by"], matched=tuple(f.get("matched") or ()),
        acknowledge_by=datetime.fromisoformat(f["acknowledge_by"]),
        resolve_by=datetime.fromisoformat(f["resolve_by"]),
        customer_id=f.get("customer_id"),
        contact=(str(contact[0]), str(contact[1])) if contact else None)


def _one_of(name: str, value: object, choices: Sequence[str]) -> None:
    if value not in choices:
        raise ComplaintError(name, f"must be one of {', '.join(choices)}")


def _text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ComplaintError(name, "must be some text")
    if len(value) > MAX_TEXT:
        raise ComplaintError(name, f"must be at most {MAX_TEXT} characters")
    return value.strip()


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def fold(book: ComplaintBook, actions: Iterable[ComplaintAction]) -> ComplaintBook:
    """Apply stored actions in order (the register after a restart)."""
    for action in actions:
        book.apply(action, stored=True)
    return book

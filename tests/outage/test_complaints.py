"""The complaints register: classes and departments, the working-day clock, the
lifecycle and its checks, the targets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outage.complaints import (
    DEPARTMENTS,
    ComplaintBook,
    ComplaintError,
    ComplaintNotFoundError,
    ComplaintStateError,
    Status,
    WorkingDays,
    classify,
    fold,
    parse_holidays,
    summarise,
)

ZONE = ZoneInfo("America/Los_Angeles")
CALENDAR = WorkingDays(ZONE, parse_holidays("2026-12-25,2027-01-01"))
# Wednesday 2 December 2026, 09:00 local
WED = datetime(2026, 12, 2, 9, 0, tzinfo=ZONE)


def _book() -> ComplaintBook:
    return ComplaintBook(CALENDAR)


def _file(book: ComplaintBook, text: str = "My bill doubled this month", at: datetime = WED,
          **kw: object) -> str:
    action = book.filing(at, "web", text, kw.pop("channel", "web"), **kw)  # type: ignore[arg-type]
    return book.apply(action).reference


@pytest.mark.parametrize(("text", "category"), [
    ("My bill doubled and nobody explains the new tariff", "price"),
    ("The lights flicker every evening and a surge damaged my fridge", "quality"),
    ("Your agent was rude and I waited on hold for an hour", "service"),
    ("Your disconnection policy for late payers is unfair and unlawful", "policy"),
    ("I would like to thank the team", "other"),
    ("I feel the crew was slow", "service"),  # "feel" is no fee
    ("Power has gone out five times this week", "quality"),
    ("I called three times and nobody called me back", "service"),
    ("Nobody informed us about the planned outage", "service"),
    ("The streetlight outside my house is broken", "other"),
    ("The crew was rude about my overcharged bill", "price"),  # a tie: the bill decides
])
def test_classify_reads_what_customers_write(text: str, category: str) -> None:
    """Each class is found from everyday wording; none of its words is "other"."""
    assert classify(text).category == category


def test_filing_routes_by_class_and_keeps_the_words() -> None:
    """A complaint the customer did not class is classed by its words, routed to that
    class's department, and keeps the words that decided."""
    book = _book()
    c = book.get(_file(book, "Voltage spikes burnt out two appliances"))
    assert (c.category, c.department, c.classified_by) == ("quality", "Power Quality", "rules")
    assert set(c.matched) == {"voltage", "spikes", "burnt", "appliances"}
    said = book.get(_file(book, "Voltage spikes again", category="policy"))
    assert (said.category, said.department, said.classified_by) == (
        "policy", "Regulatory Affairs", "customer")


def test_deadlines_are_an_hour_and_five_working_days() -> None:
    """Filed on a Wednesday morning: taken up by 10:00, resolved by the end of the next
    Wednesday; filed on Christmas Eve, the holiday and the weekend do not count."""
    book = _book()
    c = book.get(_file(book))
    assert c.acknowledge_by == WED + timedelta(hours=1)
    assert c.resolve_by == datetime(2026, 12, 10, 0, 0, tzinfo=ZONE)
    eve = book.get(_file(book, at=datetime(2026, 12, 24, 16, 0, tzinfo=ZONE)))
    # Working days after Thu 24 Dec: Mon 28, Tue 29, Wed 30, Thu 31, (Fri 1 Jan off), Mon 4
    assert eve.resolve_by == datetime(2027, 1, 5, 0, 0, tzinfo=ZONE)


def test_lifecycle_and_its_history() -> None:
    """Taken up, re-routed, noted, resolved, reopened: each step is kept with who and
    when; a reopened complaint keeps its first deadline."""
    book = _book()
    ref = _file(book, "Something is wrong")
    first = book.get(ref)
    assert first.category == "other" and first.status is Status.RECEIVED
    t = WED + timedelta(minutes=20)
    book.apply(book.action("acknowledge", ref, t, "agent1"))
    book.apply(book.action("route", ref, t, "agent1", category="price", note="it is the bill"))
    book.apply(book.action("note", ref, t, "agent1", note="called the customer back"))
    c = book.apply(book.action("resolve", ref, t + timedelta(days=1), "agent1",
                               resolution="Meter re-read; bill corrected"))
    assert (c.status, c.owner, c.department, c.classified_by) == (
        Status.RESOLVED, "agent1", "Billing", "desk")
    c = book.apply(book.action("reopen", ref, t + timedelta(days=2), "agent2",
                               note="customer says still wrong"))
    assert c.status is Status.ACKNOWLEDGED and c.resolve_by == first.resolve_by
    assert [s.kind for s in c.history] == ["file", "acknowledge", "route", "note", "resolve",
                                           "reopen"]
    assert c.history[2].note == "price → Billing: it is the bill"


@pytest.mark.parametrize(("kind", "fields", "field"), [
    ("resolve", {}, "resolution"),
    ("resolve", {"resolution": "   "}, "resolution"),
    ("note", {}, "note"),
    ("route", {}, "category"),
    ("route", {"category": "weather"}, "category"),
    ("route", {"department": "Marketing"}, "department"),
    ("reopen", {"note": "again"}, "status"),
    ("dismiss", {}, "kind"),
    ("escalate", {}, "breach"),
    ("escalate", {"breach": "mood"}, "breach"),
])
def test_bad_actions_name_the_field(kind: str, fields: dict[str, object], field: str) -> None:
    """An action that cannot apply is refused, naming the field, and changes nothing."""
    book = _book()
    ref = _file(book)
    before = book.get(ref)
    with pytest.raises(ComplaintError) as error:
        book.action(kind, ref, WED, "agent1", **fields)
    assert error.value.field == field
    assert book.get(ref) == before


def test_other_refusals() -> None:
    """Unknown complaints, twice taken up, a bad channel or contact, an empty text."""
    book = _book()
    ref = _file(book)
    with pytest.raises(ComplaintNotFoundError, match="C-999999"):
        book.action("note", "C-999999", WED, "x", note="hi")
    book.apply(book.action("acknowledge", ref, WED, "agent1"))
    with pytest.raises(ComplaintError, match="taken up already by agent1"):
        book.action("acknowledge", ref, WED, "agent2")
    with pytest.raises(ComplaintError, match="channel"):
        book.filing(WED, "x", "text", "pigeon")
    with pytest.raises(ComplaintError, match="contact"):
        book.filing(WED, "x", "text", "web", contact=("fax", "123"))
    with pytest.raises(ComplaintError, match="text"):
        book.filing(WED, "x", "  ", "web")
    with pytest.raises(ComplaintError, match="at"):
        book.action("note", ref, WED - timedelta(hours=1), "x", note="before it came")


def test_resolving_at_first_contact_takes_it_up() -> None:
    """Resolved on the phone: taken up at the same moment, by the same person."""
    book = _book()
    ref = _file(book)
    c = book.apply(book.action("resolve", ref, WED + timedelta(minutes=5), "agent1",
                               resolution="explained the tariff"))
    assert c.acknowledged == WED + timedelta(minutes=5) and c.owner == "agent1"


def test_fold_of_the_actions_is_the_register() -> None:
    """The register rebuilt from its stored actions equals the one they built."""
    book = _book()
    actions = []
    for text in ("bill too high", "flicker", "rude agent"):
        action = book.filing(WED, "web", text, "web")
        book.apply(action)
        actions.append(action)
    for kind, fields in (("acknowledge", {}), ("resolve", {"resolution": "done"})):
        action = book.action(kind, "C-000002", WED + timedelta(minutes=30), "a", **fields)
        book.apply(action)
        actions.append(action)
    assert fold(_book(), actions).all() == book.all()


def test_summary_counts_only_clocks_that_have_run() -> None:
    """In time and late, against the hour and the five days; open ones waiting."""
    book = _book()
    on_time, late, waiting, fresh = (_file(book, at=WED + timedelta(minutes=m))
                                     for m in (0, 1, 2, 200))
    book.apply(book.action("acknowledge", on_time, WED + timedelta(minutes=30), "a"))
    book.apply(book.action("acknowledge", late, WED + timedelta(minutes=90), "a"))
    book.apply(book.action("resolve", on_time, WED + timedelta(days=1), "a", resolution="ok"))
    now = WED + timedelta(hours=3, minutes=30)  # `fresh` filed 10 minutes ago
    s = summarise(book.all(), now, WED - timedelta(days=30))
    assert s.received == 4 and s.open == 3
    assert (s.acknowledged_in_time, s.acknowledge_decided) == (1, 3)
    assert (s.resolved_in_time, s.resolve_decided) == (1, 1)
    assert s.awaiting_acknowledgement == (waiting,) and s.overdue == ()
    later = summarise(book.all(), datetime(2026, 12, 11, tzinfo=UTC), WED - timedelta(days=30))
    assert set(later.overdue) == {late, waiting, fresh}
    assert later.to_json()["resolved_in_time"] == 0.25
    assert later.open_by_department == {"Billing": 3}


def test_working_days_refuse_a_week_of_weekend() -> None:
    with pytest.raises(ComplaintError, match="weekend"):
        WorkingDays(ZONE, weekend=frozenset(range(7)))
    with pytest.raises(ComplaintError, match="'2026-13-01'"):
        parse_holidays("2026-12-25, 2026-13-01")


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1),
                    timezones=st.just(UTC)),
       st.integers(min_value=1, max_value=15),
       st.sets(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 3, 1)), max_size=40))
def test_due_is_the_end_of_the_nth_working_day(received: datetime, days: int,
                                               holidays: set[date]) -> None:
    """The deadline is a local midnight ending a working day; between the day of receipt
    and it lie exactly `days` working days; a later receipt is never due sooner; on the
    day of receipt, that many working days are left."""
    calendar = WorkingDays(ZONE, frozenset(holidays))
    due = calendar.due(received, days)
    local = due.astimezone(ZONE)
    assert (local.hour, local.minute) == (0, 0)
    last = (local - timedelta(hours=12)).date()
    assert calendar.is_working(last)
    first = received.astimezone(ZONE).date()
    assert sum(calendar.is_working(first + timedelta(days=k))
               for k in range(1, (last - first).days + 1)) == days
    assert calendar.due(received + timedelta(hours=5), days) >= due
    assert calendar.left(received, due) == days
    assert calendar.left(due + timedelta(days=10), due) <= 0


def test_a_restart_with_other_departments_keeps_the_register() -> None:
    """Departments renamed after complaints were routed: the register folds as it was
    (a routing keeps the department it named), and new routings use the new names."""
    book = _book()
    actions = [book.filing(WED, "web", text, "web") for text in ("rude agent",)]
    book.apply(actions[0])
    actions.append(book.filing(WED, "web", "My bill doubled this month", "web"))
    book.apply(actions[1])
    actions.append(book.action("route", "C-000001", WED, "a", category="quality"))
    assert actions[2].fields["department"] == "Power Quality"
    book.apply(actions[2])
    renamed = {**DEPARTMENTS, "quality": "Grid Engineering", "price": "Accounts"}
    again = fold(ComplaintBook(CALENDAR, renamed), actions)
    assert again.get("C-000001").department == "Power Quality"
    assert again.get("C-000002").department == "Billing"
    moved = again.apply(again.action("route", "C-000002", WED, "a", category="price"))
    assert moved.department == "Accounts"


def test_a_complaint_past_a_target_is_escalated_once_for_it() -> None:
    """Nobody takes it up within the hour: it is due for escalation then, not before, and
    once; taken up later it is still not answered in five working days: due again, for
    that. Each escalation is in its history (to whose supervisor), and a restart (the fold
    of the stored actions) keeps them, so nobody is told twice."""
    book = _book()
    filing = book.filing(WED, "web", "My bill doubled this month", "web")
    ref = book.apply(filing).reference
    stored = [filing]
    assert book.due_escalations(WED + timedelta(minutes=59)) == []
    early = book.action  # an escalation before the target is missed is refused
    with pytest.raises(ComplaintStateError, match="has not missed its acknowledge target"):
        early("escalate", ref, WED + timedelta(minutes=30), "system", breach="acknowledge")
    late = WED + timedelta(minutes=61)
    assert book.due_escalations(late) == [(ref, "acknowledge")]
    stored.append(book.action("escalate", ref, late, "system", breach="acknowledge"))
    complaint = book.apply(stored[-1])
    assert complaint.escalated == ("acknowledge",) and book.due_escalations(late) == []
    assert complaint.history[-1].note == ("not taken up within the hour: escalated to the "
                                          "Billing supervisor")
    with pytest.raises(ComplaintStateError, match="escalated for it already"):
        book.action("escalate", ref, late, "system", breach="acknowledge")
    book.apply(book.action("acknowledge", ref, WED + timedelta(hours=3), "desk"))
    after = complaint.resolve_by + timedelta(minutes=1)
    assert book.due_escalations(after) == [(ref, "answer")]
    stored.append(book.action("escalate", ref, after, "system", breach="answer"))
    book.apply(stored[-1])
    again = fold(_book(), stored)
    assert again.get(ref).escalated == ("acknowledge", "answer")
    assert again.due_escalations(after + timedelta(days=3)) == []
    book.apply(book.action("resolve", ref, after, "desk", resolution="Refunded."))
    assert book.due_escalations(after + timedelta(days=30)) == []

"""Events the outage engine accepts, and their validation (DESIGN.md §4).

Every input — a customer's call, a smart meter's last gasp or power-restore, a
device operation from SCADA or a crew, a crew's status, a dispatcher's action — is
an `Event`. `parse_event` turns one JSON object into one, or raises `EventError`
saying which field is wrong and why. Times must carry a zone.

Labels are read without regard to case, surrounding spaces, or ``-`` and spaces for
``_`` (``"IVR"``, ``"Wire-Down"``, ``"OFF"``). A report is never lost over a label:
a call on a channel this version does not know is a call on channel ``other``, an
unknown hazard is hazard ``other`` (a hazard still raises priority), and a device
operation from an unknown source counts as a crew's; each keeps the label it arrived
with (in the log too) and comes with a note saying what was assumed.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from gis import json_input
from gis.json_input import JsonInputError
from outage.compressed import open_binary
from outage.errors import EventError


class Channel(StrEnum):
    IVR = "ivr"
    AGENT = "agent"
    WEB = "web"
    APP = "app"
    SMS = "sms"
    HALL = "hall"  # walk-in at a service hall
    OTHER = "other"  # a channel this version does not know (its label is kept)


class Hazard(StrEnum):
    WIRE_DOWN = "wire_down"
    FIRE = "fire"
    TREE = "tree"
    OTHER = "other"


class CrewStatus(StrEnum):
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    RESTORED = "restored"
    NEED_HELP = "need_help"


class Action(StrEnum):
    CONFIRM = "confirm"
    CANCEL = "cancel"
    MERGE = "merge"
    SPLIT = "split"
    SET_ETR = "set_etr"
    RELEASE_ETR = "release_etr"  # a person's ETR withdrawn: the estimate's again
    SET_CAUSE = "set_cause"
    # The trouble desk checked reports no outage explains (a callback, a visit): no
    # outage there. Names customers, not an outage.
    CLEAR_REPORTS = "clear_reports"


@dataclass(frozen=True, slots=True)
class Location:
    """WGS 84 lon/lat, or x/y in the network's own coordinates."""

    lon: float | None = None
    lat: float | None = None
    x: float | None = None
    y: float | None = None

    def as_mapping(self) -> dict[str, float]:
        if self.lon is not None and self.lat is not None:
            return {"lon": self.lon, "lat": self.lat}
        assert self.x is not None and self.y is not None
        return {"x": self.x, "y": self.y}


@dataclass(frozen=True, slots=True)
class Call:
    time: datetime
    channel: Channel
    customer_id: str | None = None
    location: Location | None = None
    hazard: Hazard | None = None
    text: str = ""
    # The labels as they arrived when they were not ours (channel / hazard "other").
    channel_label: str = ""
    hazard_label: str = ""
    type: str = field(default="call", init=False)


@dataclass(frozen=True, slots=True)
class MeterReading:
    """AMI last gasp (``on=False``) or power restore / ping answer (``on=True``)."""

    time: datetime
    customer_id: str
    on: bool
    ping: bool = False
    type: str = field(default="meter", init=False)


@dataclass(frozen=True, slots=True)
class DeviceOperation:
    time: datetime
    device_id: str
    open: bool
    source: str  # scada | crew
    source_label: str = ""  # the source as it arrived when it was neither (taken as crew)
    type: str = field(default="device", init=False)


@dataclass(frozen=True, slots=True)
class CrewUpdate:
    """A crew's status on an outage (assigned, en route, on site, restored, need help)."""

    time: datetime
    outage_id: str
    status: CrewStatus
    crew_id: str = ""
    cause: str = ""
    type: str = field(default="crew", init=False)


@dataclass(frozen=True, slots=True)
class DispatcherAction:
    """Confirm, cancel, merge (into `target`), split (off `customer_ids`), ETR or cause;
    or clear the open reports of `customer_ids` (no `outage_id`)."""

    time: datetime
    action: Action
    outage_id: str
    target: str = ""
    customer_ids: tuple[str, ...] = ()
    etr: datetime | None = None
    cause: str = ""
    # Who set an ETR: a dispatcher, the crew at the job, or the dispatch plan (which a
    # person's estimate overrides).
    by: str = "dispatcher"
    type: str = field(default="dispatcher", init=False)


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """A customer's answer to an outbound callback (after a restoration near them):
    the power is on (``on=True``), or still off."""

    time: datetime
    customer_id: str
    on: bool
    type: str = field(default="callback", init=False)


QUIET_TICK = timedelta(minutes=1)  # a live service logs a tick after this long without events


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passes with nothing else to say: what is due by then happens (a restored
    area's silent meters are weighed, a meter's "on" goes stale). The live service
    logs one when a minute has gone by without events, so a replay sees the same."""

    time: datetime
    type: str = field(default="tick", init=False)


Event = (Call | MeterReading | CallbackAnswer | DeviceOperation | CrewUpdate | DispatcherAction
         | Tick)


def parse_time(value: Any, name: str = "time") -> datetime:
    """An ISO 8601 time with a zone; anything else is an `EventError`."""
    if not isinstance(value, str):
        raise EventError(f"{name} must be an ISO 8601 string with a zone, not {value!r}")
    try:
        # Python 3.11 reads "Z" as UTC; RFC 3339 allows "t" and "z" in lower case too.
        parsed = datetime.fromisoformat(value.upper())
    except ValueError:
        raise EventError(f"{name} {value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise EventError(f"{name} {value!r} has no time zone (add Z or +hh:mm)")
    return parsed


def _element_id(data: Mapping[str, Any], name: str, notes: list[str], *,
                required: bool = True) -> str | None:
    """An element's id: a string, or a JSON integer (systems that number their
    customers or devices write ``"customer_id": 1017``), taken as its digits."""
    value = data.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        notes.append(f"{name} {value} is a number: taken as {str(value)!r}")
        return str(value)
    return _text(data, name, required=required)


def _text(data: Mapping[str, Any], name: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise EventError(f"{name} must be a non-empty string, not {value!r}")
    return value


def _label(value: Any) -> str:
    """A label as compared: no case, no surrounding spaces, ``-`` and spaces as ``_``."""
    if not isinstance(value, str):
        return ""
    if value in _SPELT_RIGHT:  # nearly every label: skip the string work
        return value
    return "_".join(value.strip().lower().replace("-", " ").split())


def _choice(data: Mapping[str, Any], name: str, enum: type[StrEnum]) -> Any:
    value = data.get(name)
    try:
        return enum(_label(value))
    except ValueError:
        raise EventError(f"{name} must be one of {_allowed(enum)}, not {value!r}") from None


def _lenient(data: Mapping[str, Any], name: str, enum: type[StrEnum], other: StrEnum,
             notes: list[str]) -> tuple[Any, str]:
    """`_choice`, but an unknown non-empty label is `other` (noted) instead of an error;
    returns the member and the label to keep ("" when it was one of ours)."""
    try:
        return _choice(data, name, enum), ""
    except EventError:
        value = data.get(name)
        if not _label(value):
            raise EventError(f"{name} must be a non-empty string, not {value!r}") from None
        notes.append(f"{name} {value!r} is not one of {_allowed(enum)}: taken as {other}")
        return other, str(value)[:100]


def _allowed(enum: type[StrEnum]) -> str:
    return "|".join(str(m) for m in enum)


def _location(value: Any) -> Location | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise EventError(f"location must be an object with lon/lat or x/y, not {value!r}")
    for keys in (("lon", "lat"), ("x", "y")):
        if all(k in value for k in keys):
            numbers = [value[k] for k in keys]
            if not all(isinstance(n, int | float) and math.isfinite(n) for n in numbers):
                raise EventError(f"location {keys[0]}/{keys[1]} must be finite numbers")
            return Location(**{k: float(value[k]) for k in keys})
    raise EventError("location needs lon and lat, or x and y")


def _call(data: Mapping[str, Any], time: datetime, notes: list[str]) -> Call:
    customer = _element_id(data, "customer_id", notes, required=False)
    location = _location(data.get("location"))
    if customer is None and location is None:
        raise EventError("a call needs customer_id, location, or both")
    hazard, hazard_label = (_lenient(data, "hazard", Hazard, Hazard.OTHER, notes)
                            if data.get("hazard") is not None else (None, ""))
    text = data.get("text") or ""
    if not isinstance(text, str):
        raise EventError("text must be a string")
    channel, channel_label = (_lenient(data, "channel", Channel, Channel.OTHER, notes)
                              if "channel" in data else (Channel.AGENT, ""))
    return Call(time, channel, customer, location, hazard, text[:2000], channel_label,
                hazard_label)


def _meter(data: Mapping[str, Any], time: datetime, notes: list[str]) -> MeterReading:
    customer, on = _power_state(data, notes)
    return MeterReading(time, customer, on, bool(data.get("ping", False)))


def _callback(data: Mapping[str, Any], time: datetime, notes: list[str]) -> CallbackAnswer:
    customer, on = _power_state(data, notes)
    return CallbackAnswer(time, customer, on)


def _power_state(data: Mapping[str, Any], notes: list[str]) -> tuple[str, bool]:
    """The customer and whether their power is on (``state``: off or on)."""
    state = _label(data.get("state"))
    if state not in ("off", "on"):
        raise EventError(f"state must be off or on, not {data.get('state')!r}")
    customer = _element_id(data, "customer_id", notes)
    assert customer is not None
    return customer, state == "on"


def _device(data: Mapping[str, Any], time: datetime, notes: list[str]) -> DeviceOperation:
    state = _label(data.get("state"))
    if state not in ("open", "closed"):
        raise EventError(f"state must be open or closed, not {data.get('state')!r}")
    source, label = _label(data.get("source", "scada")), ""
    if source not in ("scada", "crew"):
        if not source:
            raise EventError(f"source must be scada or crew, not {data.get('source')!r}")
        # Someone saw it operate: keep the fact, with the weaker of the two assumptions
        # (a crew's close is trusted for hours; SCADA's for good).
        notes.append(f"source {data['source']!r} is not scada or crew: taken as crew")
        source, label = "crew", str(data["source"])[:100]
    device = _element_id(data, "device_id", notes)
    assert device is not None
    return DeviceOperation(time, device, state == "open", source, label)


def _crew(data: Mapping[str, Any], time: datetime, notes: list[str]) -> CrewUpdate:
    outage = _text(data, "outage_id")
    assert outage is not None
    return CrewUpdate(
        time, outage, _choice(data, "status", CrewStatus),
        str(data.get("crew_id") or ""), str(data.get("cause") or ""),
    )


def _dispatcher(data: Mapping[str, Any], time: datetime, notes: list[str]) -> DispatcherAction:
    action = _choice(data, "action", Action)
    outage = _text(data, "outage_id", required=action is not Action.CLEAR_REPORTS) or ""
    target = str(data.get("target") or "")
    if action is Action.MERGE and not target:
        raise EventError("merge needs target: the outage to merge into")
    customers = data.get("customer_ids") or []
    if not isinstance(customers, list) or not all(isinstance(c, str) for c in customers):
        raise EventError("customer_ids must be a list of strings")
    if action is Action.SPLIT and not customers:
        raise EventError("split needs customer_ids: the customers to split off")
    if action is Action.CLEAR_REPORTS and not customers:
        raise EventError("clear_reports needs customer_ids: the customers whose reports "
                         "were checked")
    etr = parse_time(data["etr"], "etr") if data.get("etr") else None
    if action is Action.SET_ETR and etr is None:
        raise EventError("set_etr needs etr")
    by = data.get("by", "dispatcher")
    if by not in ("dispatcher", "crew", "plan"):
        raise EventError(f"by must be dispatcher, crew or plan, not {by!r}")
    return DispatcherAction(
        time, action, outage, target, tuple(customers), etr, str(data.get("cause") or ""), by
    )


_SPELT_RIGHT = frozenset(
    [str(m) for enum in (Channel, Hazard, CrewStatus, Action) for m in enum]
    + ["call", "meter", "device", "crew", "dispatcher", "tick", "off", "on", "open", "closed",
       "scada"]
)
_PARSERS: dict[str, Callable[[Mapping[str, Any], datetime, list[str]], Event]] = {
    "call": _call,
    "meter": _meter,
    "callback": _callback,
    "device": _device,
    "crew": _crew,
    "dispatcher": _dispatcher,
    "tick": lambda data, time, notes: Tick(time),
}
KNOWN_TYPES = frozenset(_PARSERS)


class UnknownEventType(EventError):
    """A well-formed event of a type this version does not know (skipped with a warning)."""


def parse_event(data: Any, notes: list[str] | None = None) -> Event:
    """Validate one decoded JSON object and return its event; what had to be assumed
    (an unknown channel, hazard or source) is appended to `notes`."""
    if not isinstance(data, Mapping):
        raise EventError(f"an event must be a JSON object, not {type(data).__name__}")
    kind = data.get("type")
    parser = _PARSERS.get(_label(kind))
    time = parse_time(data.get("time"))
    if parser is None:
        raise UnknownEventType(f"unknown event type {kind!r}")
    return parser(data, time, [] if notes is None else notes)


def event_to_json(event: Event) -> dict[str, Any]:
    """The JSON form of an event (inverse of `parse_event`)."""
    out: dict[str, Any] = {"type": event.type, "time": event.time.isoformat()}
    if isinstance(event, Call):
        out["channel"] = event.channel_label or str(event.channel)  # as it arrived
        if event.customer_id:
            out["customer_id"] = event.customer_id
        if event.location:
            out["location"] = event.location.as_mapping()
        if event.hazard:
            out["hazard"] = event.hazard_label or str(event.hazard)
        if event.text:
            out["text"] = event.text
    elif isinstance(event, MeterReading | CallbackAnswer):
        out |= {"customer_id": event.customer_id, "state": "on" if event.on else "off"}
        if isinstance(event, MeterReading) and event.ping:
            out["ping"] = True
    elif isinstance(event, DeviceOperation):
        out |= {"device_id": event.device_id, "state": "open" if event.open else "closed",
                "source": event.source_label or event.source}
    elif isinstance(event, CrewUpdate):
        out |= {"outage_id": event.outage_id, "status": str(event.status),
                "crew_id": event.crew_id, "cause": event.cause}
    elif isinstance(event, Tick):
        pass  # its time says it all
    else:
        out |= {"action": str(event.action), "target": event.target,
                "customer_ids": list(event.customer_ids), "cause": event.cause, "by": event.by}
        if event.outage_id:  # clearing reports names customers, not an outage
            out["outage_id"] = event.outage_id
        if event.etr:
            out["etr"] = event.etr.isoformat()
    return out


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input line that was not accepted, and why."""

    line: int
    reason: str
    unknown_type: bool = False  # well-formed, of a type this version does not know


@dataclass(frozen=True, slots=True)
class Noted:
    """An input line accepted on an assumption (an unknown channel, hazard or source)."""

    line: int
    reason: str


def read_jsonl(path: Path) -> Iterator[tuple[int, Event | Rejected | Noted]]:
    """Events of a JSON Lines file (or a gzip of one) with their line numbers; bad lines
    come as `Rejected`, each event's notes (if any) right after it as `Noted`."""
    # utf-8-sig: a byte-order mark (as some Windows tools write) is not part of line 1.
    with io.TextIOWrapper(open_binary(path), encoding="utf-8-sig", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            notes: list[str] = []
            try:
                yield number, parse_event(json_input.loads(line), notes)
            except JsonInputError as error:
                yield number, Rejected(number, str(error))
            except EventError as error:
                yield number, Rejected(number, str(error), isinstance(error, UnknownEventType))
            for note in notes:
                yield number, Noted(number, note)

"""Errors of the outage engine; messages name the event field or record at fault."""

from __future__ import annotations


class EventError(ValueError):
    """An event that cannot be accepted (malformed, unknown id, bad time)."""


class OutageNotFoundError(LookupError):
    """An action names an outage the engine does not have."""

    def __init__(self, outage_id: str) -> None:
        super().__init__(f"unknown outage {outage_id!r}")
        self.outage_id = outage_id


class EventLogError(RuntimeError):
    """The event log cannot be written or read; nothing was acknowledged."""

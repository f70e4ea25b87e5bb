"""Errors raised by the reliability package; each names the record (CSV line) and field."""

from __future__ import annotations


class ReliabilityError(ValueError):
    """Input to a reliability computation is not acceptable."""


class RecordError(ReliabilityError):
    """One interruption record (or CSV row) is invalid.

    ``where`` names the record (``outages.csv line 12`` or ``record 3``), ``field`` the
    offending field, ``reason`` says what is wrong with it.
    """

    def __init__(self, reason: str, *, field: str | None = None, where: str | None = None) -> None:
        self.reason = reason
        self.field = field
        self.where = where
        super().__init__(_compose(reason, field, where))

    def at(self, where: str) -> RecordError:
        """Return the same error located at ``where`` (keeps the subclass)."""
        return type(self)(self.reason, field=self.field, where=where)


class OverlapError(RecordError):
    """Two records interrupt the same customer at the same time."""


class OutsidePeriodError(RecordError):
    """A record lies (partly) outside the reporting period; nothing is clipped."""


class UnknownFeederError(RecordError):
    """A record names a feeder that the territory does not serve."""


class FormatError(ReliabilityError):
    """A file is not in the expected format (header, columns, values)."""


class HistoryError(ReliabilityError):
    """Not enough daily SAIDI history to compute the Major Event Day threshold."""


def _compose(reason: str, field: str | None, where: str | None) -> str:
    parts = [p for p in (where, f"field {field!r}" if field else None) if p]
    return f"{', '.join(parts)}: {reason}" if parts else reason

"""Errors raised by the dispatch problem model, its readers and its solver."""

from __future__ import annotations


class DispatchError(ValueError):
    """A dispatch problem (file or model) is not acceptable; the message names record and field."""


class InstanceFormatError(DispatchError):
    """An instance file cannot be read as the format it claims to be."""


class InvalidRecordError(DispatchError):
    """One crew, job or customer record breaks a rule (negative time, empty shift, ...)."""

    def __init__(self, kind: str, record_id: str, message: str) -> None:
        super().__init__(f"{kind} {record_id!r}: {message}")
        self.kind = kind
        self.record_id = record_id

"""Errors raised by the network model, its importers and its queries."""

from __future__ import annotations


class NetworkError(ValueError):
    """A network (file or model) is not acceptable; the message names record and field."""


class NetworkFormatError(NetworkError):
    """A source file cannot be read as the format it claims to be."""


class UnknownElementError(LookupError):
    """An id that names no element of the network."""

    def __init__(self, kind: str, element_id: str) -> None:
        super().__init__(f"unknown {kind} {element_id!r}")
        self.kind = kind
        self.element_id = element_id


class NetworkImportWarning(UserWarning):
    """An import that went through on a reading the user should know of (a file the
    model names in another case than the disk's, say): the network is whole."""

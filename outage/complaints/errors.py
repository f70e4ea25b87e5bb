"""Errors of the complaints register; messages name the complaint and field at fault."""

from __future__ import annotations


class ComplaintError(ValueError):
    """A complaint or an action on one that cannot be accepted, naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class ComplaintStateError(ComplaintError):
    """An action its complaint's status does not allow (taken up twice, resolved twice,
    reopened while open)."""

    def __init__(self, message: str) -> None:
        super().__init__("status", message)


class ComplaintNotFoundError(LookupError):
    """An action names a complaint the register does not have."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"no complaint {reference!r}")
        self.reference = reference

"""Whether the restoration times customers were told were kept: of the outages restored
in a period, the share whose power came back by the last ETR they were told.

A control room's measure of its promises (what the status page and the texts said),
beside the response and reliability figures. Momentary interruptions are left out: they
were over before anyone was told anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from outage.records import Outage, Stage


@dataclass(frozen=True, slots=True)
class EtrsKept:
    """Outages restored since a time with an ETR told, and those restored by it."""

    restored: int
    kept: int

    @property
    def share_kept(self) -> float | None:
        return self.kept / self.restored if self.restored else None

    def to_json(self) -> dict[str, Any]:
        return {"restored": self.restored, "kept": self.kept, "share_kept": self.share_kept}


def etrs_kept(outages: Iterable[Outage], since: datetime) -> EtrsKept:
    """The outages restored from `since` on (sustained, with an ETR), and how many of
    them were restored by the last ETR they were told."""
    restored = kept = 0
    for outage in outages:
        if outage.stage is not Stage.RESTORED or outage.restored is None or \
                outage.restored < since or outage.etr is None or outage.momentary:
            continue
        restored += 1
        kept += outage.restored <= outage.etr
    return EtrsKept(restored, kept)

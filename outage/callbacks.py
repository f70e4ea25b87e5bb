"""Calling back the customers who reported, once the power should be back.

Where meters cannot be pinged (no AMI, or a head-end that does not answer), an OMS
asks people: after a restoration, an outbound IVR calls back the customers in the
restored area who had reported, "is your power on now?". A "no" is a report made
after the restoration — a nested outage the crew has not found yet; a "yes" is
evidence against one. The engine calls a `CustomerCallback` with the customers to
ask; their answers come back as ``callback`` events. Without one (``oms replay``),
nobody is called back and the engine waits for customers to call again.
"""

from __future__ import annotations

from typing import Protocol

MAX_CALLBACKS = 200  # per restoration: enough to find a nested outage, not a call storm


class CustomerCallback(Protocol):
    """Plug point to an outbound IVR."""

    def call_back(self, customer_ids: list[str]) -> None:
        """Ask these customers whether their power is on; answers arrive as events."""

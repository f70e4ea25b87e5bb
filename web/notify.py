"""Updates to subscribed customers: the texts, queued for the messaging gateway.

A customer who asked for updates on the status page gets a message when the supply at
their address changes as the status page would show it: an outage found (since when,
how many affected, its status and ETR), a crew assigned or on its way, a new ETR, the
power back — then a request to rate the service (the handbook's follow-up after
service) — or no outage found after all. Messages wait in the outbox (`WebStore.queue`)
until the gateway that sends SMS and e-mail (an intake system, `GET /api/outbox`) says
they are sent; contacts stay sealed there too (`web.privacy`).
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from outage.complaints import MISSED, Complaint
from web.store import Subscription, WebStore
from web.views_model import ETR_BY_WORDS

log = logging.getLogger(__name__)
FOLLOW_UP = ("How did we do? Reply with a number from 1 (poor) to 5 (very good), or "
             "with anything we should know.")
_RATING = re.compile(r"(?<![\d.])([1-5])(?![\d.]|/[0-9]{2})")


def rating_of(reply: str) -> int | None:
    """The rating a reply to the follow-up gives: its first number from 1 to 5 standing
    alone ("5", "4 - quick work", "I'd say 3"); None for none ("thanks", "10/10")."""
    match = _RATING.search(reply)
    return int(match.group(1)) if match else None


class Updates:
    """Writes a subscribed customer's updates and queues one per subscription."""

    def __init__(self, store: WebStore, utility: str, zone: ZoneInfo,
                 retention: timedelta = timedelta(days=90)) -> None:
        self.store = store
        self.utility = utility
        self.zone = zone
        self.retention = retention

    def forget(self, now: datetime) -> int:
        """Delete the texts (and their contacts) sent, or queued and never sent, more than
        `retention` before `now`; how many."""
        forgotten = self.store.forget_messages(now - self.retention)
        if forgotten:
            log.info("%d texts to customers older than %s deleted", forgotten, self.retention)
        return forgotten

    def statuses_changed(self, changes: list[tuple[str, dict[str, Any], bool]]) -> int:
        """Queue the update each new status deserves — (customer, status, whether the
        last one sent said the power was off or a report was being checked) — to each of
        the customer's subscriptions; how many were queued. One query and one
        transaction for the batch: a restoration may tell thousands at once."""
        texts = {customer_id: text for customer_id, status, was_out in changes
                 if (text := self.text(status, was_out=was_out)) is not None}
        if not texts:
            return 0
        messages = [(s, texts[s.customer_id]) for s in self.store.subscriptions(list(texts))]
        self.store.queue(messages)
        return len(messages)

    def welcome(self, subscription: Subscription, status: dict[str, Any]) -> None:
        """The first message: updates will follow, and the supply as it is now."""
        now = self._said(status) or "no outage is known at your address now."
        self.store.queue([(subscription, f"{self.utility}: you will get updates on the power "
                                         f"supply at your address. {now[0].upper()}{now[1:]}")])

    def text(self, status: dict[str, Any], *, was_out: bool = False) -> str | None:
        """What to tell a customer of this status (`web.views_model.customer_status`),
        signed; None when there is nothing to say (power on, and nothing was out)."""
        said = self._said(status, was_out=was_out)
        return None if said is None else f"{self.utility}: {said}"

    def complaint_filed(self, complaint: Complaint, last_day: date) -> None:
        """Tell a complainant who left a contact that we have it, who takes it, and the
        last day of its answer."""
        self._tell(complaint, f"we have your complaint, reference {complaint.reference} "
                              f"({complaint.category}, for our {complaint.department} team). "
                              "Someone will take it up within the hour, and you will have "
                              f"our answer by {last_day:%A} {last_day.day} {last_day:%B}.")

    def complaint_resolved(self, complaint: Complaint) -> None:
        """The answer, and the handbook's follow-up: how satisfied they are (1-5)."""
        self._tell(complaint, f"your complaint {complaint.reference} is resolved: "
                              f"{complaint.resolution} {FOLLOW_UP}")

    def complaint_escalated(self, complaint: Complaint, breach: str,
                            contacts: list[tuple[str, str]]) -> None:
        """Tell a department's supervisors of a complaint past its target (`breach`)."""
        text = (f"{self.utility}: complaint {complaint.reference} ({complaint.category}, "
                f"{complaint.channel}, received {self._time(complaint.received.isoformat())}) "
                f"was {MISSED[breach]}. {complaint.text[:160]}")
        self.store.queue([(Subscription(0, "", channel, address), text)
                          for channel, address in contacts])

    def _tell(self, complaint: Complaint, text: str) -> None:
        if complaint.contact is not None:
            channel, address = complaint.contact
            to = Subscription(0, complaint.customer_id or "", channel, address)
            self.store.queue([(to, f"{self.utility}: {text}")])

    def _said(self, status: dict[str, Any], *, was_out: bool = False) -> str | None:
        outage = status.get("outage")
        if status["power"] == "off" and outage:
            parts = [f"power outage at your address since {self._time(outage['since'])} "
                     f"(reference {outage['reference']}, {outage['customers_affected']:,} "
                     "customers affected).", f"{outage['status']}."]
            if outage.get("etr"):
                crews = ETR_BY_WORDS["crew"]
                by = f" ({crews})" if outage.get("etr_by") == crews else ""
                parts.append(f"Estimated restoration {self._time(outage['etr'])}{by}.")
            return " ".join(parts)
        if status["power"] == "unknown":
            return f"{status['status'].rstrip('.')}."
        if status.get("restored_at"):
            return (f"power is back at your address since {self._time(status['restored_at'])}"
                    f". Sorry for the interruption. {FOLLOW_UP}")
        if was_out:
            return ("our checks found no fault on our network at your address. If your "
                    "power is still off, please check your main switch, then call us.")
        return None

    def _time(self, iso: str) -> str:
        """Local time of day, with the zone."""
        when = datetime.fromisoformat(iso).astimezone(self.zone)
        return when.strftime("%H:%M %Z")

"""The storm's outlook: by when most of the customers out now should have power again,
from the ETRs their outages' customers are told (a utility's "90 % restored by" line
on its outage map and in its control room).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from outage.records import Outage

OUTLOOK_SHARE = 0.9  # "most customers": nine in ten of those out


def restored_by(outages: Iterable[Outage], share: float = OUTLOOK_SHARE) -> datetime | None:
    """The earliest time by which `share` of the customers out in the live `outages` are
    to have power again by their outages' ETRs; None when nobody is out, or when the
    customers of outages without an ETR are more than the rest of the share allows."""
    out = [(o.etr, o.customers_out) for o in outages if o.active and o.customers_out > 0]
    total = sum(n for _, n in out)
    if not total:
        return None
    told = sorted((etr, n) for etr, n in out if etr is not None)
    need, count = share * total, 0
    for etr, n in told:
        count += n
        if count >= need:
            return etr
    return None

"""A seeded customer directory for networks that have no phone numbers.

The sample territory has accounts (customer ids) and addresses but no phones or
postcodes, which the status page needs for 'look up by phone and postcode'. This
derives both deterministically from the customer id (a seeded permutation of
555-01xx style numbers, postcode by quadrant of the address), so the same id
always has the same phone. A real deployment reads them from the CIS instead.
"""

from __future__ import annotations

import re

import numpy as np

from gis import Network

SEED = 1366
# Portland-style quadrants of the sample addresses -> a plausible postcode each.
POSTCODES = {"NW": "97209", "NE": "97212", "SW": "97201", "SE": "97214", "N": "97217",
             "S": "97239"}
DEFAULT_POSTCODE = "97232"
_QUADRANT = re.compile(r"^\d+\s+(NW|NE|SW|SE|N|S)\s")


def normalise_phone(text: str) -> str:
    """Digits only, without a leading US country code."""
    digits = re.sub(r"\D", "", text)
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def normalise_postcode(text: str) -> str:
    return re.sub(r"\s", "", text).upper()


class Directory:
    """Phone and postcode of each customer, and the reverse lookup."""

    def __init__(self, network: Network, seed: int = SEED) -> None:
        ids = network.customers.ids
        rng = np.random.default_rng(seed)
        # Unique 7-digit local numbers in the 503 area, shuffled so neighbours differ.
        numbers = rng.permutation(9_000_000)[: len(ids)] + 1_000_000
        self.phone = {cid: f"503{int(n):07d}" for cid, n in zip(ids, numbers, strict=True)}
        self.postcode = {cid: _postcode(addr)
                         for cid, addr in zip(ids, network.customers.address, strict=True)}
        self._by_phone = {(p, self.postcode[c]): c for c, p in self.phone.items()}

    def find(self, phone: str, postcode: str) -> str | None:
        """The customer id with this phone and postcode, or None."""
        return self._by_phone.get((normalise_phone(phone), normalise_postcode(postcode)))

    def display_phone(self, customer_id: str) -> str:
        p = self.phone[customer_id]
        return f"({p[:3]}) {p[3:6]}-{p[6:]}"


def _postcode(address: str) -> str:
    match = _QUADRANT.match(address or "")
    return POSTCODES.get(match.group(1), DEFAULT_POSTCODE) if match else DEFAULT_POSTCODE

"""What an event's ids and addresses mean on one network.

Reports from other systems spell ids their own way (``Load.S1A`` for ``load.s1a``)
and some callers give an address, not an account. `NetworkNames` turns both into the
network's own terms, or refuses with the reason: an id that means nothing here, or
could mean two elements; an address too far from every service point.
"""

from __future__ import annotations

from dataclasses import replace

from gis import Network
from gis.ids import IdMatcher
from gis.spatial import ServicePointIndex
from outage.errors import EventError
from outage.events import Call


class NetworkNames:
    """Ids as one network spells them, and calls placed at their service points."""

    def __init__(self, network: Network, tolerance_m: float) -> None:
        self.network = network
        self.tolerance_m = tolerance_m  # a location-only call further away is refused
        # Built now, not on the first address-only call: at a million meters it takes
        # seconds, which must not stall intake in the middle of a storm.
        self._spatial = ServicePointIndex(network)
        self._matchers: dict[str, IdMatcher] = {}  # built on the first misspelt id

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_matchers"] = {}  # an index of ids, rebuilt when needed
        return state

    def spelt(self, field_name: str, element_id: str, notes: list[str] | None) -> str:
        """`element_id` as the network spells it: a spelling that can mean only one
        element (``Load.S1A`` or ``s1a`` for ``load.s1a``) is taken as that one, with a
        note in `notes`. EventError, naming `field_name`, when it means none or two."""
        customers = field_name == "customer_id"
        network = self.network
        known = network.customers.index if customers else network.devices.index
        if element_id in known or (not customers and element_id in network.branches.index):
            return element_id
        matcher = self._matchers.get(field_name)
        if matcher is None:
            ids = (network.customers.ids if customers else
                   dict.fromkeys([*network.devices.index, *network.branches.index]))
            matcher = self._matchers[field_name] = IdMatcher(ids)
        found = matcher.matches(element_id)
        if not customers and len({network.element_branch(f) for f in found}) == 1:
            # A device and the line it operates (fuse.f1 on line.f1): one element.
            devices = [f for f in found if f in network.devices.index]
            found = devices[:1] or found[:1]
        what = "a customer of this network" if customers else "a device"
        if not found:
            raise EventError(f"{field_name} {element_id!r} is not {what}")
        if len(found) > 1:
            shown = ", ".join(repr(f) for f in found[:5])
            raise EventError(f"{field_name} {element_id!r} is not {what}; it could be "
                             f"{shown}{' …' if len(found) > 5 else ''}: say which")
        if notes is not None:
            notes.append(f"{field_name} {element_id!r} taken as {found[0]!r}")
        return found[0]

    def known_customer(self, spelling: str) -> str | None:
        """The customer id `spelling` means, or None when it names nobody or could name
        two (an account number as a customer typed it)."""
        try:
            return self.spelt("customer_id", spelling, None)
        except EventError:
            return None

    def customer_of(self, call: Call) -> int:
        """The customer (index) a call is about: its account, else the service point
        nearest the location it gave. EventError when that is out of range."""
        known = self.network.customers.index.get(call.customer_id or "")
        if known is not None:
            return known
        if call.location is None:
            raise EventError(f"customer_id {call.customer_id!r} is not a customer of this "
                             "network, and the call gives no location")
        try:
            hit = self._spatial.nearest(call.location.as_mapping(), self.tolerance_m)
        except ValueError as error:
            raise EventError(f"location: {error}") from None
        if hit is None:
            raise EventError(
                f"location {call.location.as_mapping()} is more than "
                f"{self.tolerance_m:g} {self._spatial.unit} from any service point"
            )
        return hit.customer

    def placed_by_location(self, call: Call, unknown: EventError,
                           notes: list[str] | None) -> Call:
        """A call whose account number names nobody, placed by the address it also gave
        (an account mistyped, a new customer): the report stands, the id is kept as
        sent. EventError with both reasons when the address is out of range too."""
        try:
            i = self.customer_of(replace(call, customer_id=None))
        except EventError as far:
            raise EventError(f"{unknown}, and its {far}") from None
        if notes is not None:
            notes.append(f"{unknown}: placed by its location, at "
                         f"{self.network.customers.ids[i]!r}")
        return call

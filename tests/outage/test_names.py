"""NetworkNames: ids and addresses in the network's own terms."""

from __future__ import annotations

import pickle

import pytest

from gis import Network
from outage.errors import EventError
from outage.events import Call, parse_event
from outage.names import NetworkNames

from .conftest import at


def test_a_saved_state_leaves_its_id_index_behind_and_still_reads_misspellings(
        feeder: Network) -> None:
    """A snapshot does not carry the index built for misspelt ids (rebuilt on the next
    miss), and the loaded names read the same spellings the same way."""
    names = NetworkNames(feeder, 150.0)
    assert names.spelt("customer_id", "A1.1", None) == "a1.1"
    loaded = pickle.loads(pickle.dumps(names))
    assert loaded._matchers == {}
    notes: list[str] = []
    assert loaded.spelt("customer_id", "A1.1", notes) == "a1.1"
    assert notes == ["customer_id 'A1.1' taken as 'a1.1'"]
    assert loaded.known_customer("nobody") is None


def test_an_unknown_account_without_an_address_is_refused_saying_both(feeder: Network) -> None:
    """A call whose account names nobody and which gives no address cannot be placed:
    the reason says so rather than failing on the missing location."""
    names = NetworkNames(feeder, 150.0)
    call = parse_event({"type": "call", "time": at(1), "customer_id": "zz9"})
    assert isinstance(call, Call)
    with pytest.raises(EventError, match=r"'zz9' is not a customer .* gives no location"):
        names.customer_of(call)

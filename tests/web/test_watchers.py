"""Status pages and subscriptions watching customers: who is looked at again, when."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outage.errors import EventError
from outage.events import parse_time
from tests.outage.conftest import T0
from tests.outage.test_engine_properties import NETWORKS, _event
from tests.web.conftest import NEIGHBOURS, make_config, make_outage
from web import create_app, socketio
from web.views_model import customer_status
from web.watchers import StatusWatchers, status_key


def _statuses(received: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e["args"][0] for e in received if e["name"] == "status"]


def _page(app: Flask, customer_id: str) -> Any:
    """A status page open on `customer_id`, watching it over Socket.IO."""
    public = app.test_client()
    token = public.get(f"/api/customers/{customer_id}/status").get_json()["token"]
    page = socketio.test_client(app, flask_test_client=public)
    page.emit("watch", {"token": token})
    return page


def test_a_closed_status_page_stops_watching(app: Flask) -> None:
    """The watch lasts as long as a page is open (or a subscription stands), not for
    every lookup since the server started."""
    watchers = app.extensions["oms_live"].watchers
    first, second = _page(app, NEIGHBOURS[0]), _page(app, NEIGHBOURS[0])
    assert NEIGHBOURS[0] in watchers and len(watchers) == 1
    first.disconnect()
    assert NEIGHBOURS[0] in watchers  # the other page is still open
    second.disconnect()
    assert len(watchers) == 0


def test_only_pages_over_a_changed_outage_hear_of_it(app: Flask, client: FlaskClient,
                                                    dispatcher: dict[str, str]) -> None:
    """An outage at the neighbours' transformer reaches their page, not a page
    elsewhere on the network."""
    here, elsewhere = _page(app, NEIGHBOURS[0]), _page(app, "cust.003000")
    here.get_received(), elsewhere.get_received()
    make_outage(client, dispatcher)
    assert _statuses(here.get_received())[-1]["power"] == "off"
    assert not _statuses(elsewhere.get_received())
    here.disconnect(), elsewhere.disconnect()


def test_a_page_hears_of_its_own_report_before_any_outage(app: Flask,
                                                         client: FlaskClient) -> None:
    """One customer's last gasp is no outage yet, but their page says it was heard."""
    page = _page(app, "cust.003000")
    page.get_received()
    response = client.post("/api/events", json={"type": "meter", "customer_id": "cust.003000",
                                                "state": "off"},
                           headers={"Authorization": "Bearer ivr-token"})
    assert response.status_code == 201 and not response.get_json()["outages"]
    assert _statuses(page.get_received())[-1]["power"] == "unknown"
    page.disconnect()


def test_a_moved_or_restored_outage_looks_where_it_was_too() -> None:
    """Customers under an outage's device before it moved (or was restored) are due as
    well as those under it now; customers elsewhere are not; nor anyone when only what
    a status page does not show changed (its calls, its confidence)."""
    index = {"a": 0, "b": 1, "c": 2}
    under = {10: {0}, 20: {1}, 30: {2}}  # device -> customer indices supplied through it

    def supplied_through(customers: np.ndarray, devices: set[int]) -> np.ndarray:
        return np.array([any(int(i) in under[d] for d in devices) for i in customers])

    class Seen:
        def __init__(self, outage_id: str, candidate: int, active: bool = True,
                     etr: str | None = None) -> None:
            self.id, self.candidate, self.active = outage_id, candidate, active
            self.stage, self.etr, self.customers_out = "predicted", etr, 1

    watchers = StatusWatchers(index, subscribed=["a", "b", "c"])
    assert watchers.due([Seen("O1", 10)], supplied_through) == ["a"]
    assert watchers.due([Seen("O1", 10)], supplied_through) == []  # more calls: told already
    assert watchers.due([Seen("O1", 10, etr="17:30")], supplied_through) == ["a"]
    assert watchers.due([Seen("O1", 20)], supplied_through) == ["a", "b"]
    assert watchers.due([Seen("O1", 20, active=False)],
                        supplied_through) == ["b"]
    assert watchers.due([], supplied_through) == []


def test_a_report_standing_again_at_a_tick_reaches_the_page() -> None:
    """A caller with a wire down and a silent meter, their outage restored by a crew:
    minutes later (a tick, no outage changing) their report stands again as one to
    check, and their status says so (found by the property test below)."""
    network, clock = NETWORKS["tie"], StreamClock()
    app = create_app(make_config(Path(tempfile.mkdtemp(prefix="oms-watch-")), network,
                                 CLOCK=clock))
    live = app.extensions["oms_live"]
    live.watchers.subscribe("b.1")
    events = [{"type": "call", "customer_id": "b.1", "hazard": "wire_down"},
              {"type": "meter", "customer_id": "b.1", "state": "off"}]
    for minute, event in enumerate(events):
        clock.time = T0 + timedelta(minutes=5 * minute)
        live.submit({**event, "time": clock.time.isoformat()})
    (outage,) = live.engine.book.live()
    steps = [{"type": "crew", "outage_id": outage.id, "crew_id": "T-1", "status": "restored"},
             {"type": "tick"}, {"type": "tick"}]
    for minute, event in enumerate(steps, start=2):
        clock.time = T0 + timedelta(minutes=5 * minute)
        live.submit({**event, "time": clock.time.isoformat()})
    fresh = status_key(customer_status(live.engine, "b.1", clock.time))
    assert fresh.startswith("unknown") and not live.watchers.sent("b.1", fresh)
    live.store.close()


class StreamClock:
    """The server's clock at the event being submitted: the stream's own time."""

    def __init__(self) -> None:
        self.time = T0

    def now(self) -> datetime:
        return self.time


@pytest.mark.parametrize("name", ["laterals", "tie", "two ties"])
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_watched_status_is_the_one_sent_after_each_event(name: str,
                                                               data: st.DataObject) -> None:
    """Looking again only where outages changed misses nothing: after every event
    (reports, switching, ties back-feeding, crews, the desk) each watched customer's
    last status sent is their status read afresh."""
    network, clock = NETWORKS[name], StreamClock()
    app = create_app(make_config(Path(tempfile.mkdtemp(prefix="oms-watch-")), network,
                                 CLOCK=clock))
    live = app.extensions["oms_live"]
    customers = list(network.customers.ids)
    for customer_id in customers:
        live.watchers.subscribe(customer_id)
        live.watchers.touch(customer_id)
    live.emit_watched([])
    for step in range(data.draw(st.integers(1, 12))):
        event = _event(data, network, live.engine, 5.0 * step)
        clock.time = parse_time(event["time"])
        with contextlib.suppress(EventError):
            live.submit(event)
        for customer_id in customers:
            fresh = status_key(customer_status(live.engine, customer_id, clock.time))
            assert not live.watchers.sent(customer_id, fresh), (customer_id, event)
    live.store.close()

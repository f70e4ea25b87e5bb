"""Socket.IO rooms: each audience gets what it may see, live."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import login, make_outage
from web import socketio


def _events(received: list[dict[str, Any]], name: str) -> list[Any]:
    return [e["args"][0] for e in received if e["name"] == name]


def test_dispatcher_gets_outage_updates(app: Flask, client: FlaskClient,
                                        dispatcher: dict[str, str]) -> None:
    """The dispatch room gets the new outage as soon as the call is acknowledged."""
    sio = socketio.test_client(app, flask_test_client=client)
    sio.get_received()
    outage_id = make_outage(client, dispatcher)
    updates = _events(sio.get_received(), "outages")
    assert any(o["id"] == outage_id and o["branches"] for batch in updates for o in batch)
    sio.disconnect()


def test_public_room_carries_no_personal_data(app: Flask, client: FlaskClient,
                                              dispatcher: dict[str, str]) -> None:
    """An anonymous socket gets areas and counts, never outage records."""
    anonymous = app.test_client()
    sio = socketio.test_client(app, flask_test_client=anonymous)
    make_outage(client, dispatcher)
    received = sio.get_received()
    assert {e["name"] for e in received} <= {"hello", "areas"}
    assert "cust." not in str(received)
    sio.disconnect()


def test_crew_room_gets_its_jobs(app: Flask, client: FlaskClient,
                                 dispatcher: dict[str, str]) -> None:
    """After an assignment the crew's room gets its job list."""
    phone = app.test_client()
    login(phone, "crew1")
    sio = socketio.test_client(app, flask_test_client=phone)
    sio.get_received()
    outage_id = make_outage(client, dispatcher)
    client.post(f"/api/jobs/{outage_id}/assign", json={"crew_id": "C1"}, headers=dispatcher)
    jobs = _events(sio.get_received(), "jobs")
    assert jobs and jobs[-1]["jobs"][0]["id"] == outage_id
    sio.disconnect()


def test_customer_watch_needs_signed_token(app: Flask, client: FlaskClient,
                                           dispatcher: dict[str, str]) -> None:
    """A status page joins its customer's room with its token and gets changes."""
    public = app.test_client()
    token = public.get("/api/customers/cust.000001/status").get_json()["token"]
    sio = socketio.test_client(app, flask_test_client=public)
    sio.emit("watch", {"token": "forged"})
    assert _events(sio.get_received(), "error")
    sio.emit("watch", {"token": token})
    assert _events(sio.get_received(), "status")[0]["power"] == "on"
    make_outage(client, dispatcher)
    statuses = _events(sio.get_received(), "status")
    assert statuses and statuses[-1]["power"] == "off"
    sio.disconnect()


def test_a_dashboard_connecting_gets_the_live_outages_only(app: Flask, client: FlaskClient,
                                                          dispatcher: dict[str, str]) -> None:
    """A dashboard that connects gets the live outages, not every outage ever restored
    (a year of them is megabytes; the KPIs count them)."""
    restored = make_outage(client, dispatcher)
    client.post("/api/events", headers=dispatcher, json={
        "type": "device", "device_id": client.get(f"/api/outages/{restored}").get_json()[
            "device_id"], "state": "closed", "source": "crew"})
    live = app.extensions["oms_live"]
    assert live.find(restored).restored is not None
    sio = socketio.test_client(app, flask_test_client=client)
    [first] = _events(sio.get_received(), "outages")
    assert restored not in {o["id"] for o in first}
    assert client.get("/api/kpis").get_json()["by_stage"].get("restored") == 1
    sio.disconnect()

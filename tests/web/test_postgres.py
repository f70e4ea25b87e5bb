"""The live system on its production store: the event log and the web layer's tables on
PostgreSQL, through a restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from gis import Network
from tests.postgres import new_database
from web import create_app

from .conftest import NEIGHBOURS, login, make_config


@pytest.fixture
def database(postgres_server: str) -> str:
    return new_database(postgres_server)


@pytest.fixture
def started() -> Iterator[list[Flask]]:
    """Apps started on the database, each closed after the test."""
    apps: list[Flask] = []
    yield apps
    for app in apps:
        state = app.extensions["oms_live"]
        state.store.close()
        state.service.log.close()


def _start(apps: list[Flask], tmp_path: Path, network: Network, database: str) -> Flask:
    apps.append(create_app(make_config(tmp_path, network, EVENT_LOG=database)))
    return apps[-1]


def test_a_restart_on_postgresql_keeps_outages_subscriptions_and_retries(
    tmp_path: Path, network: Network, database: str, started: list[Flask]
) -> None:
    """Two calls, a retried one, a subscription, a complaint; then a new process on the same
    database (a restart or a deployment): the same outages, the subscription, the
    complaint, the retry deduped."""
    app = _start(started, tmp_path, network, database)
    client = app.test_client()
    headers = login(client, "disp")
    first = None
    for customer in NEIGHBOURS[:2]:
        response = client.post("/api/events", json={"type": "call", "customer_id": customer},
                               headers={**headers, "Idempotency-Key": f"k-{customer}"})
        assert response.status_code == 201, response.get_json()
        first = first or response.get_json()
    outages = client.get("/api/outages").get_json()
    assert len(outages) == 1, outages
    subscribed = client.post("/api/customers/subscribe", json={
        "account": NEIGHBOURS[0], "channel": "sms", "contact": "555"},
        headers={"X-CSRF-Token": client.get("/api/session").get_json()["csrf_token"]})
    assert subscribed.status_code == 201
    complained = client.post("/api/complaints", json={"text": "My bill is wrong",
                                                       "channel": "phone",
                                                       "account": NEIGHBOURS[1]},
                             headers=headers)
    assert complained.status_code == 201
    complaint = client.get(f"/api/complaints/{complained.get_json()['reference']}").get_json()

    again = _start(started, tmp_path, network, database)
    client = again.test_client()
    headers = login(client, "disp")
    assert client.get("/api/outages").get_json() == outages
    assert NEIGHBOURS[0] in again.extensions["oms_live"].store.subscribed_customers()
    (subscription,) = again.extensions["oms_live"].store.subscriptions([NEIGHBOURS[0]])
    assert subscription.contact == "555"  # sealed, and opened with the same key
    retried = client.post("/api/events", json={"type": "call", "customer_id": NEIGHBOURS[0]},
                          headers={**headers, "Idempotency-Key": f"k-{NEIGHBOURS[0]}"})
    assert retried.get_json()["seq"] == first["seq"]
    assert again.extensions["oms_live"].service.log.last_seq() == 2
    after = client.get(f"/api/complaints/{complaint['reference']}").get_json()
    assert after.pop("supply")["power"] == complaint.pop("supply")["power"] == "off"
    assert after == complaint  # the supply aside (read as of each request)

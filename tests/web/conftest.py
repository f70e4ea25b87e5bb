"""Fixtures of the web tests: an app on the sample territory with a fresh event log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gis import Network, Topology
from gis.io import load_network
from outage.candidates import build_candidates
from web import create_app

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "secret-pass"
USERS = [
    {"username": "disp", "password": PASSWORD, "role": "dispatcher"},
    {"username": "sup", "password": PASSWORD, "role": "supervisor"},
    {"username": "crew1", "password": PASSWORD, "role": "crew", "crew_id": "C1"},
    {"username": "crew2", "password": PASSWORD, "role": "crew", "crew_id": "C2"},
    {"username": "agent1", "password": PASSWORD, "role": "agent"},
]
CREWS = [
    {"id": "C1", "name": "Crew 1", "lon": -122.6594, "lat": 45.5277},
    {"id": "C2", "name": "Crew 2", "lon": -122.6600, "lat": 45.5100},
]
# Two customers under one service transformer: two calls make an outage there.
NEIGHBOURS = ("cust.000001", "cust.000002", "cust.000003")


@pytest.fixture(scope="session")
def network() -> Network:
    """The sample territory, loaded once."""
    return load_network(ROOT / "sample_data" / "territory.gpkg")


@dataclass
class SetClock:
    """The app's clock, moved by the test."""

    t: datetime

    def now(self) -> datetime:
        return self.t


def neighbours_at_transformers(network: Network, count: int) -> list[str]:
    """Two customers at each of `count` service transformers spread over the network."""
    tree = build_candidates(network, Topology(network))
    below: dict[int, list[str]] = {}
    for i, parent in enumerate(tree.customer_parent.tolist()):
        below.setdefault(parent, []).append(network.customers.ids[i])
    transformers = [t for t in sorted(below) if tree.kind[t] == "service_transformer"]
    return [c for t in transformers[:: len(transformers) // count][:count] for c in below[t][:2]]


def make_config(tmp_path: Path, network: Network, **extra: Any) -> dict[str, Any]:
    return {
        # A fixed secret, as a deployment sets OMS_SECRET_KEY: sessions and sealed
        # contacts survive a restart of the app.
        "TESTING": True, "SECRET_KEY": "test-secret", "NETWORK": network,
        "EVENT_LOG": f"sqlite:///{tmp_path}/events.db",
        "USERS": USERS, "PASSWORD_METHOD": "pbkdf2:sha256:1000", "CREWS": CREWS,
        "PLANNER_BACKGROUND": False, "PLAN_TIME_LIMIT": 2.0, "PLAN_SOLUTION_LIMIT": 20,
        "INTAKE_TOKENS": {"ivr-token": "ivr", "sms-token": "messaging"},
        "RATE_LIMIT_PER_SECOND": 1000.0,
        "RATE_LIMIT_BURST": 1000.0, **extra,
    }


@pytest.fixture
def app(tmp_path: Path, network: Network) -> Iterator[Flask]:
    """A fresh app with its own event log."""
    app = create_app(make_config(tmp_path, network))
    yield app
    app.extensions["oms_live"].store.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def login(client: FlaskClient, username: str) -> dict[str, str]:
    """Sign in; return the headers (CSRF) that state-changing requests need."""
    token = client.get("/api/session").get_json()["csrf_token"]
    response = client.post("/api/session", json={"username": username, "password": PASSWORD},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 201, response.get_json()
    return {"X-CSRF-Token": response.get_json()["csrf_token"]}


def make_outage(client: FlaskClient, headers: dict[str, str]) -> str:
    """Two neighbours call: the engine predicts an outage at their transformer."""
    outages: list[str] = []
    for customer in NEIGHBOURS[:2]:
        response = client.post("/api/events", json={"type": "call", "customer_id": customer},
                               headers=headers)
        assert response.status_code == 201, response.get_json()
        outages = response.get_json()["outages"]
    assert outages
    return outages[0]


@pytest.fixture
def dispatcher(client: FlaskClient) -> dict[str, str]:
    """The client signed in as a dispatcher; the CSRF headers."""
    return login(client, "disp")

"""A deployment's settings from the environment: users and intake systems as JSON (a
file or inline), each mistake named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gis import Network
from tests.web.conftest import make_config
from web import create_app


def _config(tmp_path: Path, network: Network) -> dict[str, object]:
    config = make_config(tmp_path, network)
    del config["USERS"], config["INTAKE_TOKENS"]  # from the environment, as gunicorn's
    return config


def test_users_from_a_file_and_intake_tokens_inline(tmp_path: Path, network: Network,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """OMS_USERS names a JSON file, OMS_INTAKE_TOKENS is JSON itself: the user signs in,
    the IVR posts a call."""
    users = tmp_path / "users.json"
    users.write_text(json.dumps([{"username": "ops", "password": "pw-1", "role": "dispatcher"}]))
    monkeypatch.setenv("OMS_USERS", str(users))
    monkeypatch.setenv("OMS_INTAKE_TOKENS", '{"tok-ivr": "ivr"}')
    app = create_app(_config(tmp_path, network))
    client = app.test_client()
    csrf = client.get("/api/session").get_json()["csrf_token"]
    signed = client.post("/api/session", json={"username": "ops", "password": "pw-1"},
                         headers={"X-CSRF-Token": csrf})
    assert signed.status_code == 201
    call = app.test_client().post("/api/events", headers={"Authorization": "Bearer tok-ivr"},
                                  json={"type": "call", "customer_id": "cust.000001"})
    assert call.status_code == 201, call.get_json()
    app.extensions["oms_live"].store.close()


@pytest.mark.parametrize(("name", "value", "words"), [
    ("OMS_USERS", "/nowhere/users.json", "OMS_USERS: cannot read '/nowhere/users.json'"),
    ("OMS_USERS", "[{\"username\": \"a\",", "OMS_USERS: not JSON"),
    ("OMS_USERS", '{"username": "a"}', "OMS_USERS: must be a JSON list"),
    ("OMS_USERS", '[{"username": "a", "role": "dispatcher"}]', "user 'a': give password"),
    ("OMS_USERS", '[{"username": "a", "password": "p", "role": "boss"}]', "role must be one of"),
    ("OMS_USERS", '[{"name": "a"}]', "user 1: give username"),
    ("OMS_INTAKE_TOKENS", '["tok"]', "OMS_INTAKE_TOKENS: must be a JSON object"),
    ("OMS_INTAKE_TOKENS", '{"": "ivr"}', "intake token of 'ivr'"),
    ("OMS_TILE_URL", "tile.openstreetmap.org/{z}/{x}/{y}.png", "OMS_TILE_URL: 'tile.open"),
    ("OMS_PLAN_ETRS", "perhaps", "OMS_PLAN_ETRS: 'perhaps' is neither yes nor no"),
    ("OMS_TILE_URL", "https://tiles.example.org/{x}/{y}.png", "is not a tile URL template"),
])
def test_a_bad_setting_is_named(tmp_path: Path, network: Network,
                                monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                words: str) -> None:
    """Each mistake stops the start with the variable (or user) and what is wrong."""
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=words.replace("[", r"\[")):
        create_app(_config(tmp_path, network))


def test_the_plan_s_etrs_can_be_turned_off(tmp_path: Path, network: Network,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """OMS_PLAN_ETRS=no: a utility that publishes only the model's and its dispatchers'
    ETRs."""
    monkeypatch.setenv("OMS_PLAN_ETRS", "No")
    app = create_app(make_config(tmp_path, network))
    assert app.extensions["oms_live"].planner.params.etrs is None
    app.extensions["oms_live"].store.close()

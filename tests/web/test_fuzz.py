"""Fuzz the API from its OpenAPI spec: whatever is sent, never a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from gis.io import load_network
from tests.web.conftest import ROOT, login, make_config
from web import create_app

schemathesis = pytest.importorskip("schemathesis")

_tmp = Path(__import__("tempfile").mkdtemp(prefix="oms-fuzz-"))
APP = create_app(make_config(_tmp, load_network(ROOT / "sample_data" / "territory.gpkg")))
_client = APP.test_client()
HEADERS = login(_client, "disp")
COOKIE = f"session={_client.get_cookie('session').value}"  # type: ignore[union-attr]
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any) -> None:
    """Every generated request gets a JSON answer below 500."""
    response = case.call(headers={**HEADERS, "Cookie": COOKIE})
    assert response.status_code < 500, (case.method, case.path, response.text[:300])

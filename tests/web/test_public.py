"""The public side: own status only, reports, subscriptions, rate limit, public areas."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from gis import Network
from tests.web.conftest import make_config, make_outage
from web import create_app
from web.api.customers import customer_of_token
from web.directory import Directory, normalise_phone
from web.ratelimit import TokenBuckets


def _csrf(client: FlaskClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/session").get_json()["csrf_token"]}


def test_status_by_account_shows_own_outage_only(client: FlaskClient,
                                                 dispatcher: dict[str, str]) -> None:
    """In an outage: since when, how many, status, ETR; no ids or addresses of others."""
    make_outage(client, dispatcher)
    public = client.application.test_client()
    data = public.get("/api/customers/cust.000003/status").get_json()
    assert data["power"] == "off"
    assert data["outage"]["customers_affected"] == 6 and data["outage"]["etr"]
    text = str(data)
    assert "cust.000001" not in text and "Holly" in data["street"]
    assert not any(ch.isdigit() for ch in data["street"].split()[0])  # no house number


def test_a_customer_is_told_the_etr_to_the_quarter_hour(client: FlaskClient,
                                                        dispatcher: dict[str, str]) -> None:
    """The status page (and the texts made from it) give the ETR on the quarter hour, never
    before the control room's: an estimate that moves by minutes with each report is not
    news to text a customer about each time."""
    outage_id = make_outage(client, dispatcher)
    told = client.get("/api/customers/cust.000003/status").get_json()["outage"]["etr"]
    exact = client.get(f"/api/outages/{outage_id}").get_json()["etr"]
    told_at, exact_at = datetime.fromisoformat(told), datetime.fromisoformat(exact)
    assert told_at.minute % 15 == 0 and told_at.second == told_at.microsecond == 0
    assert exact_at <= told_at < exact_at + timedelta(minutes=15)


def test_the_public_map_says_by_when_most_are_back(client: FlaskClient,
                                                    dispatcher: dict[str, str]) -> None:
    """With customers out, the public map says by when nine in ten of them are to be back
    (their outages' ETRs, to the quarter hour as told), the control room's KPIs the same
    exact; with nobody out, nothing."""
    assert client.get("/api/public/areas").get_json()["restored_by"] is None
    outage_id = make_outage(client, dispatcher)
    areas = client.get("/api/public/areas").get_json()
    etr = client.get(f"/api/outages/{outage_id}").get_json()["etr"]
    back = datetime.fromisoformat(areas["restored_by"])
    assert areas["restored_share"] == 0.9 and back.minute % 15 == 0
    assert datetime.fromisoformat(etr) <= back < datetime.fromisoformat(etr) + timedelta(
        minutes=15)
    assert client.get("/api/kpis").get_json()["restored_by"] == etr


def test_account_number_in_any_case(client: FlaskClient) -> None:
    """An account number typed in capitals (or without its prefix) finds the customer,
    and the token names the account as the system spells it."""
    public = client.application.test_client()
    for typed in ("CUST.000003", "000003"):
        data = public.get(f"/api/customers/{typed}/status").get_json()
        assert data["power"] == "on"
        with client.application.app_context():
            assert customer_of_token(data["token"]) == "cust.000003"


def test_unknown_account_is_404(client: FlaskClient) -> None:
    """An unknown account is a plain 404."""
    assert client.get("/api/customers/nobody/status").status_code == 404


def test_lookup_by_phone_and_postcode(app: Flask, client: FlaskClient) -> None:
    """The seeded directory finds a customer by phone and postcode, whatever the format."""
    directory: Directory = app.extensions["oms_live"].directory
    phone, postcode = directory.display_phone("cust.000042"), directory.postcode["cust.000042"]
    data = client.get(f"/api/customers/lookup?phone={phone}&postcode={postcode}").get_json()
    assert data["token"] and data["power"] == "on"
    assert client.get(f"/api/customers/lookup?phone=123&postcode={postcode}").status_code == 404
    assert client.get("/api/customers/lookup").status_code == 400


def test_directory_is_deterministic_and_unique(network: Network) -> None:
    """Same ids, same phones; no two customers share a phone."""
    a, b = Directory(network), Directory(network)
    assert a.phone == b.phone
    assert len(set(a.phone.values())) == len(a.phone)
    assert normalise_phone("+1 (503) 555-0142") == "5035550142"


def test_report_with_token_and_hazard(app: Flask, client: FlaskClient) -> None:
    """A web report is a call event with the hazard, from the looked-up account."""
    token = client.get("/api/customers/cust.000001/status").get_json()["token"]
    response = client.post("/api/customers/report", json={"token": token, "hazard": "wire_down"},
                           headers=_csrf(client))
    assert response.status_code == 201
    seq = response.get_json()["seq"]
    event = dict(app.extensions["oms_live"].service.log.read())[seq]
    assert event["channel"] == "web" and event["hazard"] == "wire_down"


def test_report_with_forged_token_is_403(client: FlaskClient) -> None:
    """Tokens are signed: a made-up one does not name an account."""
    response = client.post("/api/customers/report", json={"token": "forged"},
                           headers=_csrf(client))
    assert response.status_code == 403


def test_subscribe_is_stored(app: Flask, client: FlaskClient) -> None:
    """Subscriptions are stored; bad channels are 400."""
    headers = _csrf(client)
    ok = client.post("/api/customers/subscribe", json={"account": "cust.000001",
                                                       "channel": "sms", "contact": "555"},
                     headers=headers)
    assert ok.status_code == 201
    assert "cust.000001" in app.extensions["oms_live"].store.subscribed_customers()
    bad = client.post("/api/customers/subscribe", json={"account": "cust.000001",
                                                        "channel": "pigeon", "contact": "x"},
                      headers=headers)
    assert bad.status_code == 400


def test_public_areas_have_counts_only(client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """The public map has cells and counts, never ids or addresses."""
    make_outage(client, dispatcher)
    data = client.get("/api/public/areas").get_json()
    assert data["customers_out"] == 6
    assert set(data["areas"][0]) == {"lon", "lat", "size_deg", "customers_out",
                                     "customers_served"}
    assert datetime.fromisoformat(data["as_of"]).tzinfo is not None  # "updated at" for the map


def test_rate_limit_is_429(tmp_path: Path, network: Network) -> None:
    """Past the burst, a client address gets 429 with Retry-After."""
    app = create_app(make_config(tmp_path, network, RATE_LIMIT_PER_SECOND=0.01,
                                 RATE_LIMIT_BURST=3.0))
    client = app.test_client()
    codes = [client.get("/api/customers/cust.000001/status").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    assert int(client.get("/api/public/areas").headers["Retry-After"]) >= 1
    app.extensions["oms_live"].store.close()


def test_token_bucket_refills() -> None:
    """The bucket refills at its rate."""
    buckets = TokenBuckets(rate=1000.0, burst=1.0)
    assert buckets.take("a") == 0
    assert buckets.take("a") > 0 or buckets.take("a") == 0


def test_pages_render_and_dispatch_needs_login(client: FlaskClient) -> None:
    """Public pages render; the dashboard redirects to the login form."""
    assert client.get("/status").status_code == 200
    assert client.get("/map").status_code == 200
    assert client.get("/dispatch").status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is None or cookie.http_only


def test_openapi_documents_every_api_route(app: Flask, client: FlaskClient) -> None:
    """Every /api rule of the app is in the OpenAPI spec."""
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = set(spec["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.rule != "/api/openapi.json":
            path = rule.rule.replace("<", "{").replace(">", "}")
            assert path in documented, path


def test_the_public_s_retry_keys_are_their_own(app: Flask) -> None:
    """Two customers' pages sending the same Idempotency-Key each get their own answer:
    a key never replays another customer's reply (the status page's keys are times)."""
    answers = []
    for account in ("cust.000001", "cust.000002"):
        page = app.test_client()
        headers = {"X-CSRF-Token": page.get("/api/session").get_json()["csrf_token"],
                   "Idempotency-Key": "c1764400000000"}
        response = page.post("/api/customers/report", headers=headers,
                             json={"account": account})
        assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
        answers.append(response.get_json()["seq"])
    assert answers[0] != answers[1]


def test_the_maps_geometry_is_sent_gzipped_to_who_takes_it(client: FlaskClient,
                                                          dispatcher: dict[str, str]) -> None:
    """The network's and the streets' GeoJSON go gzipped to a browser that accepts it (a
    large utility's network is tens of megabytes), as they are to one that does not."""
    import gzip
    import json

    for path in ("/api/network.geojson", "/api/roads.geojson"):
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert gzip.decompress(packed.data) == plain.data
        assert json.loads(plain.data)["features"]
        assert len(packed.data) < len(plain.data) / 3


def test_pages_speak_for_the_utility_served(tmp_path: Path, network: Network) -> None:
    """A utility serving its own network sees its own name on every page (the name its
    texts are signed with), and the status page's look-up examples are one of its own
    customers' account, phone and postcode, not the sample's."""
    app = create_app(make_config(tmp_path, network, UTILITY_NAME="Stadtwerke Oberrhein"))
    client = app.test_client()
    directory: Directory = app.extensions["oms_live"].directory
    first = network.customers.ids[0]
    for path in ("/", "/status", "/map", "/login"):
        page = client.get(path).get_data(as_text=True)
        assert "Stadtwerke Oberrhein" in page and "Willow River" not in page, path
    page = client.get("/status").get_data(as_text=True)
    assert f'placeholder="{first}"' in page
    assert f'placeholder="{directory.display_phone(first)}"' in page
    assert f'placeholder="{directory.postcode[first]}"' in page

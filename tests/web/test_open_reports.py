"""A report that is not (yet) an outage: the customer is told it is in, the control room
sees it on the map, and a hazard in it is not lost."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.conftest import NEIGHBOURS, login, make_outage, neighbours_at_transformers


def _report(client: FlaskClient, customer: str, **extra: str) -> dict:  # type: ignore[type-arg]
    public = client.application.test_client()
    token = public.get(f"/api/customers/{customer}/status").get_json()["token"]
    csrf = {"X-CSRF-Token": public.get("/api/session").get_json()["csrf_token"]}
    response = public.post("/api/customers/report", json={"token": token, **extra}, headers=csrf)
    assert response.status_code == 201, response.get_json()
    status: dict = response.get_json()["status"]  # type: ignore[type-arg]
    return status


def test_a_report_not_yet_an_outage_is_acknowledged_and_listed(client: FlaskClient) -> None:
    status = _report(client, NEIGHBOURS[0], hazard="wire_down")
    # Not "your power is on" right after saying it is off.
    assert status["power"] == "unknown" and status["reported_at"]
    assert status["status"].startswith("We have your report.")
    login(client, "disp")
    listed = client.get("/api/reports").get_json()
    assert listed["count"] == 1
    [report] = listed["reports"]
    assert report["customer_id"] == NEIGHBOURS[0] and report["hazards"] == ["wire_down"]
    assert report["address"] and report["location"]["lon"] and report["called"]
    # Where the desk would record the outage if it confirms one: the caller's transformer.
    assert report["device"]["kind"] == "service_transformer"
    assert report["device"]["customers"] >= 3
    kpis = client.get("/api/kpis").get_json()
    assert (kpis["open_reports"], kpis["open_hazards"]) == (1, 1)


def test_once_neighbours_call_the_report_is_an_outage_with_its_hazard(
    client: FlaskClient,
) -> None:
    _report(client, NEIGHBOURS[0], hazard="wire_down")
    status = _report(client, NEIGHBOURS[1])
    assert status["power"] == "off"
    login(client, "disp")
    assert client.get("/api/reports").get_json() == {"count": 0, "reports": []}
    [outage] = client.get("/api/outages").get_json()
    assert outage["hazards"] == ["wire_down"]


def test_the_list_is_for_the_control_room_only(client: FlaskClient) -> None:
    assert client.get("/api/reports").status_code == 401


def test_the_desk_clears_checked_reports_but_not_an_outage(client: FlaskClient) -> None:
    _report(client, NEIGHBOURS[0], hazard="wire_down")
    headers = login(client, "disp")
    cleared = client.post("/api/reports/clear", json={"customer_ids": [NEIGHBOURS[0]]},
                          headers=headers)
    assert cleared.status_code == 201 and cleared.get_json()["open_reports"] == 0
    assert client.get("/api/reports").get_json()["count"] == 0
    status = client.get(f"/api/customers/{NEIGHBOURS[0]}/status").get_json()
    assert status["power"] == "on"
    # Inside a live outage the reports are the outage's: cancel or restore it instead.
    make_outage(client, headers)
    refused = client.post("/api/reports/clear", json={"customer_ids": [NEIGHBOURS[0]]},
                          headers=headers)
    assert refused.status_code == 422 and "live outage" in refused.get_json()["error"]
    assert client.post("/api/reports/clear", json={"customer_ids": []},
                       headers=headers).status_code == 400


def test_an_ivr_posts_callback_answers(client: FlaskClient) -> None:
    """An outbound IVR's answers come in like other intake events: "still off" is a
    report, so a lone one is an open report; "on" closes it."""
    ivr = {"Authorization": "Bearer ivr-token"}
    off = client.post("/api/events", json={"type": "callback", "customer_id": NEIGHBOURS[2],
                                           "state": "off"}, headers=ivr)
    assert off.status_code == 201
    login(client, "disp")
    assert [r["customer_id"] for r in client.get("/api/reports").get_json()["reports"]] == [
        NEIGHBOURS[2]]
    on = client.post("/api/events", json={"type": "callback", "customer_id": NEIGHBOURS[2],
                                          "state": "on"}, headers=ivr)
    assert on.status_code == 201 and client.get("/api/reports").get_json()["count"] == 0


def test_the_dashboard_counts_the_outages_the_reports_imply(client: FlaskClient) -> None:
    # Two neighbours call at each of 30 transformers all over the territory, calls only:
    # 30 outages on the board, and a few more the evidence implies nobody has reported
    # yet (one in ten of these transformers' outages draws no call at all).
    headers = login(client, "disp")
    for customer in neighbours_at_transformers(client.application.config["NETWORK"], 30):
        response = client.post("/api/events", json={"type": "call", "customer_id": customer},
                               headers=headers)
        assert response.status_code == 201, response.get_json()
    kpis = client.get("/api/kpis").get_json()
    assert kpis["outages_live"] == 30
    assert kpis["outages_implied"] > kpis["outages_live"]

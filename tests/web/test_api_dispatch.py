"""Dispatcher actions, the plan, and crews working their jobs from the phone API."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import login, make_outage


def test_outage_actions_confirm_etr_cancel(client: FlaskClient,
                                           dispatcher: dict[str, str]) -> None:
    """Confirm, set an ETR, then cancel; each is logged and reflected."""
    outage_id = make_outage(client, dispatcher)
    assert client.post(f"/api/outages/{outage_id}/confirm", headers=dispatcher).status_code == 201
    etr = client.post(f"/api/outages/{outage_id}/etr", json={"etr": "2099-01-01T10:00:00Z"},
                      headers=dispatcher)
    assert etr.status_code == 201
    detail = client.get(f"/api/outages/{outage_id}").get_json()
    assert detail["stage"] == "confirmed" and detail["etr_source"] == "dispatcher"
    assert client.post(f"/api/outages/{outage_id}/cancel", headers=dispatcher).status_code == 201
    assert client.get("/api/outages").get_json() == []


def test_unknown_outage_is_404(client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """Actions on an outage that does not exist are 404 and log nothing."""
    response = client.post("/api/outages/O999/confirm", headers=dispatcher)
    assert response.status_code == 404
    assert "O999" in response.get_json()["error"]


def test_bad_etr_is_422(client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """An ETR without a zone is refused with the reason."""
    outage_id = make_outage(client, dispatcher)
    response = client.post(f"/api/outages/{outage_id}/etr", json={"etr": "tomorrow"},
                           headers=dispatcher)
    assert response.status_code == 422


def test_plan_assigns_a_crew_and_crew_sees_job(app: Flask, client: FlaskClient,
                                               dispatcher: dict[str, str]) -> None:
    """Re-planning assigns the job to a crew (a logged crew event) and it is on its phone."""
    outage_id = make_outage(client, dispatcher)
    plan = client.post("/api/plan", headers=dispatcher).get_json()
    crew = next(c for c, jobs in plan["routes"].items() if outage_id in jobs)
    outage = client.get(f"/api/outages/{outage_id}").get_json()
    assert outage["stage"] == "assigned" and outage["crew_id"] == crew
    jobs = client.get("/api/jobs").get_json()
    assert jobs[0]["planned_crew"] == crew and jobs[0]["crew_eta"]
    phone = app.test_client()
    login(phone, f"crew{crew[1:]}")
    mine = phone.get("/api/crew/jobs").get_json()
    assert [j["id"] for j in mine["jobs"]] == [outage_id]
    assert mine["jobs"][0]["navigate"].startswith("geo:")


def test_crew_restores_and_customer_sees_it(app: Flask, client: FlaskClient,
                                            dispatcher: dict[str, str]) -> None:
    """En route, on site, restored with a cause: the outage is restored everywhere."""
    outage_id = make_outage(client, dispatcher)
    client.post(f"/api/jobs/{outage_id}/assign", json={"crew_id": "C1"}, headers=dispatcher)
    phone = app.test_client()
    headers = login(phone, "crew1")
    for status in ("en_route", "on_site"):
        response = phone.post("/api/crew/status", json={"status": status, "outage_id": outage_id},
                              headers=headers)
        assert response.status_code == 201, response.get_json()
    assert client.get("/api/crews").get_json()[0]["status"] == "on_site"
    done = phone.post("/api/crew/status", json={"status": "restored", "outage_id": outage_id,
                                                "cause": "tree contact"}, headers=headers)
    assert done.status_code == 201
    detail = client.get(f"/api/outages/{outage_id}").get_json()
    assert detail["status"] == "restored" and detail["cause"] == "tree contact"
    status = client.get("/api/customers/cust.000001/status").get_json()
    assert status["power"] == "on" and "restored_at" in status
    assert client.get("/api/kpis").get_json()["customers_out"] == 0


def test_other_crew_cannot_touch_the_job(app: Flask, client: FlaskClient,
                                         dispatcher: dict[str, str]) -> None:
    """A job assigned to C1 is 403 for C2."""
    outage_id = make_outage(client, dispatcher)
    client.post(f"/api/jobs/{outage_id}/assign", json={"crew_id": "C1"}, headers=dispatcher)
    phone = app.test_client()
    headers = login(phone, "crew2")
    response = phone.post("/api/crew/status", json={"status": "en_route",
                                                    "outage_id": outage_id}, headers=headers)
    assert response.status_code == 403


def test_partial_restoration_keeps_isolated_part_out(app: Flask, client: FlaskClient,
                                                     dispatcher: dict[str, str]) -> None:
    """Restored except behind an open device: that part is a new outage for the same crew."""
    network = app.extensions["oms_live"].network
    fuse = next(d for d in network.devices.ids if d.startswith("fuse."))
    lateral = network.devices.branch[network.devices.index[fuse]]
    below = app.extensions["oms_live"].engine.topology.downstream_customers(int(lateral))
    callers = [network.customers.ids[int(i)] for i in below[:12:3]]
    for customer in callers:
        client.post("/api/events", json={"type": "call", "customer_id": customer},
                    headers=dispatcher)
    outage_id = client.get("/api/outages").get_json()[0]["id"]
    client.post(f"/api/jobs/{outage_id}/assign", json={"crew_id": "C1"}, headers=dispatcher)
    phone = app.test_client()
    headers = login(phone, "crew1")
    bad = phone.post("/api/crew/status", json={"status": "restored", "outage_id": outage_id,
                                               "partial": {"device_id": "nope"}}, headers=headers)
    assert bad.status_code == 422
    done = phone.post("/api/crew/status", json={"status": "restored", "outage_id": outage_id,
                                                "partial": {"device_id": fuse}}, headers=headers)
    assert done.status_code == 201
    isolated = done.get_json()["isolated"]
    assert isolated and app.extensions["oms_live"].planner.locks[isolated[0]] == "C1"


def test_add_crew_needs_supervisor(app: Flask, client: FlaskClient,
                                   dispatcher: dict[str, str]) -> None:
    """Dispatchers may not add crews; supervisors may; duplicates and bad positions are 4xx."""
    crew = {"id": "C9", "name": "Mutual aid 9", "kind": "mutual_aid", "skills": ["line"],
            "position": {"lon": -122.66, "lat": 45.52}}
    assert client.post("/api/crews", json=crew, headers=dispatcher).status_code == 403
    boss = app.test_client()
    headers = login(boss, "sup")
    assert boss.post("/api/crews", json=crew, headers=headers).status_code == 201
    assert boss.post("/api/crews", json=crew, headers=headers).status_code == 409
    far = {**crew, "id": "C10", "position": {"lon": 500, "lat": 0}}
    assert boss.post("/api/crews", json=far, headers=headers).status_code == 422
    assert boss.post("/api/crews", json={**crew, "id": "C11", "kind": "wizard"},
                     headers=headers).status_code == 422


def test_crew_position_and_bad_position(app: Flask) -> None:
    """A crew posts its position; out-of-range or non-numeric ones are 4xx."""
    phone = app.test_client()
    headers = login(phone, "crew1")
    ok = phone.post("/api/crew/position", json={"lon": -122.65, "lat": 45.51}, headers=headers)
    assert ok.status_code == 201
    assert phone.post("/api/crew/position", json={"lon": "x", "lat": 1},
                      headers=headers).status_code == 400
    assert phone.post("/api/crew/position", json={"lon": 1000, "lat": 1},
                      headers=headers).status_code == 400

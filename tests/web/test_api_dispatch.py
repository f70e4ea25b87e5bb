"""Dispatcher actions, the plan, and crews working their jobs from the phone API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from dispatch.from_outages import EtrPolicy, round_up
from gis import Network
from tests.web.conftest import SetClock, login, make_config, make_outage
from web import create_app


def assigned_to_c1(app: Flask, client: FlaskClient, dispatcher: dict[str, str],
                   outage_id: str, *, signed_in: str = "crew1",
                   ) -> tuple[FlaskClient, dict[str, str]]:
    """The dispatcher assigns the job to crew C1; a phone signed in as `signed_in`."""
    client.post(f"/api/jobs/{outage_id}/assign", json={"crew_id": "C1"}, headers=dispatcher)
    phone = app.test_client()
    return phone, login(phone, signed_in)


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


def test_a_live_outage_says_why(client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """The dispatcher reading a predicted outage gets its explanation as of now: its
    device, what reported it and how sure the engine is, not a blank."""
    outage_id = make_outage(client, dispatcher)
    detail = client.get(f"/api/outages/{outage_id}").get_json()
    assert detail["stage"] == "predicted"
    why = detail["explanation"]
    assert detail["device_id"] in why and "2 of" in why and "Confidence" in why, why


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
    phone, headers = assigned_to_c1(app, client, dispatcher, outage_id)
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
    kpis = client.get("/api/kpis").get_json()
    assert kpis["customers_out"] == 0
    assert kpis["etrs"]["restored"] == 0  # back within minutes: momentary, told nothing


def test_other_crew_cannot_touch_the_job(app: Flask, client: FlaskClient,
                                         dispatcher: dict[str, str]) -> None:
    """A job assigned to C1 is 403 for C2."""
    outage_id = make_outage(client, dispatcher)
    phone, headers = assigned_to_c1(app, client, dispatcher, outage_id, signed_in="crew2")
    response = phone.post("/api/crew/status", json={"status": "en_route",
                                                    "outage_id": outage_id}, headers=headers)
    assert response.status_code == 403


def test_partial_restoration_keeps_isolated_part_out(app: Flask, client: FlaskClient,
                                                     dispatcher: dict[str, str]) -> None:
    """Restored except behind fuse l5: the crew's device open is logged before its
    `restored`, and the section behind the fuse stays out from the original start."""
    state = app.extensions["oms_live"]
    network = state.network
    start = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    opened = client.post("/api/events", json={"type": "device", "device_id": "recloser.s1f1r3",
                                              "state": "open", "time": start.isoformat()},
                         headers=dispatcher)
    outage_id = opened.get_json()["outages"][0]
    phone, headers = assigned_to_c1(app, client, dispatcher, outage_id)
    for device in ("nope", "fuse.s1f1l1"):  # not a device; a device outside the outage
        bad = phone.post("/api/crew/status", headers=headers, json={
            "status": "restored", "outage_id": outage_id, "partial": {"device_id": device}})
        assert bad.status_code == 422, bad.get_json()
    seq = state.service.log.last_seq()
    done = phone.post("/api/crew/status", headers=headers, json={
        "status": "restored", "outage_id": outage_id, "partial": {"device_id": "fuse.s1f1l5"}})
    assert done.status_code == 201, done.get_json()
    logged = [data for _, data in state.service.log.read(after=seq)]
    assert [e["type"] for e in logged] == ["device", "crew"]  # isolation first
    assert logged[0]["device_id"] == "fuse.s1f1l5" and logged[1]["status"] == "restored"
    (section_id,) = done.get_json()["isolated"]
    assert state.planner.locks[section_id] == "C1"
    restored = client.get(f"/api/outages/{outage_id}").get_json()
    section = client.get(f"/api/outages/{section_id}").get_json()
    assert restored["status"] == "restored"
    assert section["stage"] == "confirmed" and section["device_id"] == "fuse.s1f1l5"
    assert datetime.fromisoformat(section["started"]) == start
    behind = state.engine.topology.downstream_customers(
        int(network.devices.branch[network.devices.index["fuse.s1f1l5"]]))
    assert set(section["customer_ids"]) == {network.customers.ids[int(i)] for i in behind}
    # The restored record lists everyone the operation interrupted; the isolated
    # section's customers stay out in their own outage (interruptions are per customer).
    assert set(section["customer_ids"]) < set(restored["customer_ids"])
    out = client.get(f"/api/customers/{section['customer_ids'][0]}/status").get_json()
    back = client.get(f"/api/customers/{restored['customer_ids'][0]}/status").get_json()
    assert out["power"] == "off" and back["power"] == "on"


def test_crew_retry_is_not_logged_twice(app: Flask, client: FlaskClient,
                                        dispatcher: dict[str, str]) -> None:
    """A crew action retried with its Idempotency-Key (phone on a flaky link) is one event."""
    outage_id = make_outage(client, dispatcher)
    phone, signed_in = assigned_to_c1(app, client, dispatcher, outage_id)
    headers = {**signed_in, "Idempotency-Key": "q-17"}
    action = {"status": "en_route", "outage_id": outage_id}
    first = phone.post("/api/crew/status", json=action, headers=headers)
    again = phone.post("/api/crew/status", json=action, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert app.extensions["oms_live"].service.log.last_seq() == first.get_json()["seq"]


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


def test_the_plan_tells_each_outage_when_its_crew_should_be_done(
        app: Flask, client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """The model's ETR knows the kind of device and the storm, not the crew's queue:
    once planned, an outage's ETR is its crew's planned finish (with a margin, on the
    quarter hour), logged; a replan that meets it leaves it alone; a dispatcher's ETR
    stands against every plan after it."""
    outage_id = make_outage(client, dispatcher)
    client.post("/api/plan", headers=dispatcher)
    result = app.extensions["oms_live"].planner.result
    finish = result.finishes()[outage_id]
    detail = client.get(f"/api/outages/{outage_id}").get_json()
    etr = datetime.fromisoformat(detail["etr"])
    assert detail["etr_source"] == "plan" and etr == EtrPolicy().to_tell(None, finish)
    assert finish < etr <= finish + timedelta(minutes=25) and etr.minute % 15 == 0
    sets = len(list(app.extensions["oms_live"].service.log.read()))
    client.post("/api/plan", headers=dispatcher)
    assert len(list(app.extensions["oms_live"].service.log.read())) == sets  # no news
    client.post(f"/api/outages/{outage_id}/etr", json={"etr": "2099-01-01T10:00:00Z"},
                headers=dispatcher)
    client.post("/api/plan", headers=dispatcher)
    detail = client.get(f"/api/outages/{outage_id}").get_json()
    assert (detail["etr"], detail["etr_source"]) == ("2099-01-01T10:00:00+00:00", "dispatcher")
    # Withdrawn, the estimate stands in until the plan (asked for anew) tells the finish.
    assert client.delete(f"/api/outages/{outage_id}/etr", headers=dispatcher).status_code == 201
    assert client.get(f"/api/outages/{outage_id}").get_json()["etr_source"] == "model"
    client.post("/api/plan", headers=dispatcher)
    detail = client.get(f"/api/outages/{outage_id}").get_json()
    finish = app.extensions["oms_live"].planner.result.finishes()[outage_id]
    assert detail["etr_source"] == "plan"
    assert datetime.fromisoformat(detail["etr"]) == EtrPolicy().to_tell(None, finish)


def test_a_crew_on_site_has_no_eta(app: Flask, client: FlaskClient,
                                   dispatcher: dict[str, str]) -> None:
    """Assigned and en route, the dashboard and the customer see when the crew should
    arrive; on site, no ETA (the plan's would be the moment it was made)."""
    outage_id = make_outage(client, dispatcher)
    client.post("/api/plan", headers=dispatcher)
    crew = client.get(f"/api/outages/{outage_id}").get_json()["crew_id"]
    phone = app.test_client()
    headers = login(phone, f"crew{crew[1:]}")

    def etas() -> tuple[object, object]:
        listed = next(o for o in client.get("/api/outages").get_json() if o["id"] == outage_id)
        status = client.get("/api/customers/cust.000001/status").get_json()
        return listed["crew_eta"], status["outage"]["crew_eta"]

    assert all(etas())
    assert phone.post("/api/crew/status", headers=headers,
                      json={"status": "on_site", "outage_id": outage_id}).status_code == 201
    client.post("/api/plan", headers=dispatcher)
    assert etas() == (None, None)


def test_the_crew_at_the_job_says_when_the_power_is_back(app: Flask, client: FlaskClient,
                                                        dispatcher: dict[str, str]) -> None:
    """On site, the crew says two hours: its customers are told that (no plan moves it)
    and the plan has the crew busy till then; another crew may not say it, nor a time
    already past."""
    outage_id = make_outage(client, dispatcher)
    phone, headers = assigned_to_c1(app, client, dispatcher, outage_id)
    assert phone.post("/api/crew/status", headers=headers,
                      json={"status": "on_site", "outage_id": outage_id}).status_code == 201
    now = app.extensions["oms_live"].now()
    etr = (now + timedelta(hours=2)).replace(microsecond=0)
    said = phone.post("/api/crew/etr", headers=headers,
                      json={"outage_id": outage_id, "etr": etr.isoformat()})
    assert said.status_code == 201, said.get_json()
    client.post("/api/plan", headers=dispatcher)
    detail = client.get(f"/api/outages/{outage_id}").get_json()
    assert (datetime.fromisoformat(detail["etr"]), detail["etr_source"]) == (etr, "crew")
    finish = app.extensions["oms_live"].planner.result.finishes()[outage_id]
    assert abs(finish - etr) < timedelta(minutes=1)
    jobs = phone.get("/api/crew/jobs", headers=headers).get_json()["jobs"]
    # The phone shows what the customers are told: the crew's time, to the quarter hour.
    assert (jobs[0]["etr"], jobs[0]["etr_source"]) == (round_up(etr).isoformat(), "crew")
    past = phone.post("/api/crew/etr", headers=headers,
                      json={"outage_id": outage_id, "etr": (now - timedelta(hours=1)).isoformat()})
    assert past.status_code == 422
    zoneless = phone.post("/api/crew/etr", headers=headers,
                          json={"outage_id": outage_id, "etr": "2099-01-01T10:00:00"})
    assert zoneless.status_code == 422 and "zone" in zoneless.get_json()["error"]
    other = app.test_client()
    other_headers = login(other, "crew2")
    assert other.post("/api/crew/etr", headers=other_headers,
                      json={"outage_id": outage_id, "etr": etr.isoformat()}).status_code == 403


def test_a_crew_whose_job_went_is_free_again(client: FlaskClient,
                                             dispatcher: dict[str, str]) -> None:
    """The plan gives a crew the outage; the dispatcher cancels it (a false report): the
    next plan leaves that crew available, not 'assigned' to nothing."""
    outage_id = make_outage(client, dispatcher)
    plan = client.post("/api/plan", headers=dispatcher).get_json()
    crew_id = next(c for c, jobs in plan["routes"].items() if outage_id in jobs)
    status = {c["id"]: c["status"] for c in client.get("/api/crews").get_json()}
    assert status[crew_id] == "assigned"
    client.post(f"/api/outages/{outage_id}/cancel", headers=dispatcher)
    client.post("/api/plan", headers=dispatcher)
    status = {c["id"]: c["status"] for c in client.get("/api/crews").get_json()}
    assert status[crew_id] == "available"


def test_a_crew_past_its_time_moves_the_etr_with_no_event(tmp_path: Path,
                                                          network: Network) -> None:
    """On site and past the time its job should take, with nothing else happening: the
    clock asks for a new plan once the last is five minutes old, and that plan tells the
    customers a later ETR (theirs had passed)."""
    clock = SetClock(datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    app = create_app(make_config(tmp_path, network, CLOCK=clock))
    live = app.extensions["oms_live"]
    client = app.test_client()
    dispatcher = login(client, "disp")
    outage_id = make_outage(client, dispatcher)
    phone, headers = assigned_to_c1(app, client, dispatcher, outage_id)
    phone.post("/api/crew/status", headers=headers,
               json={"status": "on_site", "outage_id": outage_id})
    live.planner.run()
    told = live.outage(outage_id).etr
    assert not live.replan_if_stale()  # a plan made just now
    clock.t = told + timedelta(minutes=20)
    assert live.replan_if_stale()
    live.planner.run()
    later = live.outage(outage_id).etr
    assert later is not None and told is not None and later > clock.t > told
    live.store.close()


def test_plan_without_crews_drops_jobs(tmp_path: Path, network: Network) -> None:
    """An empty roster (a fresh production start) plans nothing and drops every job,
    instead of handing OR-Tools zero vehicles (which aborts the process)."""
    app = create_app(make_config(tmp_path, network, CREWS=[]))
    client = app.test_client()
    outage_id = make_outage(client, login(client, "disp"))
    plan = app.extensions["oms_live"].planner.run()
    assert plan.plan.routes == {}
    assert [d.job for d in plan.plan.dropped] == [outage_id]
    app.extensions["oms_live"].store.close()


def test_the_response_kpi_names_outages_waiting_over_two_hours(
        app: Flask, client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """Reported three hours ago, nobody on site: overdue on the dashboard; a crew on
    site answers it, late."""
    reported = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    for customer in ("cust.000001", "cust.000002"):
        response = client.post("/api/events", headers=dispatcher, json={
            "type": "call", "customer_id": customer, "time": reported})
        assert response.status_code == 201, response.get_json()
    (outage_id,) = response.get_json()["outages"]
    kpis = client.get("/api/kpis").get_json()["response"]
    assert kpis["overdue"] == [outage_id] and kpis["target_minutes"] == 120
    phone, headers = assigned_to_c1(app, client, dispatcher, outage_id)
    assert phone.post("/api/crew/status", headers=headers,
                      json={"status": "on_site", "outage_id": outage_id}).status_code == 201
    kpis = client.get("/api/kpis").get_json()["response"]
    assert (kpis["overdue"], kpis["answered"], kpis["within_target"]) == ([], 1, 0)
    assert client.get(f"/api/outages/{outage_id}").get_json()["arrived"]


def test_a_restoration_sent_late_keeps_the_time_it_was_done(tmp_path: Path,
                                                             network: Network) -> None:
    """A crew restores out of signal; its phone sends the action forty minutes later with
    the time it was done: the outage is restored then (its customers' minutes end then),
    not when the phone found signal."""
    clock = SetClock(datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    app = create_app(make_config(tmp_path, network, CLOCK=clock))
    client = app.test_client()
    dispatcher = login(client, "disp")
    outage_id = make_outage(client, dispatcher)
    phone, headers = assigned_to_c1(app, client, dispatcher, outage_id)
    done = clock.t + timedelta(minutes=20)
    clock.t += timedelta(minutes=60)
    response = phone.post("/api/crew/status", headers=headers, json={
        "status": "restored", "outage_id": outage_id, "at": done.isoformat()})
    assert response.status_code == 201, response.get_json()
    restored = client.get(f"/api/outages/{outage_id}").get_json()["restored"]
    assert datetime.fromisoformat(restored) == done
    # Back in twenty minutes, told at least half an hour: the promise kept.
    assert client.get("/api/kpis").get_json()["etrs"] == {"restored": 1, "kept": 1,
                                                          "share_kept": 1.0}
    app.extensions["oms_live"].store.close()

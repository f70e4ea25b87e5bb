"""POST /api/events: acknowledged only once durable; bad input is a 4xx saying why."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from outage.log import EventLog
from tests.outage.conftest import engine_fails_on
from tests.web.conftest import login, make_outage


def test_event_acknowledged_with_seq_and_logged(app: Flask, client: FlaskClient,
                                                dispatcher: dict[str, str]) -> None:
    """A call is 201 with its sequence number, and that event is in the durable log."""
    response = client.post("/api/events", json={"type": "call", "customer_id": "cust.000010",
                                                "channel": "ivr"}, headers=dispatcher)
    assert response.status_code == 201
    seq = response.get_json()["seq"]
    log = EventLog(app.config["EVENT_LOG"])
    logged = dict(log.read())
    log.close()
    assert logged[seq]["customer_id"] == "cust.000010"


def test_unknown_channel_accepted_with_a_note(app: Flask, client: FlaskClient,
                                             dispatcher: dict[str, str]) -> None:
    """A call from a channel the system does not know is still a call: 201 with a note,
    logged with the label it arrived with."""
    response = client.post("/api/events", json={"type": "call", "customer_id": "cust.000010",
                                                "channel": "Chatbot"}, headers=dispatcher)
    assert response.status_code == 201
    body = response.get_json()
    assert "taken as other" in body["notes"][0]
    log = EventLog(app.config["EVENT_LOG"])
    logged = dict(log.read())
    log.close()
    assert logged[body["seq"]]["channel"] == "Chatbot"


def test_an_event_the_engine_fails_on_is_kept_and_counted(
    app: Flask, client: FlaskClient, dispatcher: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A defect that makes the engine fail on an event (simulated): the event is logged,
    the intake gets 201 with a warning, the control room's KPIs count it, and the next
    event is applied as usual."""
    engine_fails_on(monkeypatch, "cust.000010")
    response = client.post("/api/events", json={"type": "call", "customer_id": "cust.000010"},
                           headers=dispatcher)
    assert response.status_code == 201
    assert "internal error" in response.get_json()["warning"]
    assert client.get("/api/kpis").get_json()["engine_faults"] == 1
    make_outage(client, dispatcher)


class _At:
    """A clock stopped at one time."""

    def __init__(self, when: datetime) -> None:
        self.when = when

    def now(self) -> datetime:
        return self.when


def test_a_quiet_minute_is_logged_as_a_tick(app: Flask, client: FlaskClient,
                                            dispatcher: dict[str, str]) -> None:
    """No tick before anything happened or while events keep time; a minute after the
    last event, one tick, durable in the log like any event."""
    live = app.extensions["oms_live"]
    assert live.tick_if_quiet() is None
    make_outage(client, dispatcher)
    assert live.tick_if_quiet() is None
    live.clock = _At(live.now() + timedelta(minutes=2))
    receipt = live.tick_if_quiet()
    assert receipt is not None
    log = EventLog(app.config["EVENT_LOG"])
    logged = dict(log.read())
    log.close()
    assert logged[receipt.seq]["type"] == "tick"
    assert live.tick_if_quiet() is None  # the tick kept time


def test_two_calls_make_an_outage_listed(client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """Neighbours' calls become an outage visible in the list and in detail."""
    outage_id = make_outage(client, dispatcher)
    listed = client.get("/api/outages").get_json()
    assert [o["id"] for o in listed] == [outage_id]
    detail = client.get(f"/api/outages/{outage_id}").get_json()
    assert "cust.000001" in detail["customer_ids"]


def test_malformed_json_is_400(client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """A body that is not JSON is refused with the parser's reason."""
    response = client.post("/api/events", data="{not json",
                           headers={**dispatcher, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert "not valid JSON" in response.get_json()["error"]


def test_a_body_nested_too_deeply_is_400(client: FlaskClient,
                                          dispatcher: dict[str, str]) -> None:
    """A hostile body (arrays nested five thousand deep) is refused, not a 500."""
    response = client.post("/api/events", data="[" * 5_000 + "]" * 5_000,
                           headers={**dispatcher, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert "nested too deeply" in response.get_json()["error"]


def test_non_object_body_is_400(client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """A JSON array is not an event."""
    response = client.post("/api/events", json=[1, 2], headers=dispatcher)
    assert response.status_code == 400
    assert "JSON object" in response.get_json()["error"]


def test_missing_field_is_422_naming_it(client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """A meter event without a state says which field is wrong."""
    response = client.post("/api/events", json={"type": "meter", "customer_id": "cust.000001"},
                           headers=dispatcher)
    assert response.status_code == 422
    assert "state" in response.get_json()["error"]


def test_unknown_customer_is_422(client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """An id the network does not have is refused, not dropped."""
    response = client.post("/api/events", json={"type": "call", "customer_id": "nobody"},
                           headers=dispatcher)
    assert response.status_code == 422
    assert "nobody" in response.get_json()["error"]


def test_crew_event_type_not_accepted_here(client: FlaskClient,
                                           dispatcher: dict[str, str]) -> None:
    """Crew and dispatcher events have their own endpoints (roles checked there)."""
    response = client.post("/api/events", json={"type": "crew", "outage_id": "O1",
                                                "status": "restored"}, headers=dispatcher)
    assert response.status_code == 422


def test_oversized_body_is_413(client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """Bodies above MAX_CONTENT_LENGTH are refused before parsing."""
    big = {"type": "call", "customer_id": "cust.000001", "text": "x" * 100_000}
    response = client.post("/api/events", json=big, headers=dispatcher)
    assert response.status_code == 413
    assert response.get_json()["status"] == 413


def test_wrong_content_type_is_415(client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """Form-encoded bodies are not JSON."""
    response = client.post("/api/events", data={"type": "call"}, headers=dispatcher)
    assert response.status_code in (403, 415)


def test_anonymous_is_401(client: FlaskClient) -> None:
    """Without a session or a bearer token the intake is closed."""
    token = client.get("/api/session").get_json()["csrf_token"]
    response = client.post("/api/events", json={"type": "call", "customer_id": "cust.000001"},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 401


def test_missing_csrf_is_403(client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """A session cookie alone cannot change anything (CSRF)."""
    response = client.post("/api/events", json={"type": "call", "customer_id": "cust.000001"})
    assert response.status_code == 403
    assert "CSRF" in response.get_json()["error"]


def test_crew_role_cannot_post_events(client: FlaskClient) -> None:
    """Roles are checked: a crew login is 403 on the intake."""
    headers = login(client, "crew1")
    response = client.post("/api/events", json={"type": "call", "customer_id": "cust.000001"},
                           headers=headers)
    assert response.status_code == 403


def test_bearer_token_intake(client: FlaskClient) -> None:
    """Intake systems use a bearer token (no cookie, so no CSRF); a wrong one is 401."""
    event = {"type": "meter", "customer_id": "cust.000001", "state": "off"}
    ok = client.post("/api/events", json=event, headers={"Authorization": "Bearer ivr-token"})
    assert ok.status_code == 201
    bad = client.post("/api/events", json=event, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_secrets_with_any_characters_are_refused_not_crashed(
        client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """A header may carry any character (read as latin-1): a token or CSRF value that
    is not ASCII is wrong, a 401 or 403, not a server error (found by the fuzz test)."""
    event = {"type": "call", "customer_id": "cust.000001"}
    token = client.post("/api/events", json=event,
                        headers={"Authorization": "Bearer ivr-tökén\xff"})
    assert token.status_code == 401
    csrf = client.post("/api/events", json=event, headers={"X-CSRF-Token": "é" * 40})
    assert csrf.status_code == 403 and "CSRF" in csrf.get_json()["error"]


def test_idempotency_key_dedupes(app: Flask, client: FlaskClient,
                                 dispatcher: dict[str, str]) -> None:
    """A retried request with the same key returns the first answer and logs nothing more."""
    headers = {**dispatcher, "Idempotency-Key": "abc-1"}
    event = {"type": "call", "customer_id": "cust.000020"}
    first = client.post("/api/events", json=event, headers=headers)
    again = client.post("/api/events", json=event, headers=headers)
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert app.extensions["oms_live"].service.log.last_seq() == first.get_json()["seq"]


def test_idempotency_key_is_committed_with_the_event(app: Flask, client: FlaskClient,
                                                     dispatcher: dict[str, str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The key goes into the event log with the event: a retry after the first response
    was lost (never stored by the web layer) is still not logged twice."""
    state = app.extensions["oms_live"]
    monkeypatch.setattr(state.store, "remember", lambda *args: None)  # "crashed" before
    headers = {**dispatcher, "Idempotency-Key": "lost-1"}
    event = {"type": "call", "customer_id": "cust.000020"}
    first = client.post("/api/events", json=event, headers=headers)
    again = client.post("/api/events", json=event, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json()["seq"] == first.get_json()["seq"] == state.service.log.last_seq()
    other = client.post("/api/events", json=event, headers={**dispatcher,
                                                            "Idempotency-Key": "lost-2"})
    assert other.get_json()["seq"] == first.get_json()["seq"] + 1


def test_unknown_route_is_json_404(client: FlaskClient) -> None:
    """Even unknown URLs answer JSON."""
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_an_event_dated_ahead_of_the_server_clock_is_taken_as_received(
    app: Flask, client: FlaskClient, dispatcher: dict[str, str]
) -> None:
    """A head-end whose clock runs a day fast: its last gasp is news now, taken as
    received (the receipt's note names both times), so the live time stays the server's.
    Two minutes fast (within the usual tolerance between systems' clocks) keeps its time."""
    live = app.extensions["oms_live"]
    now = live.clock.now()
    ahead = (now + timedelta(days=1)).isoformat()
    response = client.post("/api/events", json={"type": "meter", "customer_id": "cust.000010",
                                                "state": "off", "time": ahead},
                           headers=dispatcher)
    assert response.status_code == 201
    [note] = response.get_json()["notes"]
    assert "1,440 minutes ahead" in note and "taken as received" in note
    log = EventLog(app.config["EVENT_LOG"])
    [(_, logged)] = list(log.read())
    log.close()
    assert logged["time"] != ahead
    assert abs(datetime.fromisoformat(logged["time"]) - now) < timedelta(minutes=1)
    assert live.now() < now + timedelta(minutes=5)
    soon = (now + timedelta(minutes=2)).isoformat()
    response = client.post("/api/events", json={"type": "meter", "customer_id": "cust.000010",
                                                "state": "off", "time": soon},
                           headers=dispatcher)
    assert response.status_code == 201 and response.get_json()["notes"] == []


def test_an_event_dated_years_back_is_taken_as_received(app: Flask, client: FlaskClient,
                                                       dispatcher: dict[str, str]) -> None:
    """A last gasp dated 1970 (a meter whose clock the outage reset) and a call dated
    months back (a phone system's clock, a scenario's fixed dates) are news now: taken as
    received, each with a note, and nothing is dated back. Yesterday evening's report,
    queued on a phone all night (under a day late), keeps its time."""
    now = app.extensions["oms_live"].clock.now()
    for customer, event in (("cust.000010", {"type": "meter", "state": "off",
                                             "time": "1970-01-01T00:00:00Z"}),
                            ("cust.000011", {"type": "call", "time": "2026-07-01T14:03:00Z"})):
        response = client.post("/api/events", json={**event, "customer_id": customer},
                               headers=dispatcher)
        assert response.status_code == 201
        [note] = response.get_json()["notes"]
        assert "hours before this system's clock" in note and "taken as received" in note
        status = client.get(f"/api/customers/{customer}/status").get_json()
        since = status["outage"]["since"] if status["power"] == "off" else status["reported_at"]
        assert abs(datetime.fromisoformat(since) - now) < timedelta(minutes=1)
    log = EventLog(app.config["EVENT_LOG"])
    assert not any(e["time"].startswith(("1970", "2026-07")) for _, e in log.read())
    log.close()
    queued = (now - timedelta(hours=14)).isoformat()
    response = client.post("/api/events", json={"type": "call", "customer_id": "cust.000012",
                                                "time": queued}, headers=dispatcher)
    assert response.status_code == 201 and response.get_json()["notes"] == []

"""The complaints desk through the API: filed by a customer or an agent, worked by the
desk, durable, sealed, the complainant told at both ends, the targets measured."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gis import Network
from tests.web.conftest import NEIGHBOURS, SetClock, login, make_config
from web import create_app
from web.notify import FOLLOW_UP

GATEWAY = {"Authorization": "Bearer sms-token"}
PHONE = "+1 503 555 0142"
WORDS = "My bill doubled this month and nobody explains the new tariff"


def _public(client: FlaskClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/session").get_json()["csrf_token"]}


def _file_public(client: FlaskClient, **body: object) -> dict[str, object]:
    response = client.post("/api/complaints", headers=_public(client),
                           json={"text": WORDS, **body})
    assert response.status_code == 201, response.get_json()
    data: dict[str, object] = response.get_json()
    return data


def _texts(client: FlaskClient) -> list[str]:
    return [m["text"] for m in client.get("/api/outbox", headers=GATEWAY).get_json()["messages"]]


def test_a_customer_files_and_learns_only_reference_class_and_deadlines(
        client: FlaskClient) -> None:
    """From the status page: the answer names the reference, class, department and the
    two deadlines, and nothing else; the customer gets the same in a text."""
    data = _file_public(client, account="cust.000001",
                        contact={"channel": "sms", "address": PHONE})
    assert set(data) == {"reference", "category", "department", "acknowledge_by", "resolve_by",
                         "resolve_by_day"}
    assert (data["category"], data["department"]) == ("price", "Billing")
    received = datetime.fromisoformat(str(data["acknowledge_by"])) - timedelta(hours=1)
    assert datetime.fromisoformat(str(data["resolve_by"])) - received >= timedelta(days=5)
    [text] = _texts(client)
    assert text.startswith(f"Willow River Power: we have your complaint, reference "
                           f"{data['reference']} (price, for our Billing team)")
    day = date.fromisoformat(str(data["resolve_by_day"]))
    assert text.endswith(f"our answer by {day:%A} {day.day} {day:%B}.")


def test_the_public_must_say_who_or_how_to_answer(client: FlaskClient) -> None:
    """No account and no contact: a 400 that says what to give; a bad class or contact is
    named; an unknown account is a 404; the public cannot read the register."""
    cases = [({"text": WORDS}, 400, "account number"),
             ({"text": WORDS, "account": "cust.000001", "category": "weather"}, 400,
              "category must be one of"),
             ({"text": WORDS, "contact": {"channel": "fax", "address": "1"}}, 400, "channel"),
             ({"text": "  ", "account": "cust.000001"}, 400, "'text' must not be empty"),
             ({"text": WORDS, "account": "nobody"}, 404, "no customer")]
    for body, status, words in cases:
        response = client.post("/api/complaints", headers=_public(client), json=body)
        assert response.status_code == status, (body, response.get_json())
        assert words in response.get_json()["error"]
    assert client.get("/api/complaints").status_code == 401
    assert client.get("/api/complaints").get_json()["error"].startswith("sign in")


def test_the_desk_works_a_complaint_to_its_resolution(client: FlaskClient) -> None:
    """An agent takes it up, re-routes it, resolves it: the register shows each step, a
    second take-up is a 409, and the complainant hears the resolution with the request
    to rate the service."""
    ref = _file_public(client, contact={"channel": "sms", "address": PHONE},
                       text="The agent on the phone was rude")["reference"]
    desk = login(client, "agent1")
    [row] = client.get("/api/complaints").get_json()["complaints"]
    assert (row["reference"], row["status"], row["category"]) == (ref, "received", "service")
    assert row["contact"] == {"channel": "sms", "address": PHONE}
    for kind, body in (("acknowledge", {}), ("route", {"category": "policy"}),
                       ("resolve", {"resolution": "We apologised and retrained the agent."})):
        response = client.post(f"/api/complaints/{ref}/{kind}", headers=desk, json=body)
        assert response.status_code == 201, response.get_json()
    again = client.post(f"/api/complaints/{ref}/acknowledge", headers=desk)
    assert again.status_code == 409 and "taken up already by agent1" in again.get_json()["error"]
    c = client.get(f"/api/complaints/{ref}").get_json()
    assert (c["status"], c["owner"], c["department"]) == ("resolved", "agent1",
                                                           "Regulatory Affairs")
    assert [s["kind"] for s in c["history"]] == ["file", "acknowledge", "route", "resolve"]
    assert client.get("/api/complaints").get_json()["complaints"] == []
    assert len(client.get("/api/complaints?status=all").get_json()["complaints"]) == 1
    assert client.get("/api/complaints?limit=0").status_code == 400
    texts = _texts(client)
    assert texts[-1] == (f"Willow River Power: your complaint {ref} is resolved: We "
                         f"apologised and retrained the agent. {FOLLOW_UP}")


def test_roles(client: FlaskClient) -> None:
    """Crews may not read or file complaints; a dispatcher may (the control room also
    answers the phone in a storm)."""
    ref = _file_public(client, account="cust.000001")["reference"]
    crew = login(client, "crew1")
    assert client.get("/api/complaints").status_code == 403
    assert client.post("/api/complaints", headers=crew, json={"text": WORDS,
                                                               "channel": "phone"}
                       ).status_code == 403
    dispatcher = login(client, "disp")
    response = client.post("/api/complaints", headers=dispatcher,
                           json={"text": WORDS, "channel": "phone", "account": "cust.000002"})
    assert response.status_code == 201 and response.get_json()["channel"] == "phone"
    assert client.get(f"/api/complaints/{ref}").status_code == 200
    assert client.get("/api/complaints/C-424242").status_code == 404


def test_the_desk_sees_the_complainants_supply(client: FlaskClient) -> None:
    """A complaint from a customer who is out: the desk sees since when and the outage's
    reference (the agent calling back should know); one without an account, none."""
    ivr = {"Authorization": "Bearer ivr-token"}
    outages: list[str] = []
    for customer in NEIGHBOURS[:2]:  # two neighbours call: an outage at their transformer
        outages = client.post("/api/events", headers=ivr, json={
            "type": "call", "customer_id": customer}).get_json()["outages"]
    ref = _file_public(client, account="cust.000001",
                       text="Out for hours and nobody answered")["reference"]
    anonymous = _file_public(client, contact={"channel": "email", "address": "a@b.example"})
    login(client, "agent1")
    supply = client.get(f"/api/complaints/{ref}").get_json()["supply"]
    assert supply["power"] == "off" and [supply["outage"]["reference"]] == outages
    assert client.get(f"/api/complaints/{anonymous['reference']}").get_json()["supply"] is None


def test_the_register_survives_a_restart_and_its_words_are_sealed(
        tmp_path: Path, network: Network) -> None:
    """Restarted on the same database, the register is as it was; the complaint's words
    and the contact are not in the database file in clear; the hour's clock and the
    five working days run on the utility's calendar (a holiday skipped)."""
    clock = SetClock(datetime(2026, 12, 24, 17, 0, tzinfo=UTC))  # Thursday 09:00 local
    config = make_config(tmp_path, network, CLOCK=clock, HOLIDAYS="2026-12-25,2027-01-01")
    first = create_app(config)
    client = first.test_client()
    ref = _file_public(client, account="cust.000001",
                       contact={"channel": "sms", "address": PHONE})["reference"]
    desk = login(client, "agent1")
    clock.t += timedelta(minutes=90)
    client.post(f"/api/complaints/{ref}/note", headers=desk, json={"note": "left a voicemail"})
    before = client.get(f"/api/complaints/{ref}").get_json()
    first.extensions["oms_live"].store.close()
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("events.db*"))  # WAL too
    assert b"tariff" not in raw and b"555 0142" not in raw and b"voicemail" not in raw
    second = create_app(config)
    again = second.test_client()
    login(again, "agent1")
    assert again.get(f"/api/complaints/{ref}").get_json() == before
    # Thu 24 Dec (received), Fri 25 off, weekend off: Mon 28 … Thu 31, Mon 4 Jan (1 Jan off)
    assert before["resolve_by"] == "2027-01-05T00:00:00-08:00"
    assert before["acknowledge_overdue"] is True
    kpis = again.get("/api/complaints/summary").get_json()
    assert kpis["awaiting_acknowledgement"] == [ref] and kpis["acknowledged_in_time"] == 0.0
    second.extensions["oms_live"].store.close()


def test_a_retried_filing_is_one_complaint(client: FlaskClient) -> None:
    """The same Idempotency-Key twice: one complaint, the first answer replayed."""
    headers = {**_public(client), "Idempotency-Key": "form-1"}
    first = client.post("/api/complaints", headers=headers,
                        json={"text": WORDS, "account": "cust.000001"})
    second = client.post("/api/complaints", headers=headers,
                         json={"text": WORDS, "account": "cust.000001"})
    assert first.get_json() == second.get_json()
    login(client, "agent1")
    assert len(client.get("/api/complaints").get_json()["complaints"]) == 1


def test_the_control_room_kpis_carry_the_complaints(app: Flask, client: FlaskClient,
                                                    dispatcher: dict[str, str]) -> None:
    """The KPIs report the register: received, open, by class."""
    _file_public(app.test_client(), account="cust.000001")
    kpis = client.get("/api/kpis").get_json()["complaints"]
    assert (kpis["received"], kpis["open"], kpis["by_category"]) == (1, 1, {"price": 1})


def test_a_desk_page_hears_of_each_complaint(app: Flask, client: FlaskClient) -> None:
    """A signed-in agent's socket joins the desk's room and receives each new complaint."""
    from web.extensions import socketio

    login(client, "agent1")
    socket = socketio.test_client(app, flask_test_client=client)
    hello = [m for m in socket.get_received() if m["name"] == "hello"]
    assert hello[0]["args"][0]["rooms"] == ["public", "complaints"]
    _file_public(app.test_client(), account="cust.000001")
    [event] = [m for m in socket.get_received() if m["name"] == "complaint"]
    assert event["args"][0]["category"] == "price"
    socket.disconnect()


def test_sqlite_rows_are_actions(tmp_path: Path, network: Network) -> None:
    """The database holds one row per action, in order (the register is their fold)."""
    app = create_app(make_config(tmp_path, network))
    client = app.test_client()
    ref = _file_public(client, account="cust.000001")["reference"]
    desk = login(client, "agent1")
    client.post(f"/api/complaints/{ref}/acknowledge", headers=desk)
    app.extensions["oms_live"].store.close()
    with sqlite3.connect(tmp_path / "events.db") as db:
        rows = db.execute("SELECT reference, kind, by FROM web_complaint_actions ORDER BY id")
        assert rows.fetchall() == [(ref, "file", "customer"), (ref, "acknowledge", "agent1")]


def test_the_follow_up_of_a_resolution_reaches_the_desk(client: FlaskClient) -> None:
    """The complainant rates the resolution by replying to its text: the desk reads the
    reply and the rating, as the control room does."""
    ref = _file_public(client, contact={"channel": "sms", "address": PHONE})["reference"]
    desk = login(client, "agent1")
    client.post(f"/api/complaints/{ref}/resolve", headers=desk,
                json={"resolution": "Refund of 12.40 issued."})
    [*_, resolved] = client.get("/api/outbox", headers=GATEWAY).get_json()["messages"]
    assert client.post("/api/outbox/sent", headers=GATEWAY,
                       json={"ids": [resolved["id"]]}).status_code == 200
    reply = client.post("/api/outbox/replies", headers=GATEWAY,
                        json={"message_id": resolved["id"], "text": "4 - fair enough"})
    assert reply.status_code == 201, reply.get_json()
    [said] = client.get("/api/outbox/replies").get_json()["replies"]
    assert (said["rating"], said["text"]) == (4, "4 - fair enough")
    assert client.get("/api/complaints/summary").get_json()["satisfaction"] == {
        "ratings": 1, "mean": 4.0}



def test_the_register_lists_the_urgent_first_and_all_the_newest_first(
        client: FlaskClient) -> None:
    """Open complaints oldest first (the most urgent); all of them newest first; a limit
    cuts the list."""
    refs = [_file_public(client, account=f"cust.00000{k}")["reference"] for k in (1, 2, 3)]
    desk = login(client, "agent1")
    client.post(f"/api/complaints/{refs[0]}/resolve", headers=desk, json={"resolution": "ok"})
    listed = lambda query: [c["reference"] for c in client.get(  # noqa: E731
        f"/api/complaints{query}").get_json()["complaints"]]
    assert listed("") == refs[1:]
    assert listed("?status=all") == refs[::-1]
    assert listed("?status=all&limit=2") == refs[:0:-1]


def test_the_status_page_shows_the_accounts_own_complaints_without_their_words(
        client: FlaskClient) -> None:
    """A lookup of the account lists its complaints, newest first: where each stands,
    who has it, the day of its answer; not the words, the notes or the answer, which go
    to the complainant's own contact (an account number is not a password)."""
    first = _file_public(client, account="cust.000001", text="The crew was rude to me")
    second = _file_public(client, account="cust.000001")
    _file_public(client, account="cust.000002")
    desk = login(client, "agent1")
    client.post(f"/api/complaints/{first['reference']}/resolve", headers=desk,
                json={"resolution": "We apologised to Mrs Smith at 12 Elm St."})
    listed = client.get("/api/customers/cust.000001/status").get_json()["complaints"]
    assert [c["reference"] for c in listed] == [second["reference"], first["reference"]]
    assert [c["status"] for c in listed] == ["received", "resolved"]
    assert "rude" not in str(listed) and "Smith" not in str(listed)
    assert listed[0]["resolve_by_day"] == second["resolve_by_day"]


def test_a_complaint_nobody_takes_up_goes_to_its_supervisor_once(
        tmp_path: Path, network: Network) -> None:
    """An hour after a price complaint came in, nobody has it: the clock escalates it to
    Billing's supervisor (configured) and to the one watching every department — texts
    in the outbox naming it — and its history and the desk say so; the next tick, and a
    restart, tell nobody again."""
    clock = SetClock(datetime(2026, 12, 2, 17, 0, tzinfo=UTC))  # Wednesday 09:00 local
    escalation = {"Billing": [{"channel": "email", "address": "billing.lead@example.org"}],
                  "*": [{"channel": "sms", "address": "+1 503 555 0199"}]}
    config = make_config(tmp_path, network, CLOCK=clock, COMPLAINT_ESCALATION=escalation)
    app = create_app(config)
    client = app.test_client()
    ref = _file_public(client, account="cust.000001")["reference"]
    desk = app.extensions["oms_live"].complaints
    clock.t += timedelta(minutes=59)
    assert desk.escalate_due() == 0
    clock.t += timedelta(minutes=2)
    assert desk.escalate_due() == 1 and desk.escalate_due() == 0
    messages = client.get("/api/outbox", headers=GATEWAY).get_json()["messages"]
    told = {m["contact"]: m["text"] for m in messages}
    assert set(told) == {"billing.lead@example.org", "+1 503 555 0199"}
    assert f"complaint {ref} (price, web" in told["+1 503 555 0199"]
    assert "not taken up within the hour" in told["+1 503 555 0199"]
    login(client, "agent1")
    shown = client.get(f"/api/complaints/{ref}").get_json()
    assert shown["escalated"] == ["acknowledge"]
    assert shown["history"][-1]["note"].endswith("escalated to the Billing supervisor")
    app.extensions["oms_live"].store.close()
    again = create_app(config)
    assert again.extensions["oms_live"].complaints.escalate_due() == 0
    again.extensions["oms_live"].store.close()


@pytest.mark.parametrize(("setting", "words"), [
    ({"Marketing": []}, "'Marketing' is not a department"),
    ({"*": [{"channel": "fax", "address": "1"}]}, r"\['\*'\] #1: give channel"),
    ({"*": "boss@example.org"}, "must be a list"),
])
def test_a_wrong_escalation_setting_stops_the_start(tmp_path: Path, network: Network,
                                                    setting: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        create_app(make_config(tmp_path, network, COMPLAINT_ESCALATION=setting))

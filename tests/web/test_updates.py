"""Updates to subscribed customers: sealed contacts, the texts, the gateway's outbox."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

from gis import Network
from tests.web.conftest import NEIGHBOURS, login, make_config, make_outage
from tests.web.test_api_dispatch import assigned_to_c1
from web import create_app
from web.notify import FOLLOW_UP, Updates, rating_of
from web.privacy import ContactCipher

GATEWAY = {"Authorization": "Bearer sms-token"}
PHONE = "+1 503 555 0199"


def _subscribe(client: FlaskClient, customer_id: str, contact: str = PHONE) -> None:
    token = client.get("/api/session").get_json()["csrf_token"]
    response = client.post("/api/customers/subscribe", headers={"X-CSRF-Token": token},
                           json={"account": customer_id, "channel": "sms", "contact": contact})
    assert response.status_code == 201, response.get_json()


def _texts(client: FlaskClient) -> list[str]:
    response = client.get("/api/outbox", headers=GATEWAY)
    assert response.status_code == 200, response.get_json()
    messages = response.get_json()["messages"]
    assert all(m["contact"] == PHONE and m["channel"] == "sms" for m in messages)
    return [m["text"] for m in messages]


def test_a_subscriber_hears_of_the_outage_the_crew_and_the_restoration(
        app: Flask, client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """Subscribed with power on: a welcome; their own call acknowledged; then the outage
    found (the neighbour's call), the crew on its way, the power back with a request to
    rate the service — one message each, in order."""
    _subscribe(client, NEIGHBOURS[0])
    outage_id = make_outage(client, dispatcher)
    phone, headers = assigned_to_c1(app, client, dispatcher, outage_id)
    for status in ("en_route", "restored"):
        response = phone.post("/api/crew/status", headers=headers,
                              json={"status": status, "outage_id": outage_id})
        assert response.status_code == 201, response.get_json()
    texts = _texts(client)
    assert texts[0].startswith("Willow River Power: you will get updates")
    assert texts[1] == ("Willow River Power: We have your report. It is not linked to a "
                        "known outage yet; we are checking the supply at your address.")
    assert "power outage at your address since" in texts[2] and outage_id in texts[2]
    assert any("on the way" in t for t in texts[3:-1])
    assert texts[-1].startswith("Willow River Power: power is back at your address")
    assert texts[-1].endswith(FOLLOW_UP)
    assert len(set(texts)) == len(texts)  # nothing said twice


def test_subscribed_during_an_outage_the_welcome_says_so_once(
        client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """The welcome carries the outage; a repeat call changes nothing worth a text."""
    outage_id = make_outage(client, dispatcher)
    _subscribe(client, NEIGHBOURS[0])
    again = client.post("/api/events", headers=dispatcher,
                        json={"type": "call", "customer_id": NEIGHBOURS[0]})
    assert again.status_code == 201
    (welcome,) = _texts(client)
    assert welcome.startswith("Willow River Power: you will get updates on the power supply "
                              "at your address. Power outage at your address since")
    assert outage_id in welcome


def test_an_outbox_that_fails_does_not_fail_the_event(
        app: Flask, client: FlaskClient, dispatcher: dict[str, str],
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The event is logged and applied before its updates are queued: a database error
    then is logged, naming the customers, and the event's answer stands."""
    _subscribe(client, NEIGHBOURS[0])

    def broken(messages: list[Any]) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(app.extensions["oms_live"].store, "queue", broken)
    with caplog.at_level(logging.ERROR, logger="web.live"):
        make_outage(client, dispatcher)  # asserts 201 for each call
    assert "not queued" in caplog.text and NEIGHBOURS[0] in caplog.text


def test_the_gateway_alone_reads_the_outbox_and_empties_it(client: FlaskClient) -> None:
    """Contacts are personal: another intake system (the IVR) is refused; the gateway
    reads the messages and says which it has sent."""
    _subscribe(client, NEIGHBOURS[0])
    ivr = client.get("/api/outbox", headers={"Authorization": "Bearer ivr-token"})
    assert ivr.status_code == 403 and "messaging gateway" in ivr.get_json()["error"]
    assert client.get("/api/outbox").status_code == 401
    messages = client.get("/api/outbox", headers=GATEWAY).get_json()["messages"]
    assert len(messages) == 1
    done = client.post("/api/outbox/sent", headers=GATEWAY, json={"ids": [messages[0]["id"]]})
    assert done.get_json() == {"removed": 1}
    assert client.get("/api/outbox", headers=GATEWAY).get_json()["messages"] == []
    bad = client.post("/api/outbox/sent", headers=GATEWAY, json={"ids": [2**70]})
    assert bad.status_code == 400


def test_a_reply_to_the_follow_up_is_a_rating(client: FlaskClient, tmp_path: Path,
                                              network: Network) -> None:
    """The gateway passes on a customer's reply to a message it sent: kept with the
    rating it gives (none in "thanks"), and the KPIs average the ratings, after a
    restart too; the control room reads the replies, newest first; a reply to a
    message never sent is 404."""
    _subscribe(client, NEIGHBOURS[0])
    (message,) = client.get("/api/outbox", headers=GATEWAY).get_json()["messages"]

    def reply(text: str, message_id: int = message["id"]) -> Any:
        return client.post("/api/outbox/replies", headers=GATEWAY,
                           json={"message_id": message_id, "text": text})

    assert reply("5").status_code == 404  # not sent yet
    client.post("/api/outbox/sent", headers=GATEWAY, json={"ids": [message["id"]]})
    assert reply("4 - quick work").get_json() == {"customer_id": NEIGHBOURS[0], "rating": 4}
    assert reply("thanks!").get_json()["rating"] is None
    assert reply("5/5").get_json()["rating"] == 5
    assert reply("3", message_id=999).status_code == 404
    ivr = client.post("/api/outbox/replies", headers={"Authorization": "Bearer ivr-token"},
                      json={"message_id": message["id"], "text": "1"})
    assert ivr.status_code == 403
    assert client.get("/api/outbox/replies", headers=GATEWAY).status_code == 403
    login(client, "disp")
    assert client.get("/api/kpis").get_json()["satisfaction"] == {"ratings": 2, "mean": 4.5}
    read = client.get("/api/outbox/replies?limit=2").get_json()["replies"]
    assert [(r["text"], r["rating"]) for r in read] == [("5/5", 5), ("thanks!", None)]
    assert all(r["customer_id"] == NEIGHBOURS[0] for r in read)
    again = create_app(make_config(tmp_path, network))
    restarted = again.test_client()
    login(restarted, "disp")
    assert restarted.get("/api/kpis").get_json()["satisfaction"] == {"ratings": 2, "mean": 4.5}
    again.extensions["oms_live"].store.close()


@pytest.mark.parametrize(("reply", "rating"), [
    ("5", 5), ("4 - quick work", 4), ("I'd say 3", 3), ("5/5", 5), ("rated 1!", 1),
    ("thanks", None), ("10/10", None), ("2.5", None), ("15", None)])
def test_the_rating_a_reply_gives(reply: str, rating: int | None) -> None:
    assert rating_of(reply) == rating


def test_contacts_are_sealed_at_rest(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    """Neither the subscription nor the queued message keeps the number in the clear:
    the database file does not contain it."""
    _subscribe(client, NEIGHBOURS[0])
    assert _texts(client)  # queued, and opened for the gateway
    assert PHONE.encode() not in (tmp_path / "events.db").read_bytes()
    (subscription,) = app.extensions["oms_live"].store.subscriptions([NEIGHBOURS[0]])
    assert subscription.contact == PHONE


def test_a_restart_with_another_key_sends_nothing_and_says_why(
        tmp_path: Path, network: Network, dispatcher: dict[str, str],
        caplog: pytest.LogCaptureFixture) -> None:
    """Contacts sealed under one key, a server started with another: no update goes
    out (it cannot be addressed), nothing fails, and the log says which and why."""
    first = create_app(make_config(tmp_path, network))
    _subscribe(first.test_client(), NEIGHBOURS[0])
    first.extensions["oms_live"].store.close()
    again = create_app(make_config(tmp_path, network, SECRET_KEY="another"))
    client = again.test_client()
    with caplog.at_level(logging.WARNING, logger="web.store"):
        make_outage(client, login(client, "disp"))
    assert client.get("/api/outbox", headers=GATEWAY).get_json()["messages"] == []
    assert "sealed under another key" in caplog.text
    again.extensions["oms_live"].store.close()


def _status(power: str, **extra: Any) -> dict[str, Any]:
    return {"power": power, "street": "Main St", "as_of": "2026-07-01T20:00:00+00:00", **extra}


class Outbox:
    """What `Updates` queues, kept in a list."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def queue(self, messages: list[tuple[object, str]]) -> None:
        self.texts += [text for _, text in messages]


def test_texts_say_local_times_and_what_changed() -> None:
    """Times in the utility's zone; an outage's reference, size, status and ETR; a report
    being checked; a check that found nothing after all; nothing when nothing was out;
    a welcome with the supply as it is."""
    outbox = Outbox()
    updates = Updates(outbox, "Willow River Power", ZoneInfo("America/Chicago"))  # type: ignore[arg-type]
    off = updates.text(_status("off", outage={
        "reference": "O000007", "since": "2026-07-01T19:05:00+00:00", "customers_affected": 1234,
        "status": "A crew is on the way", "etr": "2026-07-01T22:30:00+00:00"}))
    assert off == ("Willow River Power: power outage at your address since 14:05 CDT "
                   "(reference O000007, 1,234 customers affected). A crew is on the way. "
                   "Estimated restoration 17:30 CDT.")
    assert "checking" in str(updates.text(_status("unknown", status="We are checking")))
    assert updates.text(_status("on")) is None
    updates.welcome(None, _status("off", outage={  # type: ignore[arg-type]
        "reference": "O1", "since": "2026-07-01T19:05:00+00:00", "customers_affected": 2,
        "status": "We know about it", "etr": None}))
    assert outbox.texts == ["Willow River Power: you will get updates on the power supply "
                            "at your address. Power outage at your address since 14:05 CDT "
                            "(reference O1, 2 customers affected). We know about it."]
    assert "found no fault" in str(updates.text(_status("on"), was_out=True))


def test_a_data_key_that_is_not_one_is_refused_by_name() -> None:
    """OMS_DATA_KEY must be a Fernet key; the error says how to make one."""
    with pytest.raises(ValueError, match=r"OMS_DATA_KEY must be a Fernet key.*generate_key"):
        ContactCipher.from_config("not-a-key", "secret")
    key = Fernet.generate_key().decode()
    sealed = ContactCipher.from_config(key, "one").seal(PHONE)
    assert ContactCipher.from_config(key, "other").open(sealed) == PHONE


def test_texts_are_deleted_after_their_retention(tmp_path: Path, network: Network) -> None:
    """Texts, their contacts with them, go once sent (or queued and never sent) longer
    ago than the retention, not before; the replies' ratings stay; a bad retention is
    named."""
    from datetime import UTC, datetime, timedelta

    app = create_app(make_config(tmp_path, network, MESSAGE_RETENTION_DAYS="30"))
    client = app.test_client()
    live = app.extensions["oms_live"]
    _subscribe(client, NEIGHBOURS[0])
    [old] = client.get("/api/outbox", headers=GATEWAY).get_json()["messages"]
    client.post("/api/outbox/sent", headers=GATEWAY, json={"ids": [old["id"]]})
    client.post("/api/outbox/replies", headers=GATEWAY, json={"message_id": old["id"],
                                                             "text": "5"})
    assert live.forget_old_messages() == 0  # nothing is 30 days old
    _subscribe(client, NEIGHBOURS[1])  # its welcome left unsent: a gateway down
    now = datetime.now(UTC)
    assert live.updates.forget(now + timedelta(days=29)) == 0
    # A month on, the sent one goes, and the one never sent (stale news) with it.
    assert live.updates.forget(now + timedelta(days=31)) == 2
    assert client.get("/api/outbox", headers=GATEWAY).get_json()["messages"] == []
    again = client.post("/api/outbox/replies", headers=GATEWAY,
                        json={"message_id": old["id"], "text": "4"})
    assert again.status_code == 404  # names no customer any more
    assert live.satisfaction() == {"ratings": 1, "mean": 5.0}  # the rating stays
    live.store.close()
    with pytest.raises(ValueError, match="OMS_MESSAGE_RETENTION_DAYS"):
        create_app(make_config(tmp_path, network, MESSAGE_RETENTION_DAYS="forever"))


def test_a_subscriber_hears_the_crews_own_estimate_as_theirs(
        app: Flask, client: FlaskClient, dispatcher: dict[str, str]) -> None:
    """On site, the crew says three hours: the subscriber's text gives that time as the
    crew's estimate, and the status page says whose it is."""
    outage_id = make_outage(client, dispatcher)
    phone, headers = assigned_to_c1(app, client, dispatcher, outage_id)
    phone.post("/api/crew/status", headers=headers,
               json={"status": "on_site", "outage_id": outage_id})
    _subscribe(client, NEIGHBOURS[0])
    etr = app.extensions["oms_live"].now() + timedelta(hours=3)
    said = phone.post("/api/crew/etr", headers=headers,
                      json={"outage_id": outage_id, "etr": etr.isoformat()})
    assert said.status_code == 201, said.get_json()
    status = client.get(f"/api/customers/{NEIGHBOURS[0]}/status").get_json()
    assert status["outage"]["etr_by"] == "the crew on site's estimate"
    assert "(the crew on site's estimate)." in _texts(client)[-1]

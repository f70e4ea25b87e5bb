"""The application factory: `create_app(test_config=None)`."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask

from dispatch.from_outages import EtrPolicy
from gis import Network
from gis.io import load_network
from gis.placement import placed
from outage.complaints import ComplaintBook, WorkingDays, fold, parse_holidays
from outage.log import EventLog
from outage.service import OutageService
from web import realtime  # noqa: F401  (handlers must exist before socketio.init_app)
from web.auth import init_auth
from web.clock import WallClock
from web.complaints_desk import escalation_contacts
from web.config import load_config
from web.crews import CrewState
from web.errors import register_error_handlers
from web.extensions import socketio
from web.live import LiveState
from web.notify import Updates
from web.planner import PlannerParams
from web.privacy import ContactCipher
from web.ratelimit import TokenBuckets
from web.reliability import seed_history
from web.store import WebStore


@lru_cache(maxsize=4)
def _load(path: str) -> Network:
    # Networks are immutable: apps of one process (tests, workers) may share one.
    return load_network(path)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, domain services, live state, blueprints, Socket.IO."""
    app = Flask(__name__)
    app.config.from_mapping(load_config(test_config))
    network = app.config["NETWORK"]
    if not isinstance(network, Network):
        network = _load(str(network))
    # The maps and crew routes work in lon/lat; intake systems may still locate a call
    # in the network's own coordinates (`web.api.events`).
    if app.config["ON_EARTH"] is None:
        app.config["ON_EARTH"] = network.crs is not None
    network, app.extensions["oms_place"] = placed(network)
    service = OutageService.open(network, EventLog(app.config["EVENT_LOG"]))
    if app.config["PINGER"] is not None:
        service.engine.pinger = app.config["PINGER"]
    if app.config["CALLBACK"] is not None:
        service.engine.callback = app.config["CALLBACK"]
    # Threading mode: websockets through simple-websocket under Werkzeug or gunicorn gthread.
    socketio.init_app(app, async_mode="threading",
                      message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"])
    store = WebStore(app.config["EVENT_LOG"], ContactCipher.from_config(
        app.config["DATA_KEY"], app.config["SECRET_KEY"]))
    zone = _zone(app.config["TIME_ZONE"])
    updates = Updates(store, app.config["UTILITY_NAME"], zone,
                      _days("OMS_MESSAGE_RETENTION_DAYS", app.config["MESSAGE_RETENTION_DAYS"]))
    book = ComplaintBook(WorkingDays(zone, parse_holidays(app.config["HOLIDAYS"])),
                         app.config["COMPLAINT_DEPARTMENTS"])
    live = LiveState(
        network, service, app.config["CLOCK"] or WallClock(), store, socketio,
        PlannerParams(time_limit=app.config["PLAN_TIME_LIMIT"],
                      solution_limit=app.config["PLAN_SOLUTION_LIMIT"],
                      etrs=EtrPolicy() if app.config["PLAN_ETRS"] else None),
        updates, fold(book, store.complaint_actions()), on_earth=bool(app.config["ON_EARTH"]),
        escalation=escalation_contacts(app.config["COMPLAINT_ESCALATION"], book.departments),
    )
    for spec in app.config["CREWS"]:
        if spec["id"] not in live.crews:
            live.add_crew(CrewState(**spec))
    if app.config["RELIABILITY_HISTORY"]:
        seed_history(live.tracker, app.config["RELIABILITY_HISTORY"], live.now())
    app.extensions["oms_live"] = live
    app.extensions["oms_buckets"] = TokenBuckets(app.config["RATE_LIMIT_PER_SECOND"],
                                                 app.config["RATE_LIMIT_BURST"])
    init_auth(app)
    register_error_handlers(app)
    _register_blueprints(app)
    if app.config["PLANNER_BACKGROUND"]:
        from web.api.network import warm

        warm(app)
        live.planner.start()
        live.planner.request()
        live.start_clock()
    return app


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"OMS_TIME_ZONE {name!r} is not an IANA time zone "
                         "(e.g. America/Chicago)") from None


def _days(name: str, value: object) -> timedelta:
    try:
        days = float(str(value))
    except ValueError:
        days = -1.0
    if not days > 0:
        raise ValueError(f"{name} must be a number of days above 0, not {value!r}")
    return timedelta(days=days)


def _register_blueprints(app: Flask) -> None:
    from web import pages
    from web.api import (
        complaints,
        crews,
        customers,
        events,
        jobs,
        kpis,
        network,
        outages,
        outbox,
        reports,
        session,
    )
    from web.openapi import bp as openapi_bp

    for module in (complaints, crews, customers, events, jobs, kpis, network, outages, outbox,
                   reports, session):
        app.register_blueprint(module.bp)
    app.register_blueprint(openapi_bp)
    app.register_blueprint(pages.bp)


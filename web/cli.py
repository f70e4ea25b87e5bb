"""`oms serve [--demo] [--host] [--port] [--db URL]`: the web app under a threaded server."""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from web.config import SAMPLE


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("serve", help="run the web app (dashboard, crew view, status page)",
                              description="Serve the REST API, Socket.IO and the pages.")
    p.add_argument("--demo", action="store_true",
                   help="load the sample territory and run a live simulated storm")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--db", help="event log URL (default: sqlite:///oms-live.db; demo: a "
                                "fresh temporary file)")
    p.add_argument("--network", help="network file (default: the sample territory)")
    p.add_argument("--users", type=Path, help="JSON list of users: username, password (or "
                                              "password_hash), role, crew_id (a crew's)")
    p.add_argument("--intake-tokens", type=Path,
                   help="JSON object: bearer token -> intake system name (IVR, AMI head-end, "
                        "SCADA bridge, messaging gateway)")
    p.add_argument("--insecure-cookies", action="store_true",
                   help="send the session cookie over plain HTTP too (development only; "
                        "browsers accept Secure cookies from localhost anyway)")
    p.add_argument("--speed", type=float, default=30.0, help="demo: simulated seconds per second")
    p.add_argument("--seed", type=int, default=2026, help="demo: storm seed")
    p.set_defaults(func=run_serve)


def demo_config(args: argparse.Namespace) -> dict[str, Any]:
    from gis.io import load_network
    from gis.placement import on_the_map
    from web.clock import SimClock
    from web.demo import SimulatedHeadEnd, SimulatedIvr, demo_crews, demo_users

    loaded = load_network(args.network or SAMPLE / "territory.gpkg")
    network = on_the_map(loaded)
    crews = demo_crews(network)
    db = args.db or f"sqlite:///{tempfile.mkdtemp(prefix='oms-demo-')}/events.db"
    return {
        "ROADS": _sample_file(args, "roads.geojson"),  # else crews drive straight
        "NETWORK": network, "EVENT_LOG": db, "CREWS": crews, "USERS": demo_users(crews),
        "ON_EARTH": loaded.crs is not None,
        "CLOCK": SimClock(datetime.now(UTC).replace(microsecond=0), args.speed),
        "PINGER": SimulatedHeadEnd(),
        "CALLBACK": SimulatedIvr(),
        "RELIABILITY_HISTORY": _sample_file(args, "history", "outages.csv"),
        "PASSWORD_METHOD": "pbkdf2:sha256:50000",  # start-up in a second, demo passwords
        "RATE_LIMIT_PER_SECOND": 20.0,
        # Complaints nobody takes up in the hour go to a supervisor (the demo's outbox).
        "COMPLAINT_ESCALATION": {"*": [{"channel": "email",
                                        "address": "complaints.lead@willowriver.example"}]},
    }


def _sample_file(args: argparse.Namespace, *parts: str) -> str | None:
    """A file of the sample data (its streets, its reliability history): it belongs to the
    sample territory, so none when another network is served."""
    return None if args.network else str(SAMPLE.joinpath(*parts))


def run_serve(args: argparse.Namespace) -> int:
    from web import create_app, socketio

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    config: dict[str, Any] = demo_config(args) if args.demo else {}
    if args.db:
        config["EVENT_LOG"] = args.db
    if args.network and not args.demo:
        config["NETWORK"] = args.network
        config["ROADS"] = _sample_file(args, "roads.geojson")
    if args.insecure_cookies:
        config["SESSION_COOKIE_SECURE"] = False
    if args.users:
        config["USERS"] = str(args.users)  # read as OMS_USERS is (web.config.json_setting)
    if args.intake_tokens:
        config["INTAKE_TOKENS"] = str(args.intake_tokens)
    app = create_app(config)
    base = f"http://{args.host}:{args.port}"
    if args.demo:
        from web.demo import Demo

        demo = Demo(app.extensions["oms_live"], config["CLOCK"], config["PINGER"],
                    app.config["ROADS"], ivr=config["CALLBACK"], seed=args.seed)
        demo.start()
        app.config["DEMO"] = demo
        _print_demo(base, config)
    else:
        print(f"OMS serving on {base}  (dashboard {base}/dispatch, status {base}/status)")
        if not app.config["USERS"]:
            print("Note: no users, so nobody can sign in: give --users USERS.json (or "
                  "OMS_USERS), a list of {username, password, role[, crew_id]}.")
        if not app.config["INTAKE_TOKENS"]:
            print("Note: no intake systems (IVR, AMI head-end, SCADA): give "
                  "--intake-tokens TOKENS.json (or OMS_INTAKE_TOKENS), {token: name}.")
        if not (os.environ.get("OMS_SECRET_KEY") or os.environ.get("OMS_DATA_KEY")):
            print("Note: OMS_SECRET_KEY is not set, so sign-ins and the customers' contact "
                  "details stored now (sealed with a key of this process) do not survive "
                  "a restart. Set it (docs/web.md, Deployment).")
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True,
                 log_output=False)
    return 0


def _print_demo(base: str, config: dict[str, Any]) -> None:
    print(f"""
OMS demo: simulated storm at {config['CLOCK'].speed:g}x on network {config['NETWORK'].name}
  Dispatcher dashboard  {base}/dispatch    login dispatcher / dispatch
                                            (supervisor / supervise, admin / admin)
  Crew phone view       {base}/crew        login crew1 / crew  (crew1 … crew{len(config['CREWS'])})
  Complaints desk       {base}/complaints  login agent / agent
  Customer status page  {base}/status      e.g. account {config['NETWORK'].customers.ids[0]}
  Public outage map     {base}/map
  API description       {base}/api/openapi.json
  Event log             {config['EVENT_LOG']}
""", flush=True)

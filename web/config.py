"""Configuration: defaults in code, then OMS_* environment variables, then test_config."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"

DEFAULTS: dict[str, Any] = {
    "NETWORK": str(SAMPLE / "territory.gpkg"),  # a path, or a loaded gis Network
    "ROADS": str(SAMPLE / "roads.geojson"),
    "EVENT_LOG": "sqlite:///oms-live.db",
    "MAX_CONTENT_LENGTH": 64 * 1024,  # an event is a few hundred bytes
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "CSRF_ENABLED": True,
    "USERS": [],  # [{"username", "password" | "password_hash", "role", "crew_id"?}]
    "PASSWORD_METHOD": "scrypt",
    "INTAKE_TOKENS": {},  # bearer token -> system name (IVR, AMI head-end, SCADA bridge)
    "RATE_LIMIT_PER_SECOND": 5.0,  # public endpoints, per client address
    "RATE_LIMIT_BURST": 30.0,
    "PLANNER_BACKGROUND": True,
    "PLAN_TIME_LIMIT": 1.0,
    "PLAN_SOLUTION_LIMIT": None,
    # Whether a planned outage's ETR is when its crew should be done (else the model's,
    # by the kind of device and the storm, until a person sets one).
    "PLAN_ETRS": True,
    "CREWS": [],  # initial roster: CrewState fields
    "CLOCK": None,  # a web.clock.Clock; the wall clock by default
    "PINGER": None,  # an outage.pinger.MeterPinger (the AMI head-end)
    "CALLBACK": None,  # an outage.callbacks.CustomerCallback (an outbound IVR)
    "RELIABILITY_HISTORY": None,  # OUTAGES.csv whose latest year seeds year-to-date
    "DEMO": None,  # a started web.demo.Demo, for the pages' banner
    # Redis URL (redis://host:6379/0): lets other processes (workers behind sticky
    # sessions, a SCADA bridge) emit to this server's Socket.IO rooms. Needs `redis`.
    "SOCKETIO_MESSAGE_QUEUE": None,
    # Seals customers' contact details at rest (a Fernet key); derived from SECRET_KEY
    # when not given (web.privacy).
    "DATA_KEY": None,
    "UTILITY_NAME": "Willow River Power",  # on every page, and signs the texts to customers
    "TIME_ZONE": "America/Los_Angeles",  # the utility's: times in those updates
    # The intake system (its name in INTAKE_TOKENS) that sends SMS and e-mail: the only
    # one that may read the outbox, contacts and all.
    "MESSAGING_GATEWAY": "messaging",
    # Texts to customers, and their contacts, are deleted this many days after they were
    # sent (a reply to one older than that names no customer).
    "MESSAGE_RETENTION_DAYS": 90,
    # Public holidays (ISO dates, comma-separated in OMS_HOLIDAYS): no working days, on
    # the complaints' five-working-day clock (weekends are off too).
    "HOLIDAYS": "",
    # Whether the network's coordinates are places on Earth (crews get a navigation link);
    # None: it is when the network has a CRS (a local plane is drawn at a nominal origin).
    "ON_EARTH": None,
    # Which department takes each class of complaint; None: outage.complaints.DEPARTMENTS.
    "COMPLAINT_DEPARTMENTS": None,
    # Who is told of a complaint past its target (not taken up within the hour, not
    # answered in five working days), by department or "*" for all:
    # {"Billing": [{"channel": "email", "address": "billing.lead@…"}], "*": […]}.
    # Without it the escalation is in the complaint's history and on the desk only.
    "COMPLAINT_ESCALATION": None,
    # A raster tile server under the maps (https://…/{z}/{x}/{y}.png: OpenStreetMap's, or
    # the utility's own), and the credit its licence asks for; None: no tiles (the
    # network, and the streets where OMS_ROADS gives them, on a plain background).
    "TILE_URL": None,
    "TILE_ATTRIBUTION": "",
}

# Settings an OMS_* variable gives as JSON: inline, or the path of a file holding it.
JSON_SETTINGS = {"USERS": list, "INTAKE_TOKENS": dict, "COMPLAINT_ESCALATION": dict}
ENVIRONMENT = ("USERS", "INTAKE_TOKENS", "SECRET_KEY", "EVENT_LOG", "NETWORK", "ROADS",
               "SOCKETIO_MESSAGE_QUEUE", "DATA_KEY", "UTILITY_NAME", "TIME_ZONE",
               "MESSAGING_GATEWAY", "HOLIDAYS", "MESSAGE_RETENTION_DAYS", "TILE_URL",
               "TILE_ATTRIBUTION", "PLAN_ETRS", "COMPLAINT_ESCALATION")
# Yes/no settings, which an OMS_* variable gives as a word.
FLAGS = {"true": True, "yes": True, "on": True, "1": True,
         "false": False, "no": False, "off": False, "0": False}


def load_config(test_config: dict[str, Any] | None) -> dict[str, Any]:
    config = dict(DEFAULTS)
    for name in ENVIRONMENT:
        value = os.environ.get(f"OMS_{name}")
        if value:
            config[name] = value
    config.update(test_config or {})
    for name, kind in JSON_SETTINGS.items():
        config[name] = json_setting(name, config[name], kind)
    if isinstance(config["PLAN_ETRS"], str):
        word = config["PLAN_ETRS"].strip().lower()
        if word not in FLAGS:
            raise ValueError(f"OMS_PLAN_ETRS: {config['PLAN_ETRS']!r} is neither yes nor no")
        config["PLAN_ETRS"] = FLAGS[word]
    if config.get("TILE_URL"):
        config["TILE_URL"] = tile_url(config["TILE_URL"])
    if not config.get("SECRET_KEY"):
        # Per process: sessions do not survive a restart unless OMS_SECRET_KEY is set.
        config["SECRET_KEY"] = secrets.token_hex(32)
    if config.get("TESTING"):
        config["SESSION_COOKIE_SECURE"] = False
    return config


def json_setting(name: str, value: Any, kind: type) -> Any:
    """A JSON setting as given in code, or from OMS_<name>: a JSON text, or the path of a
    file of JSON (`kind`: list or dict); an error naming the variable otherwise."""
    if not isinstance(value, str):
        return value
    text = value
    if not value.lstrip().startswith(("[", "{")):
        try:
            text = Path(value).read_text(encoding="utf-8")
        except OSError as error:
            raise ValueError(f"OMS_{name}: cannot read {value!r} ({error.strerror})") from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"OMS_{name}: not JSON ({error.msg}, line {error.lineno})") from None
    if not isinstance(parsed, kind):
        raise ValueError(f"OMS_{name}: must be a JSON {'list' if kind is list else 'object'}")
    return parsed


def tile_url(value: Any) -> str:
    """A tile server's URL template, checked: http(s), with {z}, {x} and {y}."""
    text = str(value).strip()
    if not text.startswith(("https://", "http://")) or \
            not all(part in text for part in ("{z}", "{x}", "{y}")):
        raise ValueError(f"OMS_TILE_URL: {text!r} is not a tile URL template "
                         "(https://host/{z}/{x}/{y}.png)")
    return text

"""WSGI entry for the benchmarks: the app on the sample territory, event log from OMS_EVENT_LOG."""

from __future__ import annotations

import os

from web import create_app

app = create_app({
    "RATE_LIMIT_PER_SECOND": float(os.environ.get("OMS_BENCH_RATE", "1000000")),
    "RATE_LIMIT_BURST": 1e6,
    "PLANNER_BACKGROUND": False,
    "INTAKE_TOKENS": {"bench-token": "bench"},
    "SESSION_COOKIE_SECURE": False,
    "USERS": [{"username": "bench", "password": "bench", "role": "dispatcher"}],
    "PASSWORD_METHOD": "pbkdf2:sha256:1000",
})

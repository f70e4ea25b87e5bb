"""The production entry: `gunicorn -w 1 -k gthread --threads 300 web.wsgi:app`.

Configured from the environment (`OMS_USERS`, `OMS_INTAKE_TOKENS`, `OMS_SECRET_KEY`,
`OMS_EVENT_LOG`, `OMS_NETWORK`, `OMS_ROADS`, `OMS_SOCKETIO_MESSAGE_QUEUE`, `OMS_DATA_KEY`,
`OMS_UTILITY_NAME`, `OMS_TIME_ZONE`, `OMS_MESSAGING_GATEWAY`, `OMS_HOLIDAYS`,
`OMS_MESSAGE_RETENTION_DAYS`). Flask-SocketIO runs in threading mode:
each open websocket (simple-websocket on gunicorn's socket) holds one of the worker's
threads, so `--threads` must exceed the dashboards, phones and status pages open at
once plus the requests in flight. One worker: it is the single writer of the outage
state (see docs/web.md, "Deployment").
"""

from __future__ import annotations

from web import create_app

app = create_app()

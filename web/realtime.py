"""Socket.IO: who joins which room. Rooms are audiences, and each carries only what
its audience may see:

- ``dispatch``: control-room roles; full outage records, crews, plan, KPIs;
- ``crew:<id>``: one crew's own jobs;
- ``complaints``: the complaints desk (agents and the control room); each complaint as
  it changes;
- ``public``: areas and counts only (no ids, no addresses);
- ``customer:<id>``: one customer's status, joined with the signed token of a lookup.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, session
from flask_socketio import emit, join_room

from web.auth import COMPLAINT_DESK, CONTROL_ROOM
from web.complaints_desk import ROOM as COMPLAINTS_ROOM
from web.extensions import socketio


def _live() -> Any:
    return current_app.extensions["oms_live"]


def _sid() -> str:
    """This Socket.IO connection's id (Flask-SocketIO sets it on the request)."""
    return str(request.sid)  # type: ignore[attr-defined]


@socketio.on("connect")  # type: ignore[untyped-decorator]
def on_connect(auth: Any = None) -> None:
    join_room("public")
    role = session.get("role")
    state = _live()
    if role in COMPLAINT_DESK:
        join_room(COMPLAINTS_ROOM)
    if role in CONTROL_ROOM:
        join_room("dispatch")
        emit("hello", {"role": role, "rooms": ["public", "dispatch", COMPLAINTS_ROOM]})
        # The live ones: a dashboard shows no other, and a year of restored outages is
        # megabytes to every dashboard that connects (the KPIs count them).
        emit("outages", state.outages(include_restored=False))
        emit("crews", state.crews.to_json())
        emit("plan", state.planner.to_json())
        emit("kpis", state.kpis())
    elif role == "crew" and session.get("crew_id") in state.crews:
        crew_id = session["crew_id"]
        join_room(f"crew:{crew_id}")
        emit("hello", {"role": role, "rooms": ["public", f"crew:{crew_id}"]})
        emit("jobs", state.crew_jobs(crew_id))
    elif role in COMPLAINT_DESK:
        emit("hello", {"role": role, "rooms": ["public", COMPLAINTS_ROOM]})
    else:
        emit("hello", {"role": None, "rooms": ["public"]})
    emit("areas", state.public_map())


@socketio.on("watch")  # type: ignore[untyped-decorator]
def on_watch(data: Any) -> None:
    """A status page joins its customer's room with the token its lookup returned."""
    from web.api.customers import customer_of_token
    from web.errors import ApiError

    try:
        customer_id = customer_of_token(data.get("token") if isinstance(data, dict) else None)
    except ApiError as error:
        emit("error", {"error": str(error)})
        return
    join_room(f"customer:{customer_id}")
    _live().watch_page(_sid(), customer_id)
    emit("status", _live().customer_status(customer_id))


@socketio.on("disconnect")  # type: ignore[untyped-decorator]
def on_disconnect(*_: Any) -> None:
    """A closed status page stops its watch (the customer's status is no longer looked
    at on every change unless another page or a subscription watches it)."""
    _live().unwatch_page(_sid())

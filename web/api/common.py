"""Helpers every API view uses: the live state, JSON bodies, idempotency, rate limits."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Collection
from functools import wraps
from typing import Any, TypeVar

from flask import Response, current_app, g, jsonify, make_response, request

from gis import json_input
from gis.json_input import JsonInputError
from web.auth import csrf_token, principal
from web.errors import ApiError, TooManyRequests
from web.live import LiveState
from web.ratelimit import TokenBuckets

F = TypeVar("F", bound=Callable[..., Any])
_key_locks: dict[str, threading.Lock] = {}
_key_locks_guard = threading.Lock()


def live() -> LiveState:
    state: LiveState = current_app.extensions["oms_live"]
    return state


def body() -> dict[str, Any]:
    """The request's JSON object; a 400 saying what is wrong otherwise."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ApiError("the request body is empty; send a JSON object")
    if request.mimetype not in ("application/json", "") and not request.mimetype.endswith("+json"):
        raise ApiError(f"Content-Type must be application/json, not {request.mimetype!r}", 415)
    try:
        data = json_input.loads(raw)
    except JsonInputError as error:
        raise ApiError(f"the request body is {error}") from None
    if not isinstance(data, dict):
        raise ApiError(f"the request body must be a JSON object, not {type(data).__name__}")
    return data


def field(data: dict[str, Any], name: str, kind: type | tuple[type, ...] = str,
          *, required: bool = True, choices: Collection[str] | None = None) -> Any:
    value = data.get(name)
    if value is None:
        if required:
            raise ApiError(f"missing field {name!r}")
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        expected = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ApiError(f"field {name!r} must be {expected}, not {type(value).__name__}")
    if isinstance(value, str) and not value.strip():
        raise ApiError(f"field {name!r} must not be empty")
    if choices is not None and value not in choices:
        raise ApiError(f"{name} must be one of {', '.join(choices)}")
    return value


def idempotent(view: F) -> F:
    """With an Idempotency-Key header, a retried request returns the first response and
    does nothing again (the crew app retries queued actions after a lost connection).

    The key (scoped to the user and path) goes with the event into the event log, in the
    same transaction (`idempotency_key()` → `OutageService.submit`), so a retry is never
    logged twice; the web store only keeps the first response, to replay it.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > 120:
            raise ApiError("Idempotency-Key is longer than 120 characters")
        scoped = f"{_requester()}:{request.path}:{key}"
        with _key_locks_guard:
            lock = _key_locks.setdefault(scoped, threading.Lock())
        with lock:
            store = live().store
            seen = store.recall(scoped)
            if seen is not None:
                response = make_response(jsonify(seen[1]), seen[0])
                response.headers["Idempotent-Replayed"] = "true"
                return response
            g.idempotency_scope = hashlib.sha256(scoped.encode()).hexdigest()
            response = make_response(view(*args, **kwargs))
            if response.status_code < 500 and response.is_json:
                store.remember(scoped, response.status_code, response.get_json())
            return response

    return wrapper  # type: ignore[return-value]


def _requester() -> str:
    """Whose retries a key tells apart: the user or intake system; for the public, its
    session (its CSRF secret), so one customer's key never answers with another's reply."""
    who = principal()
    return f"{who}/{csrf_token()}" if who == "anonymous" else who


def idempotency_key(part: str = "") -> str | None:
    """The event-log key of this request's event, if it came with an Idempotency-Key;
    `part` tells apart the events of one request (a partial restoration logs two)."""
    scope: str | None = g.get("idempotency_scope")
    if scope is None:
        return None
    return f"web:{scope}:{part}" if part else f"web:{scope}"


def rate_limited(view: F) -> F:
    """Public endpoints: a token bucket per client address."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        take_rate_token()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def take_rate_token() -> None:
    """A 429 when this client address has used its share of public requests."""
    buckets: TokenBuckets = current_app.extensions["oms_buckets"]
    wait = buckets.take(request.remote_addr or "unknown")
    if wait > 0:
        raise TooManyRequests("too many requests from your address; try again shortly", wait)


def created(payload: dict[str, Any]) -> tuple[Response, int]:
    return jsonify(payload), 201

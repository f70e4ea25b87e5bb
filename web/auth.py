"""Users, roles, sessions and CSRF.

Roles: dispatcher, supervisor, admin (the control room) and crew (one crew each).
Passwords are stored hashed (werkzeug.security). The session is Flask's signed
cookie (HttpOnly, SameSite=Lax, Secure outside tests). Every state-changing
request authenticated by that cookie must echo the session's CSRF token in the
X-CSRF-Token header (JSON) or the csrf_token field (forms); intake systems use a
bearer token instead, which a browser never sends by itself, so CSRF does not apply.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, g, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from web.errors import Forbidden, Unauthorized

ROLES = ("dispatcher", "supervisor", "admin", "crew", "agent")
CONTROL_ROOM = ("dispatcher", "supervisor", "admin")
# Who works the complaints register: customer-service agents, and the control room.
COMPLAINT_DESK = ("agent", *CONTROL_ROOM)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class User:
    username: str
    password_hash: str
    role: str
    crew_id: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"user {self.username!r}: role must be one of {ROLES}")
        if self.role == "crew" and not self.crew_id:
            raise ValueError(f"user {self.username!r}: a crew user needs crew_id")


def make_users(specs: list[dict[str, Any]], method: str) -> dict[str, User]:
    """Users from config dicts with a plain `password` (hashed here) or a `password_hash`."""
    users = {}
    for k, spec in enumerate(specs):
        if not isinstance(spec, dict) or not isinstance(spec.get("username"), str):
            raise ValueError(f"user {k + 1}: give username, password (or password_hash), "
                             "role and, for a crew, crew_id")
        name = spec["username"]
        if not isinstance(spec.get("password_hash") or spec.get("password"), str):
            raise ValueError(f"user {name!r}: give password or password_hash")
        digest = spec.get("password_hash") or generate_password_hash(spec["password"], method)
        users[name] = User(name, digest, str(spec.get("role")), spec.get("crew_id"))
    return users


def authenticate(username: str, password: str) -> User | None:
    users: dict[str, User] = current_app.extensions["oms_users"]
    user = users.get(username)
    if user is None or not check_password_hash(user.password_hash, password):
        return None
    return user


def sign_in(user: User) -> None:
    session.clear()  # a fresh session on login: no fixation
    session["user"] = user.username
    session["role"] = user.role
    session["crew_id"] = user.crew_id
    session["csrf"] = secrets.token_urlsafe(24)
    session.permanent = True


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(24)
    return str(token)


def principal() -> str:
    """Who is asking: the user, the intake system, or 'anonymous'."""
    return str(g.get("intake") or session.get("user") or "anonymous")


def current_role() -> str | None:
    if g.get("intake"):
        return "intake"
    return session.get("role")


def require_role(*roles: str) -> Callable[[F], F]:
    """401 when nobody is signed in, 403 when the role may not do this."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            role = current_role()
            if role is None:
                raise Unauthorized("sign in first (POST /api/session)")
            if role not in roles:
                raise Forbidden(f"role {role!r} may not do this; needs one of {', '.join(roles)}")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _same(sent: str, secret: str) -> bool:
    """Compare a secret in constant time. As bytes: a header may carry any character
    (latin-1 decoded), and `compare_digest` refuses non-ASCII strings."""
    return hmac.compare_digest(sent.encode("utf-8", "surrogateescape"),
                               secret.encode("utf-8", "surrogateescape"))


def _check_request() -> None:
    """Before every request: recognise intake tokens, enforce CSRF on cookie sessions."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        tokens: dict[str, str] = current_app.config["INTAKE_TOKENS"]
        name = next((n for t, n in tokens.items() if _same(t, header[7:].strip())), None)
        if name is None:
            raise Unauthorized("unknown bearer token")
        g.intake = name
        return
    if request.method in SAFE_METHODS or not current_app.config["CSRF_ENABLED"]:
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = session.get("csrf") or ""
    if not expected or not _same(str(sent), str(expected)):
        raise Forbidden("missing or wrong CSRF token: send the X-CSRF-Token header "
                        "from GET /api/session")


def init_auth(app: Flask) -> None:
    app.extensions["oms_users"] = make_users(app.config["USERS"], app.config["PASSWORD_METHOD"])
    for token, name in app.config["INTAKE_TOKENS"].items():
        if not (isinstance(token, str) and token.strip() and isinstance(name, str) and name):
            raise ValueError(f"intake token of {name!r}: each token and system name must be "
                             "a non-empty string")
    app.before_request(_check_request)
    app.jinja_env.globals["csrf_token"] = csrf_token

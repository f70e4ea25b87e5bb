"""The API's OpenAPI 3 description, served at /api/openapi.json (and fuzzed in the tests)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

bp = Blueprint("openapi", __name__)

S = "#/components/schemas/"
ERROR = {"description": "what is wrong", "content": {"application/json": {
    "schema": {"$ref": S + "Error"}}}}
CSRF: list[dict[str, list[str]]] = [{"session": [], "csrf": []}]
INTAKE: list[dict[str, list[str]]] = [{"session": [], "csrf": []}, {"intake": []}]


def _json(ref: str | dict[str, Any]) -> dict[str, Any]:
    schema = {"$ref": S + ref} if isinstance(ref, str) else ref
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: str, ok_schema: str | dict[str, Any], *, body: str | None = None,
        security: list[dict[str, list[str]]] | None = None, errors: tuple[int, ...] = (),
        idempotent: bool = False, params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary,
                          "responses": {ok: {"description": "ok", **_json(ok_schema)}}}
    for code in (*errors, 400 if body else None, 401 if security else None,
                 403 if security else None, 429 if security is None and body else None):
        if code:
            op["responses"][str(code)] = ERROR
    if body:
        op["requestBody"] = {"required": True, **_json(body)}
        op["responses"].setdefault("413", ERROR)
        op["responses"].setdefault("415", ERROR)
    if security is not None:
        op["security"] = security
    parameters = list(params or [])
    if idempotent:
        parameters.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "schema": {"type": "string", "maxLength": 120},
                           "description": "retries with the same key return the first answer"})
    if parameters:
        op["parameters"] = parameters
    return op


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


OUTAGE_ID = [_path("outage_id")]
JOB_ID = [_path("job_id")]
ANY_OBJ = {"type": "object"}
LIMIT = {"name": "limit", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": 500}}
ANY_LIST = {"type": "array", "items": {"type": "object"}}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error", "status"],
              "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
    "Location": {"type": "object", "description": "lon/lat (WGS 84), or x/y in the "
                                                 "network's own coordinates",
                 "properties": {"lon": {"type": "number"}, "lat": {"type": "number"},
                                "x": {"type": "number"}, "y": {"type": "number"}}},
    "IntakeEvent": {
        "type": "object", "required": ["type"],
        "description": "DESIGN.md §4: call, meter or device, or an outbound IVR's callback "
                       "answer (customer_id, state off|on); time defaults to receipt time",
        "properties": {
            "type": {"type": "string", "enum": ["call", "meter", "callback", "device"]},
            "time": {"type": "string", "format": "date-time"},
            "customer_id": {"type": "string"}, "location": {"$ref": S + "Location"},
            "channel": {"type": "string",
                        "description": "ivr, agent, web, app, sms or hall (any case); another "
                                       "label is accepted as channel other, with a note"},
            "hazard": {"type": "string",
                       "description": "wire_down, fire, tree or other (any case); another "
                                      "label is accepted as hazard other, with a note"},
            "text": {"type": "string"}, "state": {"type": "string"},
            "device_id": {"type": "string"},
            "source": {"type": "string", "description": "scada or crew; another label is "
                                                        "accepted as crew, with a note"},
            "ping": {"type": "boolean"}}},
    "Receipt": {"type": "object", "required": ["seq"],
                "properties": {"seq": {"type": "integer"},
                               "outages": {"type": "array", "items": {"type": "string"}},
                               "warning": {"type": ["string", "null"]},
                               "notes": {"type": "array", "items": {"type": "string"}}}},
    "Outage": {"type": "object", "required": ["id", "device_id", "status", "customers_out"],
               "properties": {
                   "id": {"type": "string"}, "device_id": {"type": "string"},
                   "status": {"type": "string"}, "stage": {"type": "string"},
                   "customers_out": {"type": "integer"}, "critical_out": {"type": "integer"},
                   "confidence": {"type": "number"}, "started": {"type": "string"},
                   "restored": {"type": ["string", "null"]}, "etr": {"type": ["string", "null"]},
                   "hazards": {"type": "array", "items": {"type": "string"}},
                   "crew_id": {"type": "string"}, "cause": {"type": "string"},
                   "location": {"type": ["object", "null"]},
                   "branches": {"type": "array", "items": {"type": "integer"}},
                   # Customers restored before the outage as a whole (a back-feed).
                   "steps": {"type": "array", "items": {
                       "type": "object", "properties": {
                           "restored": {"type": "string"},
                           "customers": {"type": "integer"},
                           "customer_ids": {"type": "array",
                                            "items": {"type": "string"}}}}}}},
    "Target": {"type": "object", "required": ["target"],
               "properties": {"target": {"type": "string"}}},
    "CustomerIds": {"type": "object", "required": ["customer_ids"],
                    "properties": {"customer_ids": {"type": "array", "minItems": 1,
                                                    "items": {"type": "string"}}}},
    "Etr": {"type": "object", "required": ["etr"],
            "properties": {"etr": {"type": "string", "format": "date-time"}}},
    "CrewEtr": {"type": "object", "required": ["outage_id", "etr"],
                "properties": {"outage_id": {"type": "string"},
                               "etr": {"type": "string", "format": "date-time"}}},
    "CrewRef": {"type": "object", "required": ["crew_id"],
                "properties": {"crew_id": {"type": ["string", "null"]}}},
    "NewCrew": {"type": "object", "required": ["id", "position"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                               "kind": {"type": "string", "enum": [
                                   "troubleshooter", "line", "tree", "underground",
                                   "mutual_aid"]},
                               "skills": {"type": "array", "items": {"type": "string"}},
                               "position": {"type": "object", "required": ["lon", "lat"],
                                            "properties": {"lon": {"type": "number"},
                                                           "lat": {"type": "number"}}}}},
    "CrewStatus": {"type": "object", "required": ["status", "outage_id"],
                   "properties": {
                       "status": {"type": "string",
                                  "enum": ["en_route", "on_site", "restored", "need_help"]},
                       "outage_id": {"type": "string"}, "cause": {"type": "string"},
                       "at": {"type": "string", "format": "date-time",
                              "description": "when the crew did it (an action queued "
                                             "while out of signal); default now"},
                       "partial": {"type": "object", "required": ["device_id"],
                                   "description": "restored except behind this open device",
                                   "properties": {"device_id": {"type": "string"}}}}},
    "Position": {"type": "object", "required": ["lon", "lat"],
                 "properties": {"lon": {"type": "number", "minimum": -180, "maximum": 180},
                                "lat": {"type": "number", "minimum": -90, "maximum": 90}}},
    "Login": {"type": "object", "required": ["username", "password"],
              "properties": {"username": {"type": "string"}, "password": {"type": "string"}}},
    "Report": {"type": "object", "description": "token (from a lookup) or account",
               "properties": {"token": {"type": "string"}, "account": {"type": "string"},
                              "hazard": {"type": "string",
                                         "enum": ["wire_down", "fire", "tree", "other"]},
                              "text": {"type": "string", "maxLength": 500}}},
    "Reply": {"type": "object", "required": ["message_id", "text"],
              "properties": {"message_id": {"type": "integer", "minimum": 1},
                             "text": {"type": "string"}}},
    "SentMessages": {"type": "object", "required": ["ids"],
                     "properties": {"ids": {"type": "array", "minItems": 1,
                                            "items": {"type": "integer", "minimum": 1}}}},
    "Subscribe": {"type": "object", "required": ["channel", "contact"],
                  "properties": {"token": {"type": "string"}, "account": {"type": "string"},
                                 "channel": {"type": "string", "enum": ["email", "sms", "push"]},
                                 "contact": {"type": "string"}}},
    "NewComplaint": {
        "type": "object", "required": ["text"],
        "description": "who it is from (token or account) or how to answer (contact), or "
                       "both; channel is the desk's or an intake system's (the public's is web)",
        "properties": {"text": {"type": "string", "maxLength": 2000},
                       "category": {"type": "string",
                                    "enum": ["service", "quality", "price", "policy", "other"]},
                       "channel": {"type": "string", "enum": ["phone", "web", "app", "sms",
                                                              "email", "hall", "letter"]},
                       "token": {"type": "string"}, "account": {"type": "string"},
                       "contact": {"type": "object", "required": ["channel", "address"],
                                   "properties": {"channel": {"type": "string",
                                                              "enum": ["sms", "email"]},
                                                  "address": {"type": "string"}}}}},
    "ComplaintStep": {"type": "object", "description": "note (note, reopen), resolution "
                                                       "(resolve), category and/or department "
                                                       "(route); acknowledge needs none",
                      "properties": {"note": {"type": "string", "maxLength": 2000},
                                     "resolution": {"type": "string", "maxLength": 2000},
                                     "category": {"type": "string"},
                                     "department": {"type": "string"}}},
    "CustomerStatus": {"type": "object", "required": ["power", "street"],
                       "properties": {"power": {"type": "string",
                                                "enum": ["on", "off", "unknown"]},
                                      "street": {"type": "string"},
                                      "outage": {"type": "object"},
                                      "token": {"type": "string"}}},
}

PATHS: dict[str, Any] = {
    "/api/session": {
        "get": _op("who is signed in, and the CSRF token", "200", ANY_OBJ),
        "post": _op("sign in", "201", ANY_OBJ, body="Login", security=[{"csrf": []}],
                    errors=(401,)),
        "delete": _op("sign out", "200", ANY_OBJ, security=[{"csrf": []}]),
    },
    "/api/events": {"post": _op("submit a call, meter or device event (201 once durable)",
                                "201", "Receipt", body="IntakeEvent", security=INTAKE,
                                errors=(422, 503), idempotent=True)},
    "/api/outages": {"get": _op("outages, sortable", "200", {"type": "array", "items": {
        "$ref": S + "Outage"}}, security=CSRF, params=[
        {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["live", "all"]}},
        {"name": "sort", "in": "query",
         "schema": {"type": "string", "enum": ["customers", "critical", "age", "etr"]}}])},
    "/api/outages/{outage_id}": {"get": _op("one outage with its customer ids", "200", "Outage",
                                            security=CSRF, errors=(404,), params=OUTAGE_ID)},
    "/api/outages/{outage_id}/confirm": {"post": _op(
        "confirm", "201", "Receipt", security=CSRF, errors=(404, 409), idempotent=True,
        params=OUTAGE_ID)},
    "/api/outages/{outage_id}/cancel": {"post": _op(
        "cancel (not an outage)", "201", "Receipt", security=CSRF, errors=(404, 409),
        idempotent=True, params=OUTAGE_ID)},
    "/api/outages/{outage_id}/merge": {"post": _op(
        "merge into target", "201", "Receipt", body="Target", security=CSRF,
        errors=(404, 409, 422), idempotent=True, params=OUTAGE_ID)},
    "/api/outages/{outage_id}/split": {"post": _op(
        "split customers off", "201", "Receipt", body="CustomerIds", security=CSRF,
        errors=(404, 409, 422), idempotent=True, params=OUTAGE_ID)},
    "/api/outages/{outage_id}/etr": {
        "post": _op("set the ETR (it stands against the plan's)", "201", "Receipt", body="Etr",
                    security=CSRF, errors=(404, 409, 422), idempotent=True,
                    params=OUTAGE_ID),
        "delete": _op("withdraw a dispatcher's ETR: the model's, then the plan's",
                      "201", "Receipt", security=CSRF, errors=(404, 409), idempotent=True,
                      params=OUTAGE_ID)},
    "/api/jobs": {"get": _op("live outages as jobs, with plan ETA", "200", ANY_LIST,
                             security=CSRF)},
    "/api/jobs/{job_id}/assign": {"post": _op(
        "assign to a crew now (and lock)", "201", ANY_OBJ, body="CrewRef", security=CSRF,
        errors=(404, 409), idempotent=True, params=JOB_ID)},
    "/api/jobs/{job_id}/lock": {"post": _op(
        "pin to a crew for the planner (null releases)", "201", ANY_OBJ, body="CrewRef",
        security=CSRF, errors=(404, 409), idempotent=True, params=JOB_ID)},
    "/api/plan": {"get": _op("the current plan", "200", ANY_OBJ, security=CSRF),
                  "post": _op("re-plan now", "201", ANY_OBJ, security=CSRF)},
    "/api/crews": {"get": _op("crews", "200", ANY_LIST, security=CSRF),
                   "post": _op("add a crew (supervisor, admin)", "201", ANY_OBJ,
                               body="NewCrew", security=CSRF, errors=(409, 422),
                               idempotent=True)},
    "/api/crew/jobs": {"get": _op("my jobs in order (crew)", "200", ANY_OBJ, security=CSRF)},
    "/api/crew/etr": {"post": _op("when the crew's customers will have power again (crew)",
                                  "201", "Receipt", body="CrewEtr", security=CSRF,
                                  errors=(403, 404, 422), idempotent=True)},
    "/api/crew/status": {"post": _op("en route / on site / restored / need help (crew)", "201",
                                     ANY_OBJ, body="CrewStatus", security=CSRF,
                                     errors=(404, 422), idempotent=True)},
    "/api/crew/position": {"post": _op("my position (crew)", "201", ANY_OBJ, body="Position",
                                       security=CSRF, errors=(422,), idempotent=True)},
    "/api/kpis": {"get": _op("control-room KPIs", "200", ANY_OBJ, security=CSRF)},
    "/api/reports": {"get": _op("reports no live outage explains (count, latest first)", "200",
                                ANY_OBJ, security=CSRF)},
    "/api/reports/clear": {"post": _op(
        "checked, no outage: clear these customers' reports", "201", ANY_OBJ,
        body="CustomerIds", security=CSRF, errors=(422,), idempotent=True)},
    "/api/network.geojson": {"get": {"summary": "feeders, devices, sources", "security": CSRF,
                                     "responses": {"200": {"description": "GeoJSON"},
                                                   "401": ERROR, "403": ERROR}}},
    "/api/roads.geojson": {"get": {"summary": "street basemap",
                                   "responses": {"200": {"description": "GeoJSON"}}}},
    "/api/customers/{customer_id}/status": {"get": _op(
        "my supply, by account number (public, rate-limited)", "200", "CustomerStatus",
        errors=(404, 429), params=[_path("customer_id")])},
    "/api/customers/lookup": {"get": _op(
        "my supply, by phone and postcode (public, rate-limited)", "200", "CustomerStatus",
        errors=(400, 404, 429), params=[
            {"name": "phone", "in": "query", "required": True, "schema": {"type": "string"}},
            {"name": "postcode", "in": "query", "required": True,
             "schema": {"type": "string"}}])},
    "/api/customers/report": {"post": _op("report an outage (public)", "201", ANY_OBJ,
                                          body="Report", security=[{"csrf": []}],
                                          errors=(404, 422, 429), idempotent=True)},
    "/api/customers/subscribe": {"post": _op("subscribe to updates (public)", "201", ANY_OBJ,
                                             body="Subscribe", security=[{"csrf": []}],
                                             errors=(404, 422, 429), idempotent=True)},
    "/api/public/areas": {"get": _op("outage areas and counts (public)", "200", ANY_OBJ,
                                     errors=(429,))},
    "/api/outbox": {"get": _op(
        "updates waiting for the messaging gateway, contacts included (that gateway only)",
        "200", ANY_OBJ, security=[{"intake": []}], params=[LIMIT])},
    "/api/outbox/sent": {"post": _op("the gateway sent these updates (that gateway only)",
                                     "200", ANY_OBJ, body="SentMessages",
                                     security=[{"intake": []}])},
    "/api/outbox/replies": {
        "get": _op("customers' replies to the follow-up, newest first (control room, "
                   "complaints desk)",
                   "200", ANY_OBJ, security=CSRF, params=[LIMIT]),
        "post": _op("a customer's reply to a sent update: the follow-up's rating (that "
                    "gateway only)", "201", ANY_OBJ, body="Reply", security=[{"intake": []}],
                    errors=(404,))},
}

COMPLAINT_REF = [_path("reference")]
for _kind, _summary in (("acknowledge", "take it up (the hour's clock stops)"),
                        ("route", "route to a class and/or department"),
                        ("note", "add a note to its history"),
                        ("resolve", "resolve it with a resolution (the complainant is told, "
                                    "and asked to rate it)"),
                        ("reopen", "reopen a resolved complaint (with a note)")):
    PATHS[f"/api/complaints/{{reference}}/{_kind}"] = {"post": _op(
        f"{_summary} (complaints desk)", "201", ANY_OBJ, body="ComplaintStep", security=CSRF,
        errors=(404, 409, 422), idempotent=True, params=COMPLAINT_REF)}
PATHS["/api/complaints"] = {
    "get": _op("the complaints register, open or all, by department (complaints desk)",
               "200", ANY_OBJ, security=CSRF, params=[
                   {"name": "status", "in": "query",
                    "schema": {"type": "string", "enum": ["open", "all"]}},
                   {"name": "department", "in": "query", "schema": {"type": "string"}},
                   {"name": "limit", "in": "query", "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 5000}}]),
    "post": _op("file a complaint (public, the desk, or an intake system): its reference, "
                "class, department and deadlines", "201", ANY_OBJ, body="NewComplaint",
                security=[{"csrf": []}, {"intake": []}], errors=(404, 422, 429),
                idempotent=True)}
PATHS["/api/complaints/summary"] = {"get": _op(
    "the register against its targets, and the follow-up's ratings, 30 days (complaints "
    "desk)", "200", ANY_OBJ,
    security=CSRF)}
PATHS["/api/complaints/{reference}"] = {"get": _op(
    "one complaint with its history (complaints desk)", "200", ANY_OBJ, security=CSRF,
    errors=(404,), params=COMPLAINT_REF)}

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "OMS live API", "version": "1",
             "description": "Outage management: intake, outages, dispatch, crews, customers. "
                            "Errors are JSON {error, status}; no 5xx for bad input."},
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            "intake": {"type": "http", "scheme": "bearer"},
        },
    },
}


@bp.get("/api/openapi.json")
def openapi() -> Response:
    return jsonify(SPEC)

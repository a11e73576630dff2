"""API routes. Every route but the description needs ``Authorization: Bearer <token>`` of an
active administrator; anything else is 401 (no token, unknown or revoked) or 403."""
from __future__ import annotations

import itertools
from datetime import date

from flask import current_app, g, jsonify, request
from flask_login import current_user

from lms.admin import services as admin
from lms.api import bp
from lms.extensions import csrf, limiter

MAX_PER_PAGE = 500

csrf.exempt(bp)  # read-only GETs with bearer tokens: no cookies, no forms


def _api_limit() -> str:
    return current_app.config["API_LIMIT_PER_TOKEN"]


@bp.before_request
def _authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    user = admin.user_for_token(token)
    if user is None:
        if current_user.is_authenticated and not current_user.is_admin:
            return _problem(403, "Only administrators' tokens may read this API.")
        return _problem(401, "A valid bearer token is needed: Authorization: Bearer <token>.")
    g.api_user = user
    return None


def _problem(status: int, detail: str):
    response = jsonify({"status": status, "detail": detail})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="lop-so"'
    return response


def _int(name: str, default: int | None = None) -> int | None:
    value = request.args.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        return None


def _date(name: str) -> date | None:
    value = request.args.get(name)
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/summary")
@limiter.limit(_api_limit, key_func=lambda: request.headers.get("Authorization", "")[-16:] or "anonymous")
def summary():
    from lms.reports.stats import dashboard

    year = _int("year", date.today().year)
    place = _int("place")
    if year is None or (request.args.get("place") and place is None):
        return _problem(400, "'year' and 'place' must be whole numbers.")
    data = dashboard(place, request.args.get("group") or None, year)
    return jsonify(_plain(data))


@bp.get("/completions")
@limiter.limit(_api_limit, key_func=lambda: request.headers.get("Authorization", "")[-16:] or "anonymous")
def completions():
    from lms.reports.completion import completion_header, completion_rows

    page = _int("page", 1)
    per_page = _int("per_page", 100)
    if not page or page < 1 or not per_page or not 1 <= per_page <= MAX_PER_PAGE:
        return _problem(400, f"'page' must be 1 or more and 'per_page' from 1 to {MAX_PER_PAGE}.")
    if (request.args.get("from") and _date("from") is None) or (request.args.get("to") and _date("to") is None):
        return _problem(400, "'from' and 'to' are dates: YYYY-MM-DD.")
    header = [str(h) for h in completion_header()]
    rows = completion_rows(_int("place"), request.args.get("group") or None, _date("from"), _date("to"))
    chunk = list(itertools.islice(rows, (page - 1) * per_page, page * per_page + 1))
    has_more = len(chunk) > per_page
    items = [dict(zip(header, (_value(v) for v in row))) for row in chunk[:per_page]]
    return jsonify({"page": page, "per_page": per_page, "has_more": has_more, "fields": header, "items": items})


def _value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _plain(value):
    """Dataclasses, dates and lazy strings as plain JSON values."""
    import dataclasses
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "id") and hasattr(value, "name"):  # a Place
        return {"id": value.id, "name": value.name}
    return str(value)


@bp.get("/openapi.json")
def openapi():
    token = {"bearerAuth": []}
    filters = [
        {"name": "place", "in": "query", "schema": {"type": "integer"}, "description": "Place id: the place and all below it."},
        {"name": "group", "in": "query", "schema": {"type": "string", "enum": ["officials", "students", "workers", "citizens"]}},
    ]
    return jsonify({
        "openapi": "3.0.3",
        "info": {"title": "Lớp Số API", "version": "1",
                 "description": "Read-only statistics and course completions. Create a token under Administration → API tokens."},
        "servers": [{"url": request.url_root.rstrip("/") + "/api/v1"}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
                       "schemas": {"Problem": {"type": "object", "properties": {
                           "status": {"type": "integer"}, "detail": {"type": "string"}}}}},
        "security": [token],
        "paths": {
            "/summary": {"get": {
                "summary": "Statistics for a place, group and year (registered, active, completed, certified, targets).",
                "parameters": filters + [{"name": "year", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "The dashboard figures as JSON."},
                              "400": {"description": "Bad parameter", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                              "401": {"description": "No valid token"}, "403": {"description": "Not an administrator"},
                              "429": {"description": "Too many requests"}}}},
            "/completions": {"get": {
                "summary": "One item per learner and completed course, paginated.",
                "parameters": filters + [
                    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
                    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 100}}],
                "responses": {"200": {"description": "page, per_page, has_more, fields and items."},
                              "400": {"description": "Bad parameter"}, "401": {"description": "No valid token"},
                              "403": {"description": "Not an administrator"}, "429": {"description": "Too many requests"}}}},
        },
    })

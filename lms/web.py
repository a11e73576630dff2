"""Things every page shares: template helpers and security headers."""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, request, url_for
from flask_babel import format_decimal
from flask_login import current_user

from lms.models.people import GROUP_LABELS, ROLE_LABELS, Role, TargetGroup

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def percent(value: float) -> str:
    return f"{format_decimal(round(value), format='#,##0')} %"


def init_app(app: Flask) -> None:
    versions: dict[str, str] = {}

    def static_url(filename: str) -> str:
        """A static file's address with a content hash, so browsers may cache it for long."""
        if filename not in versions:
            data = (Path(app.static_folder) / filename).read_bytes()
            versions[filename] = hashlib.sha256(data).hexdigest()[:12]
        return url_for("static", filename=filename, v=versions[filename])

    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.globals["group_label"] = lambda g: str(GROUP_LABELS[TargetGroup(g)]) if g else ""
    app.jinja_env.globals["role_label"] = lambda r: str(ROLE_LABELS[Role(r)])
    app.jinja_env.globals["endpoint_exists"] = lambda endpoint: endpoint in app.view_functions

    @app.context_processor
    def shared():
        return {
            # The user object itself, not the proxy: templates read it dozens of times.
            "current_user": current_user._get_current_object(),
            "site_name": app.config["SITE_NAME"],
            "TargetGroup": TargetGroup,
            "Role": Role,
        }

    app.jinja_env.filters["percent"] = percent

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint and not request.endpoint.startswith("static") and response.mimetype == "text/html":
            # Pages can hold personal data: shared phones must not show them from cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

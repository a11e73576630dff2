"""``GET /healthz`` for load balancers and monitoring."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

from lms.extensions import db, limiter

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any database failure means "not ready"
        log.warning("health check: database unavailable: %s", exc)
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")

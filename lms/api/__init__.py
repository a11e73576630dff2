"""A read-only JSON API for scripts and the province's systems: /api/v1 with per-administrator
bearer tokens (Administration → API tokens). Described by /api/v1/openapi.json."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from lms.api import views  # noqa: E402,F401  (routes register on bp)

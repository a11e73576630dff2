"""Teaching: classes, assignments, progress, guidance sessions, one-time codes, mentoring."""
from flask import Blueprint

bp = Blueprint("teach", __name__)

from lms.teach import assign_views, join_views, views  # noqa: E402,F401  (routes register on bp)

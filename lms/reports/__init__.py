"""Reports for administrators: the movement's dashboard, completion and summary downloads
(CSV, XLSX, PDF) and the ``flask reports`` command."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/admin")

from lms.reports import views  # noqa: E402,F401  (routes register on bp)

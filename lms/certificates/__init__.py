"""Certificates: issued on course completion, printable, verifiable by anyone, Open Badges."""
from flask import Blueprint

bp = Blueprint("certificates", __name__)

from lms.certificates import views  # noqa: E402,F401  (routes register on bp)

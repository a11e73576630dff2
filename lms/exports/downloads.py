"""Naming a download.

A whole file held in memory (bytes, or a file object) is best served with Flask's
``send_file(…, as_attachment=True, download_name=name)``, which writes the
``Content-Disposition`` header itself. A *streamed* download (a generator, such as
:func:`lms.exports.csv_writer.csv_stream`) cannot go through ``send_file``: its header comes
from :func:`content_disposition`. (Werkzeug's plain-ASCII fallback name drops letters that do
not decompose, such as "đ", where :func:`content_disposition` writes "d"; browsers read the
exact name from ``filename*`` in both.)
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from lms.exports.cells import CONTROL_CHARACTERS
from lms.text import strip_marks


def content_disposition(filename: str) -> str:
    """A ``Content-Disposition: attachment`` value for a file name that may hold Vietnamese
    letters: an ASCII fallback (``báo cáo đợt 1.xlsx`` -> ``bao_cao_dot_1.xlsx``) for old
    clients and the exact name as RFC 5987 ``filename*``."""
    name = unicodedata.normalize("NFC", CONTROL_CHARACTERS.sub("", filename)).strip() or "download"
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", strip_marks(name)).strip("_") or "download"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def ascii_slug(text: str, fallback: str = "tep") -> str:
    """A file-name piece from Vietnamese text: "Lớp Đắk Lắk" → "lop-dak-lak"."""
    plain = strip_marks(text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or fallback

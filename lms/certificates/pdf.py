"""The certificate as a PDF: A4 landscape, Vietnamese, with a QR code of its verification address.

Drawn with ReportLab. The font (Source Sans Pro, SIL Open Font License) comes from the
``font-source-sans-pro`` package in requirements.txt, so every Vietnamese letter renders the
same on every server, whatever fonts the machine has. ReportLab reads the font once per
process and embeds only the letters used, which keeps a certificate small and fast to make.
"""
from __future__ import annotations

import io
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import font_source_sans_pro
import segno
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from lms.models import Certificate
from lms.text import nfc

FONT_DIR = Path(font_source_sans_pro.font_directory)
REGULAR, BOLD = "SourceSansPro-Regular", "SourceSansPro-Bold"
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MM = 72 / 25.4

NAVY = (24 / 255, 54 / 255, 96 / 255)
GOLD = (176 / 255, 138 / 255, 62 / 255)
INK = (30 / 255, 30 / 255, 30 / 255)

_registered = False
_lock = threading.Lock()
# ReportLab's font objects keep the state of the subset being written, shared by every
# document: two threads writing PDFs at once corrupt each other's subsets. One PDF at a time
# costs little, since Python runs one thread at a time anyway.
_render_lock = threading.Lock()


def _register_fonts() -> None:
    global _registered
    if _registered:
        return
    with _lock:
        if not _registered:
            for name in (REGULAR, BOLD):
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))
            _registered = True


def qr_png(url: str, scale: int = 8) -> bytes:
    """A QR code of ``url`` as a small black-and-white PNG (with its quiet zone)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def vn_date(moment: datetime) -> tuple[int, int, int]:
    local = moment.astimezone(VN_TZ)
    return local.day, local.month, local.year


def _nfc(text: str | None) -> str:
    # Names typed on some keyboards arrive decomposed (letter + combining marks); the font
    # draws the precomposed letters, so every text is composed before it is drawn.
    return nfc(text or "")


class _Page:
    """Centred lines of text written downwards from the top of the page, in millimetres."""

    def __init__(self, c: canvas.Canvas, width: float, height: float):
        self.c, self.width, self.height = c, width, height

    def text(self, x_mm: float, top_mm: float, text: str, font: str, size: float, *, align: str = "centre",
             color=INK) -> None:
        self.c.setFillColorRGB(*color)
        self.c.setFont(font, size)
        y = self.height - top_mm * MM - size * 0.8
        if align == "centre":
            self.c.drawCentredString(x_mm * MM, y, text)
        else:
            self.c.drawString(x_mm * MM, y, text)

    def wrapped(self, x_mm: float, top_mm: float, width_mm: float, text: str, font: str, size: float, *,
                leading: float = 1.25, align: str = "centre", color=INK, max_lines: int = 3) -> float:
        """Write ``text`` wrapped to ``width_mm``; returns the millimetres used."""
        lines = simpleSplit(text, font, size, width_mm * MM)[:max_lines] or [""]
        step = size * leading / MM
        for i, line in enumerate(lines):
            x = x_mm + width_mm / 2 if align == "centre" else x_mm
            self.text(x, top_mm + i * step, line, font, size, align=align, color=color)
        return len(lines) * step


def render(certificate: Certificate, verify_url: str, labels: dict[str, str]) -> bytes:
    """The PDF of a certificate. ``labels`` are the printed words, already in Vietnamese
    (``lms.certificates.views.pdf_labels``). Safe to call from several threads."""
    _register_fonts()
    with _render_lock:
        return _render(certificate, verify_url, labels)


def _render(certificate: Certificate, verify_url: str, labels: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1, invariant=1,
                      initialFontName=REGULAR, initialFontSize=12)
    c.setTitle(_nfc(f"{labels['title']} – {certificate.learner_name}"))
    c.setAuthor(_nfc(certificate.issuer_name))
    c.setSubject(_nfc(certificate.course_title_vi))
    c.setCreator("Lớp Số")
    page = _Page(c, width, height)
    w_mm, h_mm = width / MM, height / MM

    # Frame: a thick outer line and a thin inner one.
    c.setStrokeColorRGB(*NAVY)
    c.setLineWidth(1.6 * MM)
    c.rect(8 * MM, 8 * MM, width - 16 * MM, height - 16 * MM)
    c.setStrokeColorRGB(*GOLD)
    c.setLineWidth(0.5 * MM)
    c.rect(12 * MM, 12 * MM, width - 24 * MM, height - 24 * MM)

    top = 20.0
    issuer = _nfc(certificate.issuer_name).upper()
    if certificate.national_header:
        # The issuer on the left, the national motto on the right, as on official papers.
        page.wrapped(18, top, 110, issuer, BOLD, 11, max_lines=2)
        centre = w_mm - 83
        page.text(centre, top, labels["nation"], BOLD, 12)
        page.text(centre, top + 6.5, labels["motto"], BOLD, 12.5)
        motto_w = pdfmetrics.stringWidth(labels["motto"], BOLD, 12.5) / MM
        c.setStrokeColorRGB(*INK)
        c.setLineWidth(0.3 * MM)
        y = height - (top + 13.2) * MM
        c.line((centre - motto_w / 2) * MM, y, (centre + motto_w / 2) * MM, y)
        top += 24
    else:
        top += page.wrapped(18, top, w_mm - 36, issuer, BOLD, 13, max_lines=2) + 4

    page.text(w_mm / 2, top + 2, labels["title"].upper(), BOLD, 30, color=NAVY)
    top += 15
    page.text(w_mm / 2, top, labels["subtitle"], REGULAR, 13)
    top += 12
    page.text(w_mm / 2, top, labels["certifies"], REGULAR, 13)
    top += 7
    page.text(w_mm / 2, top, _nfc(certificate.learner_name), BOLD, 26, color=NAVY)
    top += 13
    details = [d for d in (labels.get("group"), _nfc(certificate.place_name)) if d]
    if details:
        top += page.wrapped(25, top, w_mm - 50, " · ".join(details), REGULAR, 12, max_lines=2)
    top += 3
    page.text(w_mm / 2, top, labels["completed"], REGULAR, 13)
    top += 7.5
    top += page.wrapped(30, top, w_mm - 60, _nfc(certificate.course_title_vi), BOLD, 17, max_lines=2)
    page.text(w_mm / 2, top + 1, labels["version_score"], REGULAR, 11.5)

    # Bottom left: QR code, address and code. Bottom right: place, date, signer.
    bottom = h_mm - 62
    qr = 34
    c.drawImage(ImageReader(io.BytesIO(qr_png(verify_url))), 22 * MM, height - (bottom + qr) * MM, qr * MM, qr * MM)
    left = 22 + qr + 4
    used = page.wrapped(left, bottom + 5, 95, labels["check_at"], REGULAR, 10, align="left")
    used += page.wrapped(left, bottom + 5 + used, 95, verify_url, REGULAR, 9.5, align="left")
    page.text(left, bottom + 6 + used, f"{labels['code']}: {certificate.display_code}", BOLD, 12, align="left")

    right_centre = w_mm - 75
    page.text(right_centre, bottom, labels["place_date"], REGULAR, 12)
    page.wrapped(right_centre - 53, bottom + 7, 106, _nfc(certificate.signer_title).upper(), BOLD, 12.5, max_lines=2)
    page.text(right_centre, h_mm - 32, _nfc(certificate.signer_name), BOLD, 13)
    c.showPage()
    c.save()
    return buffer.getvalue()

"""The certificate as a PDF: A4 landscape, Vietnamese, with a QR code of its verification address.

The font (Source Sans Pro, SIL Open Font License) comes from the ``font-source-sans-pro``
package in requirements.txt, so every Vietnamese letter renders the same on every server,
whatever fonts the machine has. fpdf2 embeds only the letters used (a subset), which keeps a
certificate small.
"""
from __future__ import annotations

import io
import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import font_source_sans_pro
import segno
from fpdf import FPDF

from lms.models import Certificate

FONT_DIR = Path(font_source_sans_pro.font_directory)
FONTS = {"": FONT_DIR / "SourceSansPro-Regular.ttf", "B": FONT_DIR / "SourceSansPro-Bold.ttf",
         "I": FONT_DIR / "SourceSansPro-It.ttf"}
FAMILY = "SourceSans"
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

NAVY = (24, 54, 96)
GOLD = (176, 138, 62)
INK = (30, 30, 30)


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
    return unicodedata.normalize("NFC", text or "")


def render(certificate: Certificate, verify_url: str, labels: dict[str, str]) -> bytes:
    """The PDF of a certificate. ``labels`` are the printed words, already in Vietnamese
    (``lms.certificates.views.pdf_labels``)."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_lang("vi")
    pdf.set_title(_nfc(f"{labels['title']} – {certificate.learner_name}"))
    pdf.set_author(_nfc(certificate.issuer_name))
    pdf.set_creator("Lớp Số")
    pdf.set_subject(_nfc(certificate.course_title_vi))
    for style, path in FONTS.items():
        pdf.add_font(FAMILY, style, str(path))
    pdf.add_page()
    width, height = pdf.w, pdf.h

    # Frame: a thick outer line and a thin inner one.
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.6)
    pdf.rect(8, 8, width - 16, height - 16)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.rect(12, 12, width - 24, height - 24)

    pdf.set_text_color(*INK)
    top = 20
    if certificate.national_header:
        # The issuer on the left, the national motto on the right, as on official papers.
        pdf.set_font(FAMILY, "B", 11)
        pdf.set_xy(18, top)
        pdf.multi_cell(110, 5.5, _nfc(certificate.issuer_name).upper(), align="C")
        pdf.set_xy(width - 148, top)
        pdf.set_font(FAMILY, "B", 12)
        pdf.cell(130, 6, labels["nation"], align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font(FAMILY, "B", 12.5)
        pdf.cell(130, 6.5, labels["motto"], align="C", new_x="LEFT", new_y="NEXT")
        motto_w = pdf.get_string_width(labels["motto"])
        pdf.set_line_width(0.3)
        pdf.set_draw_color(*INK)
        y = pdf.get_y() + 0.5
        pdf.line(width - 148 + (130 - motto_w) / 2, y, width - 148 + (130 + motto_w) / 2, y)
        top += 22
    else:
        pdf.set_font(FAMILY, "B", 13)
        pdf.set_xy(18, top)
        pdf.multi_cell(width - 36, 6, _nfc(certificate.issuer_name).upper(), align="C")
        top += 12

    pdf.set_xy(18, top + 4)
    pdf.set_text_color(*NAVY)
    pdf.set_font(FAMILY, "B", 30)
    pdf.cell(width - 36, 13, labels["title"].upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "", 13)
    pdf.set_x(18)
    pdf.cell(width - 36, 7, labels["subtitle"], align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(5)
    pdf.set_x(18)
    pdf.set_font(FAMILY, "", 13)
    pdf.cell(width - 36, 7, labels["certifies"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(18)
    pdf.set_text_color(*NAVY)
    pdf.set_font(FAMILY, "B", 26)
    pdf.cell(width - 36, 13, _nfc(certificate.learner_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "", 12)
    details = []
    if labels.get("group"):
        details.append(labels["group"])
    if certificate.place_name:
        details.append(_nfc(certificate.place_name))
    if details:
        pdf.set_x(18)
        pdf.cell(width - 36, 6.5, " · ".join(details), align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(3)
    pdf.set_x(18)
    pdf.set_font(FAMILY, "", 13)
    pdf.cell(width - 36, 7, labels["completed"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(30)
    pdf.set_font(FAMILY, "B", 17)
    pdf.multi_cell(width - 60, 8, _nfc(certificate.course_title_vi), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(18)
    pdf.set_font(FAMILY, "", 11.5)
    pdf.cell(width - 36, 6, labels["version_score"], align="C", new_x="LMARGIN", new_y="NEXT")

    # Bottom left: QR code, address and code. Bottom right: place, date, signer.
    bottom = height - 62
    qr_size = 34
    pdf.image(io.BytesIO(qr_png(verify_url)), x=22, y=bottom, w=qr_size, h=qr_size)
    pdf.set_xy(22 + qr_size + 4, bottom + 6)
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(95, 5, labels["check_at"], new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9.5)
    pdf.multi_cell(95, 5, verify_url, new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(95, 6, f"{labels['code']}: {certificate.display_code}", new_x="LEFT", new_y="NEXT")

    right_x, right_w = width - 128, 106
    pdf.set_xy(right_x, bottom)
    pdf.set_font(FAMILY, "I", 12)
    pdf.cell(right_w, 6.5, labels["place_date"], align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 12.5)
    pdf.multi_cell(right_w, 6.5, _nfc(certificate.signer_title).upper(), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_y(height - 30)
    pdf.set_x(right_x)
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(right_w, 7, _nfc(certificate.signer_name), align="C")
    return bytes(pdf.output())

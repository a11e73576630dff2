"""Open Badges 2.0 hosted assertions: the JSON-LD a badge wallet fetches and re-checks.

Each certificate is an Assertion; each course is a BadgeClass; the issuing body is the issuer
Profile. All three live at stable addresses (see views). A revoked assertion answers 410 with
``revoked: true``, as the specification asks of hosted badges.
"""
from __future__ import annotations

import hashlib
import hmac

from lms.certificates.services import Issuer
from lms.models import Certificate, Course

CONTEXT = "https://w3id.org/openbadges/v2"


def recipient_identity(certificate: Certificate, verify_url: str, secret: bytes) -> dict:
    """A hashed identity: learners often have no e-mail address, so the identity is the
    certificate's own verification address, salted so it cannot be looked up by guessing."""
    salt = hmac.new(secret, f"badge-salt:{certificate.code}".encode(), hashlib.sha256).hexdigest()[:16]
    digest = hashlib.sha256((verify_url + salt).encode()).hexdigest()
    return {"type": "url", "hashed": True, "salt": salt, "identity": f"sha256${digest}"}


def assertion(certificate: Certificate, *, assertion_url: str, badge_url: str, verify_url: str, secret: bytes) -> dict:
    data = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_url,
        "recipient": recipient_identity(certificate, verify_url, secret),
        "badge": badge_url,
        "verification": {"type": "hosted"},
        "issuedOn": certificate.issued_at.isoformat(timespec="seconds"),
        "evidence": verify_url,
    }
    if not certificate.is_valid:
        data["revoked"] = True
        data["revocationReason"] = "revoked by the issuer"
    return data


def badge_class(course: Course, *, badge_url: str, image_url: str, issuer_url: str, criteria_url: str,
                criteria_text: str) -> dict:
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": badge_url,
        "name": course.title_vi,
        "description": course.summary_vi,
        "image": image_url,
        "criteria": {"id": criteria_url, "narrative": criteria_text},
        "issuer": issuer_url,
        "tags": ["Bình dân học vụ số", "kỹ năng số"],
    }


def issuer_profile(who: Issuer, *, issuer_url: str, home_url: str) -> dict:
    data = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": issuer_url,
        "name": who.name,
        "url": who.url or home_url,
    }
    if who.email:
        data["email"] = who.email
    return data


def badge_image_svg(title: str) -> str:
    """A plain round badge with the course title, drawn on the server (no external font)."""
    from markupsafe import escape

    words, lines, line = title.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > 18 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    lines = lines[:4]
    start = 200 - (len(lines) - 1) * 14
    text = "".join(f'<text x="200" y="{start + i * 28}" text-anchor="middle" font-size="22" '
                   f'font-family="sans-serif" font-weight="bold" fill="#183660">{escape(t)}</text>' for i, t in enumerate(lines))
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400" role="img">'
            f'<title>{escape(title)}</title>'
            '<circle cx="200" cy="200" r="190" fill="#f4efe2" stroke="#b08a3e" stroke-width="12"/>'
            '<circle cx="200" cy="200" r="160" fill="none" stroke="#183660" stroke-width="4"/>'
            '<text x="200" y="95" text-anchor="middle" font-size="20" font-family="sans-serif" fill="#183660">'
            'Bình dân học vụ số</text>'
            f'{text}'
            '<text x="200" y="330" text-anchor="middle" font-size="20" font-family="sans-serif" fill="#183660">'
            'Lớp Số</text></svg>')

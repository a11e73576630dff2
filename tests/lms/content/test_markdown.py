"""All Markdown goes through one sanitizing renderer."""
from __future__ import annotations

import pytest

from lms.content.markdown import render_markdown


@pytest.mark.parametrize("source, forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ("<img src=x onerror=alert(1)>", "onerror"),
    ("[bấm](javascript:alert(1))", "javascript:"),
    ("[bấm](JaVaScRiPt:alert(1))", "javascript:"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ("<iframe src=https://evil.example></iframe>", "<iframe"),
    ('<p style="position:fixed">x</p>', "style="),
    ('<div onclick="steal()">x</div>', "onclick"),
    ("<svg><script>alert(1)</script></svg>", "<script"),
    ('<form action="https://evil.example"><input name=p></form>', "<form"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:text/html"),
])
def test_dangerous_markup_is_removed(source, forbidden):
    html = render_markdown("Chào bạn.\n\n" + source)
    assert forbidden not in html.lower()
    assert "Chào bạn." in html


def test_ordinary_markdown_survives():
    html = render_markdown("## Bước 1\n\n1. Mở **VNeID**\n2. Chọn mục\n\n> **Lưu ý:** giữ kín mã OTP.\n\n"
                           "| A | B |\n|---|---|\n| 1 | 2 |\n\n[Cổng](https://dichvucong.gov.vn)")
    assert "<h2>Bước 1</h2>" in html
    assert "<ol>" in html and "<strong>VNeID</strong>" in html
    assert "<blockquote>" in html and "<table>" in html
    assert 'href="https://dichvucong.gov.vn"' in html and 'rel="noopener noreferrer"' in html


def test_images_point_at_the_package_media_route():
    html = render_markdown("![Điện thoại](../../images/phone.svg)", base_dir="lessons/m1", media_prefix="../files/")
    assert 'src="../files/images/phone.svg"' in html
    assert 'alt="Điện thoại"' in html and 'loading="lazy"' in html


def test_text_is_escaped():
    html = render_markdown("Dùng 1 < 2 & \"trích dẫn\"")
    assert "1 &lt; 2 &amp;" in html

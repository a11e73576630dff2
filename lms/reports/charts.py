"""Charts drawn on the server: horizontal bars as inline SVG (no JavaScript), and numbers
written the way the reader writes them.
"""
from __future__ import annotations

import itertools
import textwrap
from collections.abc import Sequence
from typing import Any

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape


_svg_ids = itertools.count(1)

BAR_ROW = 60  # pixels per item: label line, bar, value line
BAR_HEIGHT = 16
LABEL_CHARS = 28  # at most this many letters on one label line (14 px bold: fits 320 px screens)
LABEL_LINE = 17   # pixels per extra label line
INK, TRACK, FILL, EDGE = "#1b1b1b", "#e3e7ee", "#1b6e20", "#555555"


def format_number(value: Any) -> str:
    """A count or share as the reader writes numbers ("1.234" in Vietnamese, "1,234" in English)."""
    if value is None:
        return "–"
    locale = str(get_locale() or "vi")
    if isinstance(value, float) and not value.is_integer():
        return format_decimal(round(value, 1), format="#,##0.#", locale=locale)
    return format_decimal(value, format="#,##0", locale=locale)


def svg_bars(items: Sequence[tuple[Any, float | int | None, float | int | None]], *,
             title: str | None = None) -> Markup:
    """Horizontal bars as inline SVG, one per ``(label, value, max_value_or_target)``.

    Each item takes three lines: the label, the bar (a track for the target or maximum, filled
    up to the value) and the numbers written out ("12 / 40 · 30 %"), so that the chart reads
    without colour and without JavaScript. Without a maximum, bars are scaled to the largest
    value. Widths are percentages, so the chart fits any screen without shrinking its text.
    ``role="img"`` with a <title> and a <desc> holding every value for screen readers.
    """
    title = str(title if title is not None else _l("Chart"))
    number = next(_svg_ids)
    largest = max((float(v or 0) for _label, v, _max in items), default=0.0)
    parts: list[str] = []
    described: list[str] = []
    top = 0
    for label, value, maximum in items:
        value = value or 0
        scale = float(maximum) if maximum else largest
        fraction = min(max(float(value) / scale, 0.0), 1.0) if scale else 0.0
        if maximum:
            numbers = f"{format_number(value)} / {format_number(maximum)} · {format_number(value * 100 / maximum)} %"
        else:
            numbers = format_number(value)
        # SVG text does not wrap: a long label (a group's full name, a village) is broken into
        # lines short enough for a 320 px phone, and the item grows by a line each.
        lines = textwrap.wrap(str(label), LABEL_CHARS) or [""]
        extra = (len(lines) - 1) * LABEL_LINE
        parts.append(
            "".join(f'<text x="0" y="{top + 14 + i * LABEL_LINE}" font-size="14" font-weight="bold" '
                    f'fill="{INK}">{escape(line)}</text>' for i, line in enumerate(lines))
            + f'<rect x="0.5" y="{top + extra + 20}" width="99%" height="{BAR_HEIGHT}" fill="{TRACK}" stroke="{EDGE}"/>'
            f'<rect x="0.5" y="{top + extra + 20}" width="{fraction * 99:.2f}%" height="{BAR_HEIGHT}" fill="{FILL}"/>'
            f'<text x="0" y="{top + extra + 52}" font-size="14" fill="{INK}">{escape(numbers)}</text>')
        described.append(f"{label}: {numbers}")
        top += BAR_ROW + extra
    height = max(top, BAR_ROW)
    title_id, desc_id = f"bars-{number}-title", f"bars-{number}-desc"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" role="img" width="100%" height="{height}" '
        f'aria-labelledby="{title_id} {desc_id}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape("; ".join(described))}</desc>'
        + "".join(parts) + "</svg>")

"""GIFT text handling: escapes, [format] markers, HTML to text, ids, and the file split into
questions with the line each starts on."""
from __future__ import annotations

import html
import re
import unicodedata

FORMATS = ("moodle", "html", "plain", "markdown")  # Moodle's names; FORMAT_MOODLE is the default
BLANK = "_____"  # where the answers stood in a missing-word question, as in Moodle

# Escaped control characters become placeholders while the question is taken apart.
_ESCAPE_RE = re.compile(r"\\([\\:#=~{}n])")
_CODES = {":": "\x06", "#": "\x03", "=": "\x02", "{": "\x04", "}": "\x05", "~": "\x01", "\\": "\x07", "n": "\x08"}
_UNESCAPE = {code: ("\n" if char == "n" else char) for char, code in _CODES.items()}

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_IMG = re.compile(r"<img\b[^>]*>", re.I)
_HTML_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_HTML_BLOCK = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|pre|blockquote|hr|dd|dt|dl)\b[^>]*>", re.I)
_HTML_INLINE = re.compile(r"</?(?:a|abbr|b|big|center|code|del|em|font|i|ins|kbd|q|s|small|span|strike|strong|sub"
                          r"|sup|tbody|td|tfoot|th|thead|tt|u|var)\b[^>]*>", re.I)


class _Refused(Exception):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params

# --- text ----------------------------------------------------------------------------------

def _escape(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _CODES[m.group(1)], text)


def _unescape(text: str) -> str:
    for code, char in _UNESCAPE.items():
        text = text.replace(code, char)
    return text


def _tidy(text: str) -> str:
    """Lines trimmed, runs of spaces made one, at most one empty line in a row."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _formatted(raw: str, default: str) -> tuple[str, str]:
    """Moodle's parse_text_with_format: a leading [format] marker sets the format and is removed,
    then the escaped characters come back."""
    raw = raw.strip()
    fmt = default
    if raw.startswith("["):
        end = raw.find("]")
        if end > 0 and raw[1:end] in FORMATS:
            fmt, raw = raw[1:end], raw[end + 1:]
    return fmt, _unescape(raw).strip()


def _html_to_text(text: str) -> str:
    text = _HTML_COMMENT.sub("", text)

    def image(match: re.Match) -> str:
        alt = _HTML_ALT.search(match.group(0))
        return (alt.group(1) or alt.group(2) or "") if alt else ""

    text = _HTML_IMG.sub(image, text)
    text = _HTML_BLOCK.sub("\n", text)
    text = _HTML_INLINE.sub("", text)
    return html.unescape(text).replace("\xa0", " ")


def _display(text: str, fmt: str) -> str:
    """A text as our plain-text prompts and options show it: HTML (and Moodle's auto-format,
    which allows HTML) becomes text; Markdown and plain text stay as written."""
    if fmt in ("html", "moodle"):
        text = _html_to_text(text)
    return _tidy(text)


def _shown(raw: str, default: str) -> str:
    fmt, text = _formatted(raw, default)
    return _display(text, fmt)

def _slug(text: str, fallback: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:50].strip("-")
    return text or fallback


def _blocks(text: str):
    """Questions separated by blank lines, with the line each starts on; comments removed. Lines
    are trimmed, as Moodle trims them."""
    block: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            if block:
                yield start, "\n".join(block)
                block = []
            continue
        if line.startswith("//"):
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, "\n".join(block)


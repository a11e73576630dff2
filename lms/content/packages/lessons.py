"""What a lesson may hold: its size, and in its Markdown pictures with a description that are
files of the package, links with an allowed scheme, and no raw HTML.
"""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from lms.content.i18n import N_
from lms.content.packages.checker import Checker
from lms.content.packages.files import image_problem

MAX_LESSON_BYTES = 200 * 1024
# ![alt](path "title") — the forms Markdown accepts for inline images.
IMAGE_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<src>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?(?P<href>[^)\s>]+)")
RAW_HTML_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")



def check_lesson_markdown(folder: Path, courses_dir: Path, lesson_path: Path, text: str, check: Checker):
    """Look at a lesson's images and links line by line."""
    base = PurePosixPath(lesson_path.relative_to(folder).as_posix()).parent
    in_fence = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence:
            continue
        for match in IMAGE_RE.finditer(line):
            src, alt = match.group("src"), match.group("alt").strip()
            if not alt:
                check.error(number, N_("the image '%(src)s' has no alternative text; describe the picture between the brackets: ![description](%(src)s)"), src=src)
            if "://" in src or src.startswith(("/", "data:")):
                check.error(number, N_("the image '%(src)s' must be a file inside the package, not an address"), src=src)
                continue
            found = image_problem(folder, base, src)
            if found:
                check.error(number, found[0], **found[1])
        for match in LINK_RE.finditer(line):
            href = match.group("href").strip().lower()
            if ":" in href.split("/")[0] and not href.startswith(("http:", "https:", "mailto:", "tel:")):
                check.error(number, N_("the link '%(href)s' uses a scheme that is not allowed; use http, https, mailto or tel"),
                            href=match.group("href"))
        if RAW_HTML_RE.search(line):
            check.warn(number, N_("raw HTML is not allowed in lessons and will be removed; use Markdown instead"))

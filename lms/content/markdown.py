"""The one place Markdown becomes HTML. Everything rendered is sanitized.

Course authors are trusted to write lessons, not to run code in learners' browsers: script,
style, event handlers, ``javascript:`` links and unknown tags are removed whatever the source.
"""
from __future__ import annotations

import posixpath
import xml.etree.ElementTree as etree

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "loading"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_html(html: str) -> str:
    """Keep only harmless tags, attributes and link schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


class _ImageRewriter(Treeprocessor):
    """Point relative image paths at the package's media route and load pictures lazily."""

    def __init__(self, md, base_dir: str, media_prefix: str):
        super().__init__(md)
        self.base_dir = base_dir
        self.media_prefix = media_prefix

    def run(self, root: etree.Element) -> None:
        for img in root.iter("img"):
            src = img.get("src", "")
            if src and "://" not in src and not src.startswith(("/", "data:")):
                package_path = posixpath.normpath(posixpath.join(self.base_dir, src))
                img.set("src", self.media_prefix + package_path)
            img.set("loading", "lazy")


class _ImageExtension(Extension):
    def __init__(self, base_dir: str, media_prefix: str):
        super().__init__()
        self.base_dir = base_dir
        self.media_prefix = media_prefix

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(_ImageRewriter(md, self.base_dir, self.media_prefix), "lms_images", 5)


def render_markdown(text: str, *, base_dir: str = "", media_prefix: str = "") -> str:
    """Render Markdown to sanitized HTML.

    ``base_dir`` is the folder of the source file inside its package (for relative image
    paths) and ``media_prefix`` the URL prefix images are served under; with neither given,
    image paths are left as written.
    """
    extensions: list = ["tables", "sane_lists", "fenced_code"]
    if media_prefix:
        extensions.append(_ImageExtension(base_dir, media_prefix))
    html = markdown.markdown(text, extensions=extensions, output_format="html")
    return sanitize_html(html)

"""Checks on the drawn page, shared by the browser tests.

Each function looks at what Chromium laid out, not at the HTML text: the page must never
scroll sideways, every control a person taps must be at least 44 × 44 CSS px, and the
Vietnamese interface must not show English words from the interface.
"""
from __future__ import annotations

import re

MIN_TAP = 44

# Controls that may be smaller than 44 px, each with its reason. Keep this list short.
TAP_EXCEPTIONS = {
    # A link inside a running sentence or paragraph: WCAG 2.5.8 exempts inline targets,
    # and making a word 44 px tall would break the line spacing of the text.
    "inline": "a link inside a sentence (WCAG 2.5.8 inline exception)",
    # The "skip to content" link sits off-screen until it gets the keyboard focus.
    "skip": "off-screen until focused by the keyboard",
}

_TARGETS_JS = r"""
(minTap) => {
  const out = [];
  const nodes = document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary');
  for (const el of nodes) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;           // not drawn (inside a closed box)
    if (el.closest('.skip') || el.classList.contains('skip')) continue;
    // Inline links in running text: the parent is a paragraph, list item or cell with other text.
    // Inline links in running text: the parent holds words of its own, not only other links
    // (a row of links separated by dots is a menu, and a menu must be tappable).
    let inline = false;
    if (el.tagName === 'A' && style.display === 'inline' && el.parentElement) {
      let words = '';
      for (const node of el.parentElement.childNodes) {
        if (node.nodeType === Node.TEXT_NODE) words += node.textContent;
        else if (node.nodeType === Node.ELEMENT_NODE && !node.matches('a, button, form, input, select'))
          words += node.textContent;
      }
      inline = words.replace(/[\s·|›»,;:()\-–—]/g, '').length >= 3;
    }
    // A check box or radio button counts with its label: the label is the tap target.
    let box = r;
    if ((el.type === 'checkbox' || el.type === 'radio') && el.closest('label')) {
      box = el.closest('label').getBoundingClientRect();
    } else if ((el.type === 'checkbox' || el.type === 'radio') && el.id) {
      const label = document.querySelector('label[for="' + el.id + '"]');
      if (label) box = label.getBoundingClientRect();
    }
    if (box.height + 0.5 < minTap || box.width + 0.5 < minTap) {
      out.push({tag: el.tagName.toLowerCase(), type: el.type || '', text: (el.textContent || el.name || el.id || '').trim().slice(0, 40),
                width: Math.round(box.width), height: Math.round(box.height), inline: inline});
    }
  }
  return out;
}
"""


def page_width(page) -> dict:
    """The viewport's width and the widest the document became."""
    return page.evaluate(
        "() => ({viewport: window.innerWidth,"
        " scroll: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)})")


def assert_fits(page, where: str = "") -> None:
    """The page never scrolls sideways: nothing is wider than the screen."""
    size = page_width(page)
    if size["scroll"] > size["viewport"]:
        culprits = page.evaluate(
            """(vw) => Array.from(document.querySelectorAll('body *'))
                 .filter(e => e.getBoundingClientRect().right > vw + 0.5 && !e.closest('.table-wrap'))
                 .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' +
                                       Math.round(e.getBoundingClientRect().right))""", size["viewport"])
        raise AssertionError(f"{where or page.url}: page is {size['scroll']} px wide on a "
                             f"{size['viewport']} px screen; too wide: {culprits}")


def small_targets(page) -> list[dict]:
    """Visible links, buttons and fields smaller than 44 × 44 px, inline text links left out."""
    return [t for t in page.evaluate(_TARGETS_JS, MIN_TAP) if not t["inline"]]


def assert_tap_targets(page, where: str = "") -> None:
    small = small_targets(page)
    assert small == [], f"{where or page.url}: tap targets under {MIN_TAP} px: {small}"


# English words of our own interface that must never show on a Vietnamese page. Chosen from the
# English catalogue's common words; proper names and course content never contain them.
_ENGLISH = re.compile(
    r"\b(Log in|Log out|Register|Courses|My account|My classes|Certificates|Progress|Lesson|Module|"
    r"Quiz|Submit|Download|Save|Cancel|Delete|Next|Previous|Back to|Search|Continue|Start|Settings|"
    r"Teacher|Learner|Administrator|Class|Due|Done|Passed|Failed|Score|Report|Dashboard|Audit|"
    r"Target|Village|Commune|Name|Password|Username|Nothing|Show|Hide|Menu)\b")


def english_leaks(page) -> list[str]:
    """English interface words visible on a page that should be all Vietnamese."""
    text = page.evaluate("() => document.body.innerText")
    return sorted(set(_ENGLISH.findall(text)))


def assert_vietnamese(page, where: str = "") -> None:
    leaks = english_leaks(page)
    assert leaks == [], f"{where or page.url}: English text in the Vietnamese interface: {leaks}"


def assert_page_ok(page, where: str = "") -> None:
    """All three checks at once: fits the screen, tap targets, no English."""
    assert_fits(page, where)
    assert_tap_targets(page, where)
    assert_vietnamese(page, where)

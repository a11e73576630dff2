"""Text forms shared by the whole site: NFC to store and show, a folded key to match.

People type Vietnamese with or without tone marks, in any case, and some keyboards send letters
decomposed (base letter + combining marks). ``fold`` is the one function that turns all of these
into the same key, so that "huong", "HUONG" and "Hường" find "Nguyễn Thị Hường" everywhere.

Folded keys are stored (``User.name_key``, ``Certificate.learner_name_key``): changing what
``fold`` returns needs a migration that computes the stored keys again.
"""
from __future__ import annotations

import unicodedata

# Letters that are not a base letter plus a combining mark, so decomposing does not remove their
# stroke. "Ð" (Icelandic eth) looks the same as "Đ" and is sometimes typed for it.
_NO_DECOMPOSITION = str.maketrans({"đ": "d", "Đ": "D", "Ð": "D", "ð": "d"})


def nfc(text: str) -> str:
    """The composed form in which text is stored and compared ("e" + "̂" + "̀" → "ề")."""
    return unicodedata.normalize("NFC", text)


def strip_marks(text: str) -> str:
    """The text without diacritics, case kept: "Đắk Lắk" → "Dak Lak".

    Compatibility forms become plain letters too ("ﬁ" → "fi", full-width "Ａ" → "A")."""
    plain = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    return nfc("".join(ch for ch in plain if not unicodedata.combining(ch)))


def fold(text: str | None) -> str:
    """A key ignoring case, Vietnamese diacritics and extra spaces:
    "  Nguyễn  THỊ Hường " → "nguyen thi huong". Punctuation is kept."""
    # Case-fold first: a few letters fold into a letter plus a combining mark ("İ" → "i̇").
    return " ".join(strip_marks(str(text or "").casefold()).split())


def matches(query: str | None, text: str | None) -> bool:
    """Every word of ``query`` occurs in ``text``, ignoring case and diacritics (in Python; the
    database does the same with a stored key and ``lms.models.base.folded_contains``)."""
    key = fold(text)
    return all(word in key for word in fold(query).split())

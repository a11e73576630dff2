"""Certificate codes: 12 symbols from an alphabet without look-alikes, 60 random bits,
shown in groups of four (``K7QM-4XRT-9PHW``), accepted in any case and with any separators."""
from __future__ import annotations

import re
import secrets

# Digits 2-9 and letters without I and O (no 0/O, 1/I/l confusion when read aloud or typed):
# 32 symbols, 5 bits each.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 12  # 12 × 5 = 60 random bits
_SEPARATORS = re.compile(r"[\s\-–—._]+")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(text: str) -> str | None:
    """The stored form of a code as someone typed it, or None if it cannot be one."""
    code = _SEPARATORS.sub("", text or "").upper()
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def display(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))

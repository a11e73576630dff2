"""Teaching: the shared limits, codes and the error every teaching function raises."""
from __future__ import annotations

import secrets


# Join codes: 8 symbols without look-alikes (40 bits), valid for 30 days unless renewed.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 8
JOIN_CODE_DAYS = 30
# One-time sign-in codes: 10 symbols (50 bits), valid for 7 days, used once.
SIGN_IN_CODE_LENGTH = 10
SIGN_IN_CODE_DAYS = 7
# Invitations wait 30 days for an answer; a class has at most so many waiting at once.
INVITATION_DAYS = 30
MAX_PENDING_INVITATIONS = 500
MENTEES_GOAL = 5  # the movement asks each digital ambassador to guide at least five people


class TeachError(Exception):
    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


class CodeRefused(TeachError):
    """A sign-in code this person may not print (the account has a password of its own)."""


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalize_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def group_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))

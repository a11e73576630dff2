"""Marking strings for translation in code that runs without Flask.

``N_`` only marks a message for extraction (``pybabel extract -k N_``); it is translated where it
is shown, with the reader's language.
"""


def N_(message: str) -> str:  # noqa: N802 (the conventional name)
    return message

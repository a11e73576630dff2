"""The uploaded files that wait, on the server, between an import's preview and its commit.

The uploaded bytes are kept in ``<instance>/imports/<token>.upload`` (token: 32 random
URL-safe characters), with a description in ``<token>.json``: the kind of import, the file's
name, the administrator who uploaded it (nobody else may use the token) and when. A kept file
expires after :data:`KEEP`. Parsed data never travels through the browser. After the commit the
upload is deleted; only the report of the skipped rows is kept (no codes), in
``<token>.report.json``.

The kept files live in the instance folder of the server that took the upload. With several
application servers behind a load balancer, share ``<instance>/imports`` between them or keep
an administrator on one server (sticky sessions); otherwise a commit reaching another server
asks for the file again.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path

from flask import abort, current_app
from flask_login import current_user

KEEP = 24 * 3600  # seconds an uploaded file waits for its commit
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")


def _store() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def forget_expired() -> None:
    """Forget uploads and reports older than KEEP."""
    limit = time.time() - KEEP
    for path in _store().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def keep_upload(kind: str, data: bytes, filename: str, **meta) -> str:
    """Keep an upload of the current administrator for its commit; its token."""
    forget_expired()
    store = _store()
    token = secrets.token_urlsafe(24)
    _write_private(store / f"{token}.upload", data)
    _write_private(store / f"{token}.json", json.dumps(
        {"kind": kind, "filename": filename, "user_id": current_user.id, "at": time.time(), **meta}).encode())
    return token


def upload_meta(token: str, kind: str) -> dict | None:
    """The kept upload's description, only for the administrator who uploaded it (404 for
    anyone else); None when it has expired or is not on this server."""
    if not TOKEN_RE.fullmatch(token):
        abort(404)
    path = _store() / f"{token}.json"
    try:
        meta = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if meta.get("kind") != kind or meta.get("user_id") != current_user.id:
        abort(404)
    if meta.get("at", 0) < time.time() - KEEP:
        return None
    return meta


def read_upload(token: str) -> bytes | None:
    """The kept file (ask :func:`upload_meta` first); None once it has been imported."""
    try:
        return (_store() / f"{token}.upload").read_bytes()
    except OSError:
        return None  # already imported


def keep_report(token: str, rows: list[dict]) -> None:
    """After the commit: keep the skipped rows (``PersonRow.as_dict()``) and drop the upload."""
    store = _store()
    _write_private(store / f"{token}.report.json", json.dumps({"rows": rows}).encode())
    (store / f"{token}.upload").unlink(missing_ok=True)


def forget_upload(token: str) -> None:
    """After the commit of an import that keeps no report: drop the upload."""
    (_store() / f"{token}.upload").unlink(missing_ok=True)


def read_report(token: str) -> list[dict] | None:
    """The skipped rows kept by :func:`keep_report`; None before the commit."""
    try:
        return json.loads((_store() / f"{token}.report.json").read_text())["rows"]
    except (OSError, ValueError, KeyError):
        return None

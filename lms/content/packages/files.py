"""A package's files: paths that stay inside the package, pictures, and a digest of them all.
"""
from __future__ import annotations

import hashlib
import posixpath
from pathlib import Path, PurePosixPath

from lms.content.i18n import N_

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml"}
MAX_IMAGE_BYTES = 1024 * 1024


def package_hash(folder: Path) -> str:
    """A digest of every file in the package, to notice any change."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def safe_package_path(folder: Path, relative: str) -> Path | None:
    """The file ``relative`` inside ``folder``, or None if it would leave the folder."""
    if not relative or "\\" in relative or "\0" in relative:
        return None
    posix = PurePosixPath(relative)
    if posix.is_absolute() or ".." in posix.parts:
        return None
    root = folder.resolve()
    path = (root / posix).resolve()
    if path != root and root not in path.parents:
        return None  # a symlink pointing out of the package
    return path


def image_problem(folder: Path, base: PurePosixPath, src: str) -> tuple[str, dict] | None:
    """What is wrong with the picture ``src`` (relative to ``base`` inside the package), as a
    message template and its parameters; None when the picture is fine."""
    target = safe_package_path(folder, posixpath.normpath((base / src).as_posix()))
    if target is None:
        return N_("the image '%(src)s' points outside the package folder"), {"src": src}
    if not target.is_file():
        return N_("the image file '%(src)s' does not exist"), {"src": src}
    if target.suffix.lower() not in IMAGE_TYPES:
        return (N_("the image '%(src)s' has an unsupported type; use %(types)s"),
                {"src": src, "types": ", ".join(sorted(IMAGE_TYPES))})
    if target.stat().st_size > MAX_IMAGE_BYTES:
        return N_("the image '%(src)s' is larger than 1 MB; make it smaller for slow connections"), {"src": src}
    return None

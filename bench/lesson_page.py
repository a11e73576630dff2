"""Lesson page throughput under concurrent load, as a ratio to a minimal Flask page, and the
lesson page's total transfer size (HTML + stylesheet + pictures).

Goal (issue #2): ratio ≥ 0.5, total size < 50 KB.
"""
from __future__ import annotations

import re

from bench.common import Installation, Server, load, login, median, request

LESSON = "/courses/vneid-cho-nguoi-dan/lam-quen-voi-vneid/cai-dat-dung-ung-dung"


def transfer_size(port: int, path: str, cookie: str) -> dict:
    """Bytes of the page and of every same-site file it loads, as a first visit fetches them."""
    response, page = request(port, "GET", path, cookie=cookie)
    assert response.status == 200, response.status
    sizes = {"html": len(page)}
    base = path.rsplit("/", 1)[0] + "/"
    for ref in re.findall(rb'(?:<link[^>]+href|<img[^>]+src)="([^"]+)"', page):
        ref = ref.decode().replace("&amp;", "&")
        if ref.startswith("data:"):
            continue
        url = ref if ref.startswith("/") else _join(base, ref)
        _r, body = request(port, "GET", url, cookie=cookie)
        sizes[url] = len(body)
    sizes["total"] = sum(v for k, v in sizes.items())
    return sizes


def _join(base: str, ref: str) -> str:
    parts = base.rstrip("/").split("/")
    for piece in ref.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def run(concurrency: int = 16, seconds: float = 5.0, rounds: int = 3) -> dict:
    inst = Installation()
    username, password = inst.demo_login("nguoidan")
    with Server("wsgi:app", inst.env, log_dir=inst.dir) as lms, \
            Server("bench.minimal_app:app", inst.env, log_dir=inst.dir) as minimal:
        cookie = login(lms.port, username, password)
        response, _ = request(lms.port, "GET", LESSON, cookie=cookie)
        assert response.status == 200, f"lesson page answered {response.status}"
        load(lms.port, LESSON, concurrency=4, seconds=1, cookie=cookie)  # warm up
        load(minimal.port, "/", concurrency=4, seconds=1)
        lesson_rps, minimal_rps, errors = [], [], 0
        for _ in range(rounds):
            m = load(minimal.port, "/", concurrency=concurrency, seconds=seconds)
            lesson = load(lms.port, LESSON, concurrency=concurrency, seconds=seconds, cookie=cookie)
            minimal_rps.append(m.rps)
            lesson_rps.append(lesson.rps)
            errors += m.errors + lesson.errors
        sizes = transfer_size(lms.port, LESSON, cookie)
    ratio = median(lesson_rps) / median(minimal_rps)
    return {
        "name": "lesson page",
        "concurrency": concurrency,
        "lesson_rps_median": round(median(lesson_rps), 1),
        "minimal_rps_median": round(median(minimal_rps), 1),
        "ratio": round(ratio, 3),
        "ratio_goal": 0.5,
        "errors": errors,
        "transfer_bytes": sizes,
        "size_goal_bytes": 50 * 1024,
        "ok": ratio >= 0.5 and sizes["total"] < 50 * 1024 and errors == 0,
    }

"""Shared benchmark machinery: a prepared installation, servers, and a load generator."""
from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WAITRESS = str(Path(PYTHON).parent / "waitress-serve")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Installation:
    """A throw-away instance folder with its own SQLite database, migrated and loaded."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="lop-so-bench-"))
        self.env = {**os.environ, "LMS_INSTANCE_PATH": str(self.dir),
                    "LMS_DATABASE_URL": f"sqlite:///{self.dir / 'bench.db'}",
                    "LMS_SECRET_KEY": "bench-only-secret", "PYTHONPATH": str(ROOT),
                    # The benchmark logs in many times from one address.
                    "LMS_LOGIN_LIMIT_PER_ADDRESS": "100000 per minute",
                    "LMS_LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute"}
        self.flask(["db", "upgrade"])
        self.flask(["courses", "sync"])

    def flask(self, args: list[str], input: str | None = None) -> str:
        result = subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, input=input, check=True)
        return result.stdout

    def demo_login(self, username: str) -> tuple[str, str]:
        """Seed the demo data (places and one account per role and group) and return a login."""
        self.flask(["seed-demo", "--if-empty"])
        for line in (self.dir / "demo-logins.txt").read_text(encoding="utf-8").splitlines():
            _role, name, password = line.split()
            if name == username:
                return name, password
        raise KeyError(username)

    def python(self, code: str) -> str:
        result = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=self.env, capture_output=True, text=True, check=True)
        return result.stdout


class Server:
    """A WSGI application under waitress in its own process (as `make run` serves it)."""

    def __init__(self, target: str, env: dict, threads: int = 8, log_dir: Path | None = None):
        self.port = free_port()
        # The server's log goes to a file: an unread pipe would fill up and stall the server.
        log_path = (log_dir or Path(tempfile.gettempdir())) / f"server-{self.port}.log"
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [WAITRESS, "--host=127.0.0.1", f"--port={self.port}", f"--threads={threads}", target],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server {target} did not start")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def request(port: int, method: str, path: str, body: dict | None = None, cookie: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {}
    data = None
    if body is not None:
        data = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = cookie
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response, payload


def login(port: int, username: str, password: str) -> str:
    """Log in through the real form; returns the session cookie header value."""
    response, page = request(port, "GET", "/login")
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    response, _ = request(port, "POST", "/login", {"csrf_token": token, "username": username, "password": password},
                          cookie=cookie)
    if response.status != 302:
        raise RuntimeError(f"log-in failed with {response.status}")
    return response.getheader("Set-Cookie").split(";", 1)[0]


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def load(port: int, path: str, *, concurrency: int, seconds: float, cookie: str | None = None,
         expect: int = 200) -> LoadResult:
    """Keep-alive GETs from ``concurrency`` threads for ``seconds``; counts good answers and errors."""
    stop_at = time.perf_counter() + seconds
    counts = [0] * concurrency
    errors = [0] * concurrency
    headers = {"Cookie": cookie} if cookie else {}

    def worker(i: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop_at:
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status == expect:
                    counts[i] += 1
                else:
                    errors[i] += 1
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return LoadResult(sum(counts), sum(errors), time.perf_counter() - started)


def median(values):
    return statistics.median(values)

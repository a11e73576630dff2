"""Small helpers for tests that drive the site through its forms."""
from __future__ import annotations

import re

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form at ``url``, as a browser would send it back."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token in {url}"
    return match.group(1)


def post_form(client, url: str, data: dict, form_url: str | None = None, **kwargs):
    token = csrf_token(client, form_url or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username="nguoidan", password="mật khẩu dài 123"):
        return post_form(self.client, "/login", {"username": username, "password": password})

    def logout(self):
        return post_form(self.client, "/logout", {}, form_url="/")


PASSWORD = "mật khẩu dài 123"  # the make_user fixture's password


def log_in(client, username: str, password: str = PASSWORD, lang: str | None = None):
    """Log in through the form (and choose the interface language); returns the response."""
    response = post_form(client, "/login", {"username": username, "password": password})
    if lang:
        client.set_cookie("lang", lang)
    return response


def log_out(client):
    return post_form(client, "/logout", {}, form_url="/")

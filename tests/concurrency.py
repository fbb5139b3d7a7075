"""Real concurrency for tests: threads started together, and signed-in users talking HTTP to a live app."""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

from tests import factories

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def run_concurrently(count: int, work: Callable[[int], None], barrier: threading.Barrier | None = None,
                     timeout: float = 120) -> list[BaseException]:
    """Start `count` threads that wait at a barrier and then run work(i) at once; return their errors.

    `barrier` is one the work itself waits at: it is aborted when a worker dies, so the others never hang.
    """
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            start.wait(timeout=30)
            work(index)
        except BaseException as error:  # noqa: BLE001 - every failure is reported to the test
            errors.append(error)
            if barrier is not None:
                barrier.abort()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a worker hung (deadlock?)"
    return errors


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand 3xx answers back to the caller instead of following them."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """A signed-in user: a cookie jar and the CSRF token of its session."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())
        self.token = ""

    def request(self, path: str, fields: list[tuple[str, str]] | None = None) -> tuple[int, dict, str]:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as response:  # noqa: S310
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, dict(answer.headers), answer.read().decode(errors="replace")

    def sign_in(self, username: str) -> None:
        status, _, body = self.request("/auth/login")
        assert status == 200
        status, _, _ = self.request("/auth/login", [("username", username), ("password", factories.PASSWORD),
                                                    ("csrf_token", CSRF_META.search(body).group(1))])
        assert status == 302, "sign-in failed"
        status, _, body = self.request("/")
        assert status == 200
        self.token = CSRF_META.search(body).group(1)  # the token of the signed-in session

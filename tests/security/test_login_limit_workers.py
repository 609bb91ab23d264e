"""Login limits and ended sessions hold across gunicorn workers, not just inside one process."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.helpers import PASSWORD
from tests.servers import WORKER_HEADER, gunicorn_server

LIMIT = 3
BURST = 6
ROUNDS = 50
BOOT_SECONDS = 120
_CSRF = re.compile(r'name="(?:[\w-]*-)?csrf_token"[^>]*value="([^"]+)"')

pytestmark = pytest.mark.slow


class Workers:
    """Opens connections on a chosen worker process: keep-alive keeps a session's GET and
    the POST that follows on the same connection, hence the same worker."""

    def __init__(self, base: str) -> None:
        self.base = base
        # gunicorn answers once its first worker is up; on a busy machine the second may take
        # a while longer to load the app: wait for it (bounded), rather than a number of tries.
        seen: set[str] = set()
        deadline = time.monotonic() + BOOT_SECONDS
        while len(seen) < 2 and time.monotonic() < deadline:
            seen.update(page.headers[WORKER_HEADER] for _, page in self._burst("/healthz", None))
            if len(seen) < 2:
                time.sleep(0.2)
        assert len(seen) == 2, f"only worker(s) {seen} answered in {BOOT_SECONDS} s"
        self.pids = sorted(seen)

    def _burst(self, path: str, cookies) -> list:  # noqa: ANN001
        """Several new connections at once: a busy worker leaves some to the other one."""

        def one(_: int):  # noqa: ANN202
            client = requests.Session()
            if cookies is not None:
                client.cookies = cookies.copy()
            return client, client.get(f"{self.base}{path}", timeout=10, allow_redirects=False)

        with ThreadPoolExecutor(BURST) as pool:
            return list(pool.map(one, range(BURST)))

    def session(self, worker: int, path: str = "/login", cookies=None):  # noqa: ANN001
        """A requests.Session connected to worker 0 or 1, the page at `path` and its CSRF token."""
        wanted = self.pids[worker % 2]
        for _ in range(ROUNDS):
            chosen = None
            for client, page in self._burst(path, cookies):
                if chosen is None and page.headers[WORKER_HEADER] == wanted:
                    chosen = (client, page)
                else:
                    client.close()
            if chosen is not None:
                client, page = chosen
                match = _CSRF.search(page.text)
                return client, page, match.group(1) if match else None
        raise AssertionError(f"worker {wanted} never took a connection")

    def post(self, client: requests.Session, worker: int, path: str, data: dict):
        response = client.post(f"{self.base}{path}", data=data, timeout=10, allow_redirects=False)
        assert response.headers[WORKER_HEADER] == self.pids[worker % 2], "left the worker"
        return response


def _attempt(workers: Workers, worker: int, email: str, password: str) -> requests.Response:
    client, _, token = workers.session(worker)
    with client:
        return workers.post(
            client, worker, "/login", {"email": email, "password": password, "csrf_token": token}
        )


@pytest.fixture
def server(app, database_url, tmp_path: Path):
    with gunicorn_server(
        database_url,
        app.config["SECRET_KEY"],
        tmp_path,
        env={"MENTOR_MATCH_LOGIN_LIMIT": str(LIMIT)},
    ) as base:
        yield Workers(base)


def test_the_login_limit_holds_across_workers(server: Workers, make_user):
    make_user("mentee", email="target@example.org")
    make_user("mentor", email="bystander@example.org")
    for attempt in range(LIMIT):
        response = _attempt(server, attempt, "target@example.org", "wrong password")
        assert response.status_code == 401, (attempt, response.status_code)
    # The next attempt is refused on either worker, and so is the right password.
    for worker in (0, 1):
        for password in ("wrong password", PASSWORD):
            response = _attempt(server, worker, "target@example.org", password)
            assert response.status_code == 429, (worker, password, response.status_code)
            assert int(response.headers["Retry-After"]) > 0
    # Per address: failures spread over many accounts stop at five times the limit.
    for n in range(5 * LIMIT - LIMIT):
        response = _attempt(server, n, f"nobody{n}@example.org", "wrong password")
        assert response.status_code == 401, (n, response.status_code)
    for worker in (0, 1):
        response = _attempt(server, worker, "bystander@example.org", PASSWORD)
        assert response.status_code == 429, (worker, response.status_code)


def _sign_in(workers: Workers, worker: int, email: str):  # noqa: ANN202
    client, _, token = workers.session(worker)
    with client:
        response = workers.post(
            client, worker, "/login", {"email": email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.status_code
        return client.cookies.copy()


def _page_status(workers: Workers, worker: int, cookies) -> tuple[int, str]:  # noqa: ANN001
    client, page, _ = workers.session(worker, "/account/", cookies=cookies)
    client.close()
    return page.status_code, page.headers.get("Location", "")


def test_a_session_ends_on_logout_on_every_worker(server: Workers, make_user):
    make_user("mentee", email="leaving@example.org")
    cookies = _sign_in(server, 0, "leaving@example.org")
    assert _page_status(server, 1, cookies)[0] == 200  # the cookie works on the other worker
    client, _, token = server.session(0, "/account/", cookies=cookies)
    with client:
        assert server.post(client, 0, "/logout", {"csrf_token": token}).status_code == 302
    for worker in (0, 1):
        status, location = _page_status(server, worker, cookies)  # the old cookie, replayed
        assert status == 302 and "/login" in location, (worker, status, location)


def test_a_password_change_ends_the_other_sessions_on_every_worker(server: Workers, make_user):
    make_user("mentor", email="careful@example.org")
    here = _sign_in(server, 0, "careful@example.org")
    elsewhere = _sign_in(server, 1, "careful@example.org")
    assert _page_status(server, 0, elsewhere)[0] == 200
    client, _, token = server.session(0, "/account/", cookies=here)
    with client:
        new = "a much better passphrase"
        response = server.post(
            client,
            0,
            "/account/password",
            {
                "csrf_token": token,
                "pw-csrf_token": token,
                "pw-current": PASSWORD,
                "pw-new": new,
                "pw-confirm": new,
            },
        )
        assert response.status_code == 302, response.text[:500]
        here = client.cookies.copy()
    for worker in (0, 1):
        status, location = _page_status(server, worker, elsewhere)
        assert status == 302 and "/login" in location, (worker, status, location)
        assert _page_status(server, worker, here)[0] == 200  # the changing browser stays in
    assert _attempt(server, 1, "careful@example.org", new).status_code == 302
    assert _attempt(server, 0, "careful@example.org", PASSWORD).status_code == 401

"""Fixtures for the background-work tests: a real queue, real worker processes, an SMTP server.

The app under test enqueues on the same queue (a SQLite file, or Redis) as the worker
processes these fixtures start with `flask --app mentor_match worker`.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.servers import ROOT, free_port

REDIS_URL = os.environ.get("MENTOR_MATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
OUTBOX_HEADER = "X-Mentor-Match-Outbox-Id"


def redis_reachable(url: str = REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


@pytest.fixture(params=["sqlite", "redis"])
def queue_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "redis" and not redis_reachable():
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: the Redis queue variant is skipped")
    return request.param


@pytest.fixture
def queue_settings(tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    """The queue the app and its workers share: SQLite by default, Redis when the test asks
    for `queue_kind` = redis. Each test has a queue name of its own."""
    kind = (
        request.getfixturevalue("queue_kind") if "queue_kind" in request.fixturenames else "sqlite"
    )
    name = f"mm-test-{secrets.token_hex(4)}"
    if kind == "redis":
        return {"QUEUE_URL": REDIS_URL, "QUEUE_NAME": name}
    return {"QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}", "QUEUE_NAME": name}


@pytest.fixture
def app_config(app_config: dict, queue_settings: dict[str, str]) -> dict:
    return {**app_config, **queue_settings}


class Inbox:
    """An SMTP server on loopback that keeps every message; `delay` slows each one down."""

    def __init__(self, port: int, delay: float = 0.0) -> None:
        self.port = port
        self.delay = delay
        self.messages: list[EmailMessage] = []
        self.controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def outbox_ids(self) -> Counter[int]:
        return Counter(int(m[OUTBOX_HEADER]) for m in list(self.messages) if m[OUTBOX_HEADER])

    def wait_for(self, unique: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.outbox_ids()) < unique and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.outbox_ids()) >= unique, f"{len(self.outbox_ids())} of {unique} arrived"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """An SMTP server's port, not yet listening: call `start()` (the server is 'down' until)."""
    box = Inbox(free_port())
    yield box
    box.stop()


class Worker:
    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and app
            [sys.executable, "-m", "flask", "--app", "mentor_match", "worker", "--threads", "2"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        log.close()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """kill -9: no chance to finish or mark anything."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def make_worker(app_config: dict, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Start worker processes on the test's database and queue; all stopped afterwards."""
    started: list[Worker] = []

    def make(inbox: Inbox | None = None, **settings: object) -> Worker:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "MENTOR_MATCH_DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
            "MENTOR_MATCH_SECRET_KEY": app_config["SECRET_KEY"],
            "MENTOR_MATCH_QUEUE_URL": app_config["QUEUE_URL"],
            "MENTOR_MATCH_QUEUE_NAME": app_config["QUEUE_NAME"],
            "MENTOR_MATCH_SWEEP_SECONDS": "1",
            "MENTOR_MATCH_OUTBOX_BACKOFF_SECONDS": "0.5",
            "MENTOR_MATCH_OUTBOX_LEASE_SECONDS": "3",
            "MENTOR_MATCH_PASSWORD_HASH_METHOD": app_config["PASSWORD_HASH_METHOD"],
        }
        if inbox is not None:
            env["MENTOR_MATCH_MAIL_SERVER"] = "127.0.0.1"
            env["MENTOR_MATCH_MAIL_PORT"] = str(inbox.port)
        env.update({f"MENTOR_MATCH_{k}": str(v) for k, v in settings.items()})
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker.start()

    yield make
    for worker in started:
        worker.stop()


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.1)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0

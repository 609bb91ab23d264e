"""Run the app under gunicorn (several worker processes) for tests that need a real server."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from flask import Flask, Response
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
WORKER_HEADER = "X-Test-Worker"
# A cheap hash for test accounts only (production keeps scrypt): most of the suite's time was
# spent hashing the passwords of the accounts every fixture creates.
TEST_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def make() -> Flask:
    """The gunicorn entry point: the app on the test's database; every answer names its worker
    process, so a test can prove its requests reached more than one."""
    from mentor_match import create_app

    app = create_app(
        {
            "SECRET_KEY": os.environ["TEST_SERVER_SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": os.environ["TEST_SERVER_DATABASE_URL"],
            "OUTBOX_DIR": os.environ["TEST_SERVER_OUTBOX_DIR"],
            "MAIL_SERVER": None,
            "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
            # A test that runs a worker beside the server gives the queue; others run jobs
            # at once in the server's own process.
            "QUEUE_URL": os.environ.get("TEST_SERVER_QUEUE_URL", "immediate"),
            "QUEUE_NAME": os.environ.get("TEST_SERVER_QUEUE_NAME", "mentor_match"),
        }
    )

    @app.after_request
    def _name_worker(response: Response) -> Response:
        response.headers[WORKER_HEADER] = str(os.getpid())
        return response

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_server(
    database_url: str,
    secret_key: str,
    workdir: Path,
    *,
    workers: int = 2,
    threads: int = 2,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    keep_alive: int = 30,
) -> Iterator[str]:
    """Start gunicorn on 127.0.0.1 at a free port, wait until it answers, yield its base URL,
    and stop it afterwards. `env` adds environment variables (MENTOR_MATCH_* settings).

    Connections stay open `keep_alive` seconds between requests, longer than any pause in the
    tests, so a client reusing one never races the server closing it.
    """
    port = free_port()
    outbox = workdir / "outbox"
    full_env = {
        **os.environ,
        **(env or {}),
        "TEST_SERVER_DATABASE_URL": database_url,
        "TEST_SERVER_SECRET_KEY": secret_key,
        "TEST_SERVER_OUTBOX_DIR": str(outbox),
        "PYTHONPATH": str(ROOT),
    }
    log_path = workdir / f"gunicorn-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--keep-alive",
                str(keep_alive),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "tests.servers:make()",
            ],
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(log_path.read_text())
                try:
                    if requests.get(base + "/healthz", timeout=10).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer within {timeout:g} s")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def postgres_database(base: str, prefix: str = "mm_test") -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database next to `base`'s, dropped (connections and
    all) afterwards: a test module's or a benchmark's own."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

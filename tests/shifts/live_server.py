"""Run the app in a real server process (gunicorn, several workers) for the concurrency tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from flask import Flask


def make() -> Flask:
    """The gunicorn entry point: the app on the database the test prepared."""
    from mentor_match import create_app

    return create_app(
        {
            "SECRET_KEY": os.environ["LIVE_SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": os.environ["LIVE_DATABASE_URL"],
            "OUTBOX_DIR": os.environ["LIVE_OUTBOX_DIR"],
            "MAIL_SERVER": None,
        }
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(
    database_url: str,
    secret_key: str,
    outbox: Path,
    workers: int = 2,
    threads: int = 16,
    keep_alive: int = 30,
) -> Iterator[str]:
    """Start gunicorn on 127.0.0.1 and yield its base URL; stop it afterwards.

    Connections stay open `keep_alive` seconds between requests, longer than any pause in the
    tests, so a client reusing one never races the server closing it.
    """
    port = free_port()
    env = {
        **os.environ,
        "LIVE_DATABASE_URL": database_url,
        "LIVE_SECRET_KEY": secret_key,
        "LIVE_OUTBOX_DIR": str(outbox),
        "PYTHONPATH": str(Path(__file__).parent),
    }
    log = (outbox.parent / f"server-{port}.log").open("wb")
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
            "live_server:make()",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(Path(log.name).read_text())
            try:
                if requests.get(base + "/api/v1/openapi.json", timeout=10).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()

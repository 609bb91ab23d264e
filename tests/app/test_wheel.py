"""The wheel is the product: installed alone into a fresh virtual environment outside the
repository, it migrates SQLite and PostgreSQL and serves the login page and its stylesheet."""

from __future__ import annotations

import importlib.util
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get(
    "MENTOR_MATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

pytestmark = pytest.mark.slow


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter, pip, flask
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A fresh virtual environment with only the built wheel (and its dependencies) installed;
    the working directory and the environment point nowhere near the repository."""
    work = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work)]
    if importlib.util.find_spec("hatchling") is not None:
        build.append("--no-build-isolation")
    run([*build, str(ROOT)], cwd=work, env=env)
    (wheel,) = work.glob("mentor_match-*.whl")

    venv = work / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=work, env=env)
    # Dependencies come from pip's cache where it has them, so this is quick after the first run.
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], work, env)
    where = run(
        [str(venv / "bin" / "python"), "-c", "import mentor_match; print(mentor_match.__file__)"],
        cwd=work,
        env=env,
    )
    assert Path(where.strip()).is_relative_to(venv), where
    assert not Path(where.strip()).is_relative_to(ROOT)
    yield venv, env


def settings(env: dict[str, str], database_url: str, work: Path) -> dict[str, str]:
    return {
        **env,
        "MENTOR_MATCH_DATABASE_URL": database_url,
        "MENTOR_MATCH_SECRET_KEY": secrets.token_hex(16),
        "MENTOR_MATCH_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "HOME": str(work),
    }


def migrate_and_serve(venv: Path, env: dict[str, str], work: Path) -> None:
    run([str(venv / "bin" / "flask"), "--app", "mentor_match", "db", "upgrade"], work, env)

    port = free_port()
    log = (work / "gunicorn.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - the venv's own gunicorn
        [
            str(venv / "bin" / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "mentor_match:create_app()",
        ],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (work / "gunicorn.log").read_text()
            try:
                if requests.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            assert time.monotonic() < deadline, "the installed app did not answer"
            time.sleep(0.2)
        login = requests.get(base + "/login", timeout=10)
        assert login.status_code == 200
        assert "<form" in login.text and 'name="password"' in login.text
        css = requests.get(base + "/static/app.css", timeout=10)
        assert css.status_code == 200
        assert css.headers["Content-Type"].startswith("text/css")
        assert css.content == (ROOT / "static" / "app.css").read_bytes()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_the_wheel_migrates_sqlite_and_serves_pages(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    venv, env = installed
    database = tmp_path / "mentor_match.sqlite3"
    migrate_and_serve(venv, settings(env, f"sqlite:///{database}", tmp_path), tmp_path)
    engine = create_engine(f"sqlite:///{database}")
    try:
        assert {"users", "alembic_version"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_the_wheel_migrates_postgresql_and_serves_pages(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            name = f"mm_wheel_{os.getpid()}_{secrets.token_hex(4)}"
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        pytest.skip("PostgreSQL is not reachable")
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    venv, env = installed
    try:
        migrate_and_serve(venv, settings(env, url, tmp_path), tmp_path)
        engine = create_engine(url)
        try:
            assert {"users", "alembic_version"} <= set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

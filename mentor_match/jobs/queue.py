"""The task queue: one Huey instance, configured from the app's settings.

`QUEUE_URL` picks the storage: unset → a SQLite file in `instance/` (one server); `redis://…`
→ Redis (several web servers and workers share it); `sqlite:///path` → that SQLite file;
`immediate` → tasks run in the calling process at once (unit tests only).

Code that causes work calls `request_job(session, name, *args)`: the job is enqueued only once
the session's transaction commits, and dropped if it rolls back. Durable work (a mail, a
pending invitation) is also a row in the database, so a job lost on the way (the queue down at
that instant) is picked up again by the next sweep.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy.orm import Session

#: The one queue of the application; `configure` points it at the configured storage.
huey = Huey("mentor_match", results=False, immediate=True, utc=True)

JOBS = "mentor_match.after_commit_jobs"
IMMEDIATE = "immediate"


def storage_for(queue_url: str | None, instance_path: str) -> tuple[type, dict[str, Any]]:
    """The Huey storage class and its arguments for a QUEUE_URL."""
    if not queue_url:
        return SqliteStorage, {"filename": str(Path(instance_path) / "queue.sqlite3")}
    if queue_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage, {"url": queue_url}
    if queue_url.startswith("sqlite:///"):
        return SqliteStorage, {"filename": queue_url.removeprefix("sqlite:///")}
    if queue_url == IMMEDIATE:
        return MemoryStorage, {}
    raise RuntimeError(
        f"MENTOR_MATCH_QUEUE_URL={queue_url!r} is not a queue this app knows: use "
        "redis://host:6379/0, sqlite:////path/to/queue.sqlite3, or leave it unset"
    )


def configure(queue_url: str | None, instance_path: str, name: str = "mentor_match") -> None:
    """Point the queue at its storage (called by create_app)."""
    storage_class, kwargs = storage_for(queue_url, instance_path)
    renamed = name != huey.name
    huey.name = name
    if storage_class is MemoryStorage:
        huey.storage_class = MemoryStorage
        huey.storage_kwargs = {}
        huey._immediate = True  # noqa: SLF001 - set with the storage below
        huey.storage = MemoryStorage(name)
        return
    if storage_class is SqliteStorage:
        Path(kwargs["filename"]).parent.mkdir(parents=True, exist_ok=True)
    current = huey.storage
    if (
        not huey.immediate
        and not renamed
        and type(current) is storage_class
        and huey.storage_kwargs == kwargs
    ):
        return
    huey.storage_class = storage_class
    huey.storage_kwargs = kwargs
    huey._immediate = False  # noqa: SLF001 - set with the storage below, not swapped twice
    huey.storage = huey.create_storage()


def request_job(session: Session, name: str, *args: Any) -> None:
    """Enqueue the task `name` with `args` once this session's transaction commits."""
    jobs: dict[tuple[Any, ...], None] = session.info.setdefault(JOBS, {})
    jobs[(name, *args)] = None  # ordered and without repeats

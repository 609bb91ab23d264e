"""Online backups of the SQLite database through SQLite's own backup API (never a file copy)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path


def backup_sqlite(
    source: str | Path,
    destination: str | Path,
    *,
    pages_per_step: int = 1024,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Copy a live SQLite database to `destination` consistently; returns the page count.

    The backup API copies pages in steps and restarts when another connection writes between
    steps, so the copy is a consistent snapshot even while the app keeps writing. In WAL mode
    readers never block writers, so the app stays available throughout.
    """
    destination = Path(destination)
    if destination.exists():
        raise FileExistsError(f"{destination} already exists; choose a new file name")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    source_db = sqlite3.connect(f"file:{Path(source)}?mode=ro", uri=True, timeout=30)
    target_db = sqlite3.connect(partial)
    try:
        source_db.backup(
            target_db,
            pages=pages_per_step,
            progress=(lambda _status, remaining, total: progress(total - remaining, total))
            if progress
            else None,
        )
        check = target_db.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise RuntimeError(f"the backup failed its integrity check: {check}")
        target_db.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        pages = target_db.execute("PRAGMA page_count").fetchone()[0]
    finally:
        target_db.close()
        source_db.close()
    partial.rename(destination)
    return pages

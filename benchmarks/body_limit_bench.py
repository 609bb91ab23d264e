"""What the size guard for bodies of unknown length costs: reading a chunked body whole (within
MAX_CONTENT_LENGTH) before anything parses it, against a body sent with its Content-Length.

Run from the repository root: .venv/bin/python benchmarks/body_limit_bench.py
In process (no server, no database): POST of a JSON body to a view that only reads it, with the
default 5 MB limit; median of RUNS runs for bodies of 64 KB, 1 MB and 4.9 MB, and the time to
refuse a 50 MB chunked body (read only up to the limit plus one byte).
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import request  # noqa: E402

from mentor_match import create_app  # noqa: E402
from mentor_match.extensions import csrf  # noqa: E402

RUNS = 15


class CountingStream(io.BytesIO):
    """A body that counts how much of it the app read."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data


def main() -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    @app.post("/bench-echo")
    def echo() -> dict[str, int]:
        return {"bytes": len(request.get_data())}

    csrf.exempt(echo)

    client = app.test_client()
    limit = app.config["MAX_CONTENT_LENGTH"]
    print(f"limit {limit / 1024 / 1024:g} MB, median of {RUNS} runs")
    for size in (64 * 1024, 1024 * 1024, limit - 100 * 1024):
        body = b"x" * size
        timings: dict[str, list[float]] = {"content-length": [], "chunked": []}
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.post("/bench-echo", data=body, content_type="text/plain")
            timings["content-length"].append(time.perf_counter() - started)
            assert response.get_json()["bytes"] == size
            started = time.perf_counter()
            response = client.post(
                "/bench-echo",
                input_stream=io.BytesIO(body),
                content_type="text/plain",
                headers={"Transfer-Encoding": "chunked"},
                environ_overrides={"wsgi.input_terminated": True},
            )
            timings["chunked"].append(time.perf_counter() - started)
            assert response.get_json()["bytes"] == size
        figures = ", ".join(
            f"{kind} {statistics.median(values) * 1000:.2f} ms" for kind, values in timings.items()
        )
        print(f"{size / 1024:>8.0f} KB: {figures}")
    huge = CountingStream(b"x" * (50 * 1024 * 1024))
    started = time.perf_counter()
    response = client.post(
        "/bench-echo",
        input_stream=huge,
        content_type="text/plain",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    elapsed = time.perf_counter() - started
    print(
        f"50 MB chunked: {response.status_code} in {elapsed * 1000:.1f} ms, "
        f"{huge.taken / 1024 / 1024:.2f} MB of it read"
    )


if __name__ == "__main__":
    main()

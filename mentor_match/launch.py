"""`make run`: the development web server and one background worker, as one command.

Both outputs appear in this terminal, each line prefixed with its source; Ctrl-C stops both,
and when one of them exits the other is stopped too.

    python -m mentor_match.launch [--host 127.0.0.1] [--port 5000]
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
import time
from typing import IO

FLASK = [sys.executable, "-m", "flask", "--app", "mentor_match"]


def _pipe(name: str, stream: IO[bytes], lock: threading.Lock) -> None:
    for raw in iter(stream.readline, b""):
        line = raw.decode(errors="replace").rstrip("\n")
        with lock:
            print(f"{name:>6} | {line}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5000")
    args = parser.parse_args(argv)
    commands = {
        "web": [*FLASK, "run", "--host", args.host, "--port", str(args.port)],
        "worker": [*FLASK, "worker"],
    }
    lock = threading.Lock()
    processes: dict[str, subprocess.Popen[bytes]] = {}
    for name, command in commands.items():
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and app
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Ctrl-C reaches the children from us, once, not twice from the terminal.
            start_new_session=True,
        )
        processes[name] = process
        assert process.stdout is not None
        threading.Thread(target=_pipe, args=(name, process.stdout, lock), daemon=True).start()

    def stop(*_: object) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.2)
    finally:
        stop()
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    codes = [p.returncode for p in processes.values()]
    return 0 if all(c in (0, -signal.SIGINT, 130) for c in codes) else 1


if __name__ == "__main__":
    sys.exit(main())

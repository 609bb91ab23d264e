"""The mixed workload of the load test: mentees on their phones, coordinators at their desks,
calendar apps polling feeds, and a coordinator running the match round again and again.

Started by `benchmarks/load_test.py`, which seeds the programme and writes the plan this file
reads (`LOAD_PLAN`: the servers, the accounts and their tokens, the shifts, the round). Each
simulated person talks to one of the servers (in turn), so both share the load. An answer is a
failure when its status is not one the programme gives for that request (a full shift's 409
is an answer, a 500 never is); every status seen is counted into `LOAD_STATUS_FILE`.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections import Counter
from pathlib import Path

from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
HOSTS: list[str] = PLAN["hosts"]
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_next_user = itertools.count()
STATUSES: Counter[str] = Counter()


@events.request.add_listener
def _count_status(response=None, exception=None, **_kwargs) -> None:  # noqa: ANN001
    if exception is not None and (response is None or not response.status_code):
        STATUSES["no answer"] += 1
    elif response is not None:
        STATUSES[str(response.status_code)] += 1


@events.quitting.add_listener
def _write_statuses(**_kwargs) -> None:  # noqa: ANN003
    out = os.environ.get("LOAD_STATUS_FILE")
    if out:
        Path(out).write_text(json.dumps(dict(STATUSES), indent=1))


class Person(HttpUser):
    """One person of the programme, on one of the servers."""

    abstract = True
    host = HOSTS[0]  # locust wants one; each person picks theirs below

    def on_start(self) -> None:
        self.number = next(_next_user)
        self.base = HOSTS[self.number % len(HOSTS)]

    def call(self, method: str, path: str, name: str, ok: tuple[int, ...] = (200,), **kwargs):  # noqa: ANN003, ANN201
        with self.client.request(
            method,
            self.base + path,
            name=name,
            catch_response=True,
            allow_redirects=False,
            **kwargs,
        ) as response:
            if response.status_code in ok:
                response.success()
            else:
                response.failure(f"{method} {name}: {response.status_code}")
            return response

    def sign_in(self, email: str) -> None:
        page = self.call("GET", "/login", "/login")
        token = _CSRF.search(page.text or "")
        self.call(
            "POST",
            "/login",
            "/login (sign in)",
            ok=(302, 303),
            data={
                "email": email,
                "password": PLAN["password"],
                "csrf_token": token.group(1) if token else "",
            },
        )


class Mentee(Person):
    """A mentee on a phone: looks for shifts, books and cancels, checks the calendar."""

    weight = 8
    wait_time = between(1, 4)

    def on_start(self) -> None:
        super().on_start()
        me = PLAN["mentees"][self.number % len(PLAN["mentees"])]
        self.email = me["email"]
        self.headers = {"Authorization": f"Bearer {me['token']}"}
        self.feed = me["feed"]
        self.bookings: list[int] = []
        self.signed_in = False

    @task(4)
    def bookable_shifts(self) -> None:
        self.call(
            "GET", "/api/v1/shifts?bookable=true", "/api/v1/shifts?bookable", headers=self.headers
        )

    @task(4)
    def book(self) -> None:
        shift = random.choice(PLAN["shifts"])  # noqa: S311 - a workload, not a secret
        response = self.call(
            "POST",
            f"/api/v1/shifts/{shift}/bookings",
            "/api/v1/shifts/[id]/bookings",
            ok=(201, 409),
            headers=self.headers,
            json={"waitlist": random.random() < 0.5},  # noqa: S311
        )
        if response.status_code == 201:
            self.bookings.append(response.json()["id"])

    @task(2)
    def cancel(self) -> None:
        if self.bookings:
            booking = self.bookings.pop(random.randrange(len(self.bookings)))  # noqa: S311
            self.call(
                "DELETE",
                f"/api/v1/bookings/{booking}",
                "/api/v1/bookings/[id] (cancel)",
                ok=(200, 409),
                headers=self.headers,
            )

    @task(2)
    def my_bookings(self) -> None:
        self.call("GET", "/api/v1/me/bookings", "/api/v1/me/bookings", headers=self.headers)

    @task(3)
    def calendar_feed(self) -> None:
        self.call("GET", f"/calendar/{self.feed}.ics", "/calendar/[token].ics")

    @task(2)
    def pages(self) -> None:
        if not self.signed_in:
            self.sign_in(self.email)
            self.signed_in = True
        path = random.choice(["/", "/bookings/shifts", "/bookings/", "/cpd/"])  # noqa: S311
        self.call("GET", path, f"page {path}")


class Coordinator(Person):
    """A coordinator at a desk: participants, the round's review, the dashboard, shifts."""

    weight = 1
    wait_time = between(2, 6)

    def on_start(self) -> None:
        super().on_start()
        self.sign_in(PLAN["coordinator"])

    @task(3)
    def participants(self) -> None:
        page = random.randint(1, 6)  # noqa: S311
        role = random.choice(["mentee", "mentor"])  # noqa: S311
        self.call("GET", f"/participants/?role={role}&page={page}", "page /participants/")

    @task(2)
    def review(self) -> None:
        sort = random.choice(["mentee", "score", "-score", "availability"])  # noqa: S311
        self.call("GET", f"/rounds/{PLAN['round']}?sort={sort}", "page /rounds/[id]")

    @task(1)
    def dashboard(self) -> None:
        self.call("GET", "/dashboard", "page /dashboard")

    @task(1)
    def shifts(self) -> None:
        self.call("GET", "/shifts/", "page /shifts/")

    @task(1)
    def outbox(self) -> None:
        self.call("GET", "/outbox/", "page /outbox/")


class RoundRunner(Person):
    """The coordinator who runs the round (on the worker) and waits for its proposal."""

    fixed_count = 1
    wait_time = between(45, 75)

    def on_start(self) -> None:
        super().on_start()
        self.headers = {"Authorization": f"Bearer {PLAN['coordinator_token']}"}

    @task
    def run_round(self) -> None:
        path = f"/api/v1/rounds/{PLAN['round']}"
        started = self.call(
            "POST", path + "/run", "/api/v1/rounds/[id]/run", ok=(200, 202), headers=self.headers
        )
        if started.status_code != 202:
            return
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            time.sleep(2)
            status = self.call(
                "GET", path + "?per_page=20", "/api/v1/rounds/[id] (poll)", headers=self.headers
            )
            if status.status_code == 200 and status.json()["status"] in ("proposed", "failed"):
                if status.json()["status"] == "failed":
                    events.request.fire(
                        request_type="ROUND",
                        name="round run failed",
                        response_time=0,
                        response_length=0,
                        exception=RuntimeError(status.json().get("error", "")),
                    )
                return

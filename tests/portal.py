"""Helpers for the portal tests: a platform whose "today" is ahead of the clock, dated penalties, a client."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import schemas
from domain import clock
from domain.codes import id_check_char, make_credit_code
from domain.publicity import penalty_window
from starlette.testclient import TestClient
from tests.records import SCJG, penalty
from web.app import create_app

#: The portal tests' today: ahead of the wall clock, so that an `as_of` date a few days before
#: it still sees every event the test recorded (events are stamped with the real time).
AHEAD = clock.today() + dt.timedelta(days=10)
OTHER = make_credit_code("91", "210502", "MA0YQ1B3")  # a second company, in 平山区

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                       r"(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![0-9A-Za-z])")


def id_numbers_in(text: str) -> list[str]:
    """18-digit resident ID numbers (real birth date, valid check character) found in text."""
    found = []
    for m in ID_NUMBER.finditer(text):
        number = m.group(0).upper()
        try:
            dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            continue
        if id_check_char(number[:17]) == number[17]:
            found.append(number)
    return found


def mobiles_in(text: str) -> list[str]:
    return [m.group(0) for m in MOBILE.finditer(text)]


def decided_for_end(last_public_day: dt.date, **fields) -> str:
    """A decision date whose penalty (with these fields) is public up to and including `last_public_day`."""
    rules = schemas.publicity_rules()
    item = penalty(**fields)
    day = last_public_day - dt.timedelta(days=365 * 3 + 40)
    while day < last_public_day:
        window = penalty_window(rules, {**item, "decision_date": day.isoformat()}, "SCJG")
        if window.published and window.max_end == (last_public_day + dt.timedelta(days=1)).isoformat():
            return day.isoformat()
        day += dt.timedelta(days=1)
    raise AssertionError(f"no decision date ends publicity on {last_public_day}")


def ending_penalty(n: int, last_public_day: dt.date, **fields) -> dict:
    """A penalty that is public up to and including `last_public_day`."""
    return penalty(n, decision_date=decided_for_end(last_public_day, **fields), **fields)


def submit(platform, *items, department=SCJG):
    result = platform.records.submit(list(items), department=department, submitter="test")
    assert all(i.status in ("accepted", "duplicate") for i in result.items), [i.as_dict() for i in result.items]
    return result


@contextmanager
def client(platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


@contextmanager
def live_server(app) -> Iterator[str]:
    """An ASGI app under a real uvicorn server on a random loopback port; yields its base URL."""
    import threading
    import time

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def served(platform, follow: bool = True) -> Iterator[str]:
    """The real app over one platform under a real uvicorn server; yields its base URL."""
    with live_server(create_app(platform, follow=follow)) as url:
        yield url


def dataset_csv(client, name: str, as_of: int | None = None) -> list[dict[str, str]]:
    """The rows of an open dataset's CSV as a CKAN client finds it (package_show, then the CSV resource's URL),
    pinned to a log position if given."""
    package = client.get("/api/3/action/package_show", params={"id": name}).json()["result"]
    url = next(r["url"] for r in package["resources"] if r["format"] == "CSV")
    download = client.get(url, params={"as_of": str(as_of)} if as_of else None)
    assert download.status_code == 200, download.text
    return list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))

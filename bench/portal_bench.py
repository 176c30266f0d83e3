"""Portal benchmark (issue 3): entity-profile JSON requests/s against a bare Starlette endpoint.

    python bench/portal_bench.py [--entities 300] [--seconds 5] [--connections 16] [--store sqlite|postgresql]

Both servers run the same way (one uvicorn process each, on loopback), one after the
other in the same run, loaded by a separate process: a bounded asyncio HTTP/1.1 client
with keep-alive connections. The profile requests cycle over a sample of entity codes.
Prints a Markdown table and writes it to bench/results/portal.md.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402

OUT = ROOT / "bench" / "results" / "portal.md"
PG_URL = os.environ.get("GONGSHI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


# -- the servers (each run in its own process) -------------------------------------------------------
def bare_app():
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def constant(request):
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/constant", constant)])


def serve(which: str, port: int) -> None:
    import uvicorn

    if which == "bare":
        app = bare_app()
    else:
        from gongshi.platform import Platform
        from web.app import create_app

        app = create_app(Platform())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- the load client (its own process) --------------------------------------------------------------
async def _connection(host: str, port: int, paths: list[str], stop: float, counts: list[int], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = random.randrange(len(paths))
    while time.monotonic() < stop:
        path = paths[i % len(paths)]
        i += 1
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
        await reader.readexactly(length)
        if head.startswith(b"HTTP/1.1 200"):
            counts[0] += 1
        else:
            errors[0] += 1
    writer.close()


def load(base: str, paths: list[str], seconds: float, connections: int) -> dict:
    host, port = base.removeprefix("http://").split(":")
    counts, errors = [0], [0]

    async def main() -> None:
        stop = time.monotonic() + seconds
        await asyncio.gather(*(_connection(host, int(port), paths, stop, counts, errors) for _ in range(connections)))

    started = time.monotonic()
    asyncio.run(main())
    elapsed = time.monotonic() - started
    return {"requests": counts[0], "errors": errors[0], "seconds": elapsed, "rps": counts[0] / elapsed}


# -- orchestration ---------------------------------------------------------------------------------
def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(which: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve", which, "--port", str(port)], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + ("/constant" if which == "bare" else "/api/v1/health"), timeout=1)
            return proc, base
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(f"the {which} server did not start")
            time.sleep(0.2)


def _measure(base: str, paths: list[str], args: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--load", base, "--seconds", str(args.seconds),
               "--connections", str(args.connections)]
    warm = [sys.executable, __file__, "--load", base, "--seconds", "1", "--connections", str(args.connections)]
    subprocess.run(warm, input="\n".join(paths), text=True, capture_output=True, check=True, cwd=ROOT)
    done = subprocess.run(command, input="\n".join(paths), text=True, capture_output=True, check=True, cwd=ROOT)
    return json.loads(done.stdout)


def prepare(args: argparse.Namespace, home: Path) -> tuple[dict[str, str], list[str]]:
    """Load the demo data into a fresh store; return the servers' environment and the profile paths."""
    from gongshi.config import Settings
    from gongshi.demo import generate
    from gongshi.loading import load_items
    from gongshi.platform import Platform

    env = {**os.environ, "GONGSHI_HOME": str(home), "PYTHONPATH": str(ROOT)}
    schema = None
    if args.store == "postgresql":
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        env.update(GONGSHI_DATABASE_URL=PG_URL, GONGSHI_DB_SCHEMA=schema)
    platform = Platform(Settings(home=home, database_url=PG_URL if schema else None, schema=schema))
    try:
        load_items(platform, generate(entities=args.entities, seed=20261125), desc="demo")
        platform.runner.catch_up()
        codes = [r["entity_key"] for r in platform.views_db.query(
            "SELECT entity_key FROM v_entities WHERE valid_to IS NULL AND registered_in_city = 1 ORDER BY entity_key")]
    finally:
        platform.close()
    sample = random.Random(1).sample(codes, min(100, len(codes)))
    return env, [f"/api/v1/entities/{code}" for code in sample]


def run(args: argparse.Namespace) -> str:
    home = Path(tempfile.mkdtemp(prefix="gongshi-portal-bench-"))
    try:
        env, paths = prepare(args, home)
        results = {}
        # distinct URLs, more than the answer cache holds: every request is a miss
        misses = [f"{path}?page_size={size}" for size in range(1, 101) for path in paths]
        random.Random(2).shuffle(misses)
        for which, name, targets in (("bare", "bare", ["/constant"]), ("portal", "portal", paths),
                                     ("portal", "uncached", misses)):
            proc, base = _start(which, env)
            try:
                results[name] = _measure(base, targets, args)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    finally:
        shutil.rmtree(home, ignore_errors=True)
        if args.store == "postgresql" and env.get("GONGSHI_DB_SCHEMA"):
            import psycopg

            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{env["GONGSHI_DB_SCHEMA"]}" CASCADE')
    ratio = results["portal"]["rps"] / results["bare"]["rps"]
    rows = [
        "| endpoint | requests/s | requests | errors |",
        "| --- | --- | --- | --- |",
        *(f"| {name} | {r['rps']:.0f} | {r['requests']} | {r['errors']} |" for name, r in (
            ("bare Starlette constant (`/constant`)", results["bare"]),
            (f"entity profile JSON (`/api/v1/entities/{{code}}`, {len(paths)} codes)", results["portal"]),
            ("entity profile JSON, every request an answer-cache miss", results["uncached"]))),
        "",
        f"Ratio profile / bare: **{ratio:.2f}** (target ≥ 0.5); with every request a cache miss: "
        f"{results['uncached']['rps'] / results['bare']['rps']:.2f}. Store: {args.store}, {args.entities} demo entities, "
        f"{args.connections} keep-alive connections, {args.seconds:g} s per endpoint after a 1 s warm-up; "
        "one uvicorn worker per server, load from a separate process on loopback.",
        "",
        f"Machine: {describe()}.",
    ]
    return "\n".join(["## Portal: entity profile JSON vs a bare endpoint", "", *rows, ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--serve", choices=("bare", "portal"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--load", metavar="BASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
    elif args.load:
        print(json.dumps(load(args.load, sys.stdin.read().split(), args.seconds, args.connections)))
    else:
        report = run(args)
        print(report)
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()

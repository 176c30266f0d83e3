"""/api/v1/log/...: the shapes `gongshi_verify` expects, checked by the independent verifier.

Most tests drive the real app through starlette's TestClient; the command-line verifier
runs against the app served by uvicorn on a random loopback port.
"""
from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import gongshi_verify as verifier
from tests.portal import live_server
from tests.records import SCJG, penalty
from tests.test_integrity import Clock, use_clock
from web.app import create_app

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_verifier(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gongshi_verify", "--url", url, *args],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)


def fill(platform, count: int, clock: Clock, per_batch: int = 37) -> None:
    """`count` events in batches, a minute apart, so that several heads are kept."""
    for first in range(1, count + 1, per_batch):
        numbers = range(first, min(first + per_batch, count + 1))
        platform.records.submit([penalty(n) for n in numbers], department=SCJG, submitter="token:test")
        clock.advance(61)
    platform.runner.catch_up()


@pytest.fixture
def public_entries(monkeypatch):
    monkeypatch.setenv("GONGSHI_LOG_ENTRIES", "public")


@pytest.fixture
def client(platform):
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


def all_entries(client, size: int) -> list[dict]:
    entries: list[dict] = []
    while len(entries) < size:
        page = client.get("/api/v1/log/entries", params={"start": len(entries), "end": size})
        assert page.status_code == 200, page.text
        entries += page.json()["entries"]
    return entries


def test_proofs_for_random_sizes_verify_in_the_independent_verifier(platform, client, public_entries):
    clock = use_clock(platform)
    fill(platform, 300, clock)
    head = client.get("/api/v1/log/head").json()
    pem = client.get("/api/v1/log/key").text
    assert verifier.verify_head(pem, head) and head["tree_size"] == 300
    leaves = [verifier.leaf_hash(verifier.leaf_bytes(e)) for e in all_entries(client, 300)]
    roots = {n: verifier.merkle_root(leaves[:n]) for n in range(301)}  # computed independently of the instance
    assert roots[300].hex() == head["root_hash"]
    rng = random.Random(6962)
    for _ in range(150):
        size = rng.randint(1, 300)
        index = rng.randrange(size)
        proof = client.get("/api/v1/log/proof/inclusion", params={"index": index, "tree_size": size}).json()
        assert (proof["leaf_index"], proof["tree_size"]) == (index, size)
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        assert verifier.verify_inclusion(leaves[index], index, size, path, roots[size]), (index, size)
        first, second = sorted((rng.randint(0, 300), rng.randint(0, 300)))
        proof = client.get("/api/v1/log/proof/consistency", params={"first": first, "second": second}).json()
        assert (proof["first"], proof["second"]) == (first, second)
        path = [bytes.fromhex(h) for h in proof["consistency_path"]]
        assert verifier.verify_consistency(first, second, roots[first], roots[second], path), (first, second)


def test_entries_are_served_in_pages_of_at_most_1000_in_log_order(platform, client, public_entries):
    platform.records.submit([penalty(n) for n in range(1, 1101)], department=SCJG, submitter="token:test")
    page = client.get("/api/v1/log/entries", params={"start": 50, "end": 1100}).json()["entries"]
    assert len(page) == 1000 and [e["position"] for e in page] == list(range(51, 1051))
    assert set(page[0]) == {"position", "originator_id", "originator_version", "topic", "state"}
    assert client.get("/api/v1/log/entries", params={"start": 1099, "end": 5000}).json()["entries"][0]["position"] == 1100


@pytest.mark.parametrize("query,parameter", [
    ("/api/v1/log/proof/inclusion?tree_size=3", "index"),
    ("/api/v1/log/proof/inclusion?index=0", "tree_size"),
    ("/api/v1/log/proof/inclusion?index=x&tree_size=3", "index"),
    ("/api/v1/log/proof/inclusion?index=-1&tree_size=3", "index"),
    ("/api/v1/log/proof/inclusion?index=3&tree_size=3", "index"),
    ("/api/v1/log/proof/inclusion?index=0&tree_size=0", "tree_size"),
    ("/api/v1/log/proof/inclusion?index=0&tree_size=4", "tree_size"),
    ("/api/v1/log/proof/inclusion?index=1.0&tree_size=2", "index"),
    ("/api/v1/log/proof/consistency?first=2", "second"),
    ("/api/v1/log/proof/consistency?first=3&second=2", "first"),
    ("/api/v1/log/proof/consistency?first=1&second=4", "second"),
    ("/api/v1/log/proof/consistency?first=1&second=99999999999999999999999", "second"),
    ("/api/v1/log/entries?start=0", "end"),
    ("/api/v1/log/entries?start=2&end=2", "end"),
    ("/api/v1/log/entries?start=3&end=5", "start"),
    ("/api/v1/log/entries?start=-1&end=2", "start"),
    ("/api/v1/log/heads?limit=100000", "limit"),
    ("/api/v1/log/leaf?position=0", "position"),
    ("/api/v1/log/leaf?position=4", "position"),
])
def test_bad_or_out_of_range_parameters_get_400_naming_the_parameter(platform, client, public_entries, query, parameter):
    platform.records.submit([penalty(1), penalty(2), penalty(3)], department=SCJG, submitter="token:test")
    response = client.get(query)
    assert response.status_code == 400, response.text
    body = response.json()["error"]
    assert (body["code"], body["parameter"]) == ("bad_parameter", parameter) and body["message_zh"] and body["message_en"]


def test_entries_need_an_auditor_token_unless_the_operator_publishes_them(platform, client, monkeypatch):
    platform.records.submit([penalty(1), penalty(2)], department=SCJG, submitter="token:test")
    url = "/api/v1/log/entries?start=0&end=2"
    assert client.get(url).status_code == 401
    submitter = platform.tokens.create(department=SCJG, role="submitter")
    assert client.get(url, headers={"Authorization": f"Bearer {submitter}"}).status_code == 403
    auditor = platform.tokens.create(department=None, role="auditor")
    body = client.get(url, headers={"Authorization": f"Bearer {auditor}"}).json()
    assert [e["position"] for e in body["entries"]] == [1, 2]
    assert body["recorded_as"]["position"] == 3  # the read itself is the next event in the log
    monkeypatch.setenv("GONGSHI_LOG_ENTRIES", "public")
    assert "recorded_as" not in client.get(url).json()
    assert platform.ledger.position() == 3


def test_leaf_endpoint_and_head_history(platform, client):
    clock = use_clock(platform)
    fill(platform, 80, clock, per_batch=20)
    assert client.get("/api/v1/log/leaf", params={"position": 42}).json() == {"position": 42, "leaf_index": 41}
    history = client.get("/api/v1/log/heads").json()["heads"]
    assert [h["tree_size"] for h in history] == [0, 20, 40, 60, 80]  # the empty tree at start, then each minute
    pem = client.get("/api/v1/log/key").text
    assert all(verifier.verify_head(pem, h) for h in history)
    assert client.get("/api/v1/log/heads", params={"start": 3, "limit": 1}).json()["heads"] == history[3:4]
    assert client.get("/api/v1/log/head").json() == history[-1]


def test_independent_verifier_cli_against_a_live_server(platform, public_entries, tmp_path):
    clock = use_clock(platform)
    fill(platform, 150, clock)
    (tmp_path / "pinned.pem").write_text(platform.integrity.signer.public_pem)
    with live_server(create_app(platform)) as url:
        first = run_verifier(url, "--full", "--entry", "0", "--entry", "149", "--save-head", str(tmp_path / "kept.json"),
                             "--key-file", str(tmp_path / "pinned.pem"))
        assert first.returncode == 0, first.stdout + first.stderr
        assert "all 150 entries hash to the signed root" in first.stdout
        platform.records.submit([penalty(n) for n in range(151, 260)], department=SCJG, submitter="token:test")
        clock.advance(61)
        platform.runner.catch_up()
        later = run_verifier(url, "--full", "--head-file", str(tmp_path / "kept.json"), "--entry", "200",
                             "--key-file", str(tmp_path / "pinned.pem"))
    assert later.returncode == 0, later.stdout + later.stderr
    assert "extends the kept head: 150 entries" in later.stdout and "all 259 entries" in later.stdout


def test_independent_verifier_reads_auditor_only_entries_with_a_token(platform, tmp_path):
    clock = use_clock(platform)
    fill(platform, 30, clock)
    auditor = platform.tokens.create(department=None, role="auditor")
    with live_server(create_app(platform)) as url:
        anonymous = run_verifier(url, "--full")
        with_token = run_verifier(url, "--full", "--token", auditor)
    assert anonymous.returncode == 1 and "401" in anonymous.stdout + anonymous.stderr
    assert with_token.returncode == 0, with_token.stdout + with_token.stderr
    assert "all 30 entries hash to the signed root" in with_token.stdout

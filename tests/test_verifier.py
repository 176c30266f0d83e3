"""The independent verifier agrees with the project's tree and heads, and its CLI catches tampering."""
from __future__ import annotations

import ast
import contextlib
import importlib.util
import json
import random
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from eventsourcing.persistence import Notification

from projections import heads, merkle
from projections.merkle import MerkleLog

REPO_ROOT = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("gongshi_verify") is None:
    sys.path.insert(0, str(REPO_ROOT))  # a standalone package for auditors, not installed with gongshi
import gongshi_verify as verifier  # noqa: E402

NAMESPACE = uuid.UUID("6ba7b812-9dad-11d1-80b4-00c04fd430c8")
TIMESTAMP = 1767225600000


def synthetic_notifications(count: int, altered: int | None = None) -> list[Notification]:
    """Credit events as the store keeps them; `altered` rewrites one event's state."""
    notifications = []
    for i in range(count):
        state = {
            "credit_code": "91350100M000100Y43",
            "title": f"行政处罚决定书 榕市监罚〔2026〕{i}号",
            "note": 'quotes " backslash \\ newline \n tab \t control \x01 emoji 🧾',
        }
        if i == altered:
            state["title"] = "已撤销"
        notifications.append(
            Notification(
                id=i + 1,
                originator_id=uuid.uuid5(NAMESPACE, f"/records/福州市市场监督管理局/{i // 3}"),
                originator_version=i % 3 + 1,
                topic="domain.records:Record.Recorded",
                state=json.dumps(state, ensure_ascii=False).encode("utf-8"),
            )
        )
    return notifications


def tree_of(notifications: list[Notification]) -> MerkleLog:
    return MerkleLog.from_leaf_hashes(merkle.leaf_hash(merkle.leaf_bytes(n)) for n in notifications)


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    return heads.load_or_create_key(tmp_path_factory.mktemp("keys") / "log-signing.pem")


@pytest.fixture(scope="module")
def tree() -> MerkleLog:
    return MerkleLog.from_leaf_hashes(merkle.leaf_hash(f"leaf {i}".encode()) for i in range(2500))


def test_leaf_bytes_agree_between_project_and_verifier_after_json_transport():
    for notification in synthetic_notifications(30):
        served = json.loads(json.dumps({"entries": [merkle.log_entry(notification)]}))["entries"][0]
        assert verifier.leaf_bytes(served) == merkle.leaf_bytes(notification)
        assert "行政处罚决定书" in verifier.leaf_bytes(served).decode("utf-8")


def test_verifier_refuses_an_entry_missing_a_field():
    entry = merkle.log_entry(synthetic_notifications(1)[0])
    del entry["topic"]
    with pytest.raises(verifier.VerificationError, match="topic"):
        verifier.leaf_bytes(entry)
    with pytest.raises(verifier.VerificationError, match="position"):
        verifier.leaf_bytes({**merkle.log_entry(synthetic_notifications(1)[0]), "position": "1"})


def test_verifier_streamed_root_matches_the_tree_at_every_size(tree):
    rng = random.Random(9162)
    leaves = [tree.leaf(i) for i in range(tree.size)]
    for n in list(range(71)) + [rng.randint(71, tree.size) for _ in range(20)] + [tree.size]:
        assert verifier.merkle_root(leaves[:n]) == tree.root(n), n


def test_tree_proofs_verify_in_the_independent_verifier(tree):
    rng = random.Random(6962)
    for _ in range(500):
        size = rng.randint(1, tree.size)
        index = rng.randrange(size)
        path = tree.inclusion_proof(index, size)
        assert verifier.verify_inclusion(tree.leaf(index), index, size, path, tree.root(size))
        first, second = sorted((rng.randint(0, tree.size), rng.randint(0, tree.size)))
        proof = tree.consistency_proof(first, second)
        assert verifier.verify_consistency(first, second, tree.root(first), tree.root(second), proof)


@pytest.mark.parametrize("index,size,first", [(0, 2, 1), (6, 7, 3), (13, 21, 13), (1000, 2499, 1024), (2400, 2499, 1500)])
def test_tampered_proofs_fail_in_the_independent_verifier(tree, index, size, first):
    path, root = tree.inclusion_proof(index, size), tree.root(size)
    leaf = tree.leaf(index)
    broken_paths = [path[:-1], path + [path[0]], [bytes(32)] + path[1:], path[::-1] if len(path) > 1 else []]
    assert not verifier.verify_inclusion(merkle.leaf_hash(b"altered"), index, size, path, root)
    assert not verifier.verify_inclusion(leaf, index, size + 1, path, tree.root(size + 1))
    for broken in broken_paths:
        assert not verifier.verify_inclusion(leaf, index, size, broken, root)
    proof, first_root = tree.consistency_proof(first, size), tree.root(first)
    assert not verifier.verify_consistency(first, size, merkle.leaf_hash(b"altered"), root, proof)
    assert not verifier.verify_consistency(first, size + 1, first_root, tree.root(size + 1), proof)
    for broken in [proof[:-1], proof + [proof[0]], [bytes(32)] + proof[1:], proof[::-1] if len(proof) > 1 else []]:
        assert not verifier.verify_consistency(first, size, first_root, root, broken)


def test_heads_signed_by_the_instance_verify_in_the_verifier(key, tree):
    head = heads.sign_head(key, tree.size, tree.root(), TIMESTAMP)
    pem = heads.public_key_pem(key)
    assert verifier.head_message(1, "ab" * 32, 2) == heads.head_message(1, "ab" * 32, 2)
    assert verifier.verify_head(pem, json.loads(json.dumps(head)))
    for field, value in [("tree_size", tree.size - 1), ("root_hash", tree.root(7).hex()), ("timestamp", TIMESTAMP + 1)]:
        assert not verifier.verify_head(pem, {**head, field: value}), field
    assert not verifier.verify_head(heads.public_key_pem(heads.Ed25519PrivateKey.generate()), head)


def test_verifier_imports_nothing_but_the_standard_library_cryptography_and_pypdf():
    # pypdf only reads a credit report PDF's attachment (gongshi_verify/report.py)
    allowed = set(sys.stdlib_module_names) | {"cryptography", "pypdf", "gongshi_verify", "__future__"}
    for source in (REPO_ROOT / "gongshi_verify").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert {name.split(".")[0] for name in names} <= allowed, (source.name, names)


# --- the command line against a live HTTP server ---------------------------------------------


class FakeInstance:
    """The documented log endpoints, served from a MerkleLog: the shapes the web API must match."""

    page_cap = 64  # shorter pages than asked for are allowed; the verifier must keep asking

    def __init__(self, notifications: list[Notification], key: heads.Ed25519PrivateKey) -> None:
        self.entries = [merkle.log_entry(n) for n in notifications]
        self.tree = tree_of(notifications)
        self.key = key
        self.head = self.head_at(self.tree.size)

    def head_at(self, size: int) -> dict:
        return heads.sign_head(self.key, size, self.tree.root(size), TIMESTAMP + size)

    def answer(self, path: str, query: dict[str, int]) -> str | dict:
        if path == "/api/v1/log/key":
            return heads.public_key_pem(self.key)
        if path == "/api/v1/log/head":
            return self.head
        if path == "/api/v1/log/entries":
            end = min(query["end"], query["start"] + 1000, query["start"] + self.page_cap)
            return {"entries": self.entries[query["start"] : end]}
        if path == "/api/v1/log/proof/inclusion":
            audit_path = self.tree.inclusion_proof(query["index"], query["tree_size"])
            return {
                "leaf_index": query["index"],
                "tree_size": query["tree_size"],
                "audit_path": [h.hex() for h in audit_path],
            }
        if path == "/api/v1/log/proof/consistency":
            proof = self.tree.consistency_proof(query["first"], query["second"])
            return {"first": query["first"], "second": query["second"], "consistency_path": [h.hex() for h in proof]}
        raise LookupError(path)


@contextlib.contextmanager
def serving(instance: FakeInstance) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            try:
                query = {name: int(values[0]) for name, values in parse_qs(url.query).items()}
                body = instance.answer(url.path, query)
            except (LookupError, ValueError) as error:
                self.send_error(404 if isinstance(error, LookupError) else 400, str(error))
                return
            if isinstance(body, str):
                data, kind = body.encode("ascii"), "text/plain"
            else:
                data, kind = json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json"
            self.send_response(200)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def run_verifier(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gongshi_verify", "--url", url, *args],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )


def write_json(path: Path, value: object) -> str:
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


def test_cli_verifies_an_honest_instance_and_saves_its_head(key, tmp_path):
    instance = FakeInstance(synthetic_notifications(200), key)
    kept = write_json(tmp_path / "kept.json", instance.head_at(150))
    (tmp_path / "pinned.pem").write_text(heads.public_key_pem(key))
    with serving(instance) as url:
        result = run_verifier(
            url, "--full", "--entry", "0", "--entry", "199", "--head-file", kept,
            "--key-file", str(tmp_path / "pinned.pem"), "--save-head", str(tmp_path / "saved.json"),
        )
    assert result.returncode == 0, result.stderr
    assert "all 200 entries hash to the signed root" in result.stdout
    assert json.loads((tmp_path / "saved.json").read_text()) == instance.head


def test_cli_fails_when_a_served_entry_was_altered(key):
    instance = FakeInstance(synthetic_notifications(200), key)
    instance.entries[42] = {**instance.entries[42], "state": instance.entries[42]["state"].replace("42号", "24号")}
    with serving(instance) as url:
        full = run_verifier(url, "--full")
        altered, untouched = run_verifier(url, "--entry", "42"), run_verifier(url, "--entry", "41")
    assert full.returncode == 1 and "do not hash to the signed root" in full.stderr
    assert altered.returncode == 1 and "entry 42" in altered.stderr
    assert untouched.returncode == 0, untouched.stderr


def test_cli_fails_when_history_before_a_kept_head_was_rewritten(key, tmp_path):
    kept = write_json(tmp_path / "kept.json", FakeInstance(synthetic_notifications(150), key).head)
    rewritten = FakeInstance(synthetic_notifications(200, altered=10), key)
    with serving(rewritten) as url:
        self_consistent, against_kept = run_verifier(url, "--full"), run_verifier(url, "--head-file", kept)
    assert self_consistent.returncode == 0, self_consistent.stderr
    assert against_kept.returncode == 1 and "not consistent with the kept head" in against_kept.stderr


def test_cli_fails_when_the_log_shrank_below_a_kept_head(key, tmp_path):
    kept = write_json(tmp_path / "kept.json", FakeInstance(synthetic_notifications(200), key).head)
    with serving(FakeInstance(synthetic_notifications(150), key)) as url:
        result = run_verifier(url, "--head-file", kept)
    assert result.returncode == 1 and "shrank" in result.stderr


def test_cli_fails_on_a_head_whose_signature_does_not_verify(key):
    instance = FakeInstance(synthetic_notifications(200), key)
    instance.head = {**instance.head, "tree_size": 199, "root_hash": instance.tree.root(199).hex()}
    with serving(instance) as url:
        result = run_verifier(url)
    assert result.returncode == 1 and "signature does not verify" in result.stderr


def test_cli_fails_when_the_instance_key_is_not_the_pinned_one(key, tmp_path):
    (tmp_path / "pinned.pem").write_text(heads.public_key_pem(heads.Ed25519PrivateKey.generate()))
    with serving(FakeInstance(synthetic_notifications(20), key)) as url:
        result = run_verifier(url, "--key-file", str(tmp_path / "pinned.pem"))
    assert result.returncode == 1 and "not the pinned key" in result.stderr


def test_cli_reports_an_unreachable_instance():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_verifier(f"http://127.0.0.1:{port}", "--timeout", "5")
    assert result.returncode == 1 and "could not fetch" in result.stderr

"""The log's Merkle tree and signed heads, checked against RFC 9162's own definitions."""
from __future__ import annotations

import hashlib
import json
import random
import stat
import uuid

import pytest
from eventsourcing.persistence import Notification

from projections import heads, merkle
from projections.merkle import MerkleLog

RNG_SEED = 9162


# RFC 9162 section 2.1, transcribed literally: the reference the fast tree must agree with.
def rfc_mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1 << ((n - 1).bit_length() - 1)
    return merkle.node_hash(rfc_mth(leaves[:k]), rfc_mth(leaves[k:]))


def rfc_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return rfc_path(m, leaves[:k]) + [rfc_mth(leaves[k:])]
    return rfc_path(m - k, leaves[k:]) + [rfc_mth(leaves[:k])]


def rfc_subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [rfc_mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return rfc_subproof(m, leaves[:k], complete) + [rfc_mth(leaves[k:])]
    return rfc_subproof(m - k, leaves[k:], False) + [rfc_mth(leaves[:k])]


def synthetic_leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"leaf {i}".encode()) for i in range(n)]


@pytest.fixture(scope="module")
def leaves() -> list[bytes]:
    return synthetic_leaves(3000)


@pytest.fixture(scope="module")
def tree(leaves: list[bytes]) -> MerkleLog:
    return MerkleLog.from_leaf_hashes(leaves)


def inclusion_cases(rng: random.Random, count: int, max_size: int) -> list[tuple[int, int]]:
    exhaustive = [(m, n) for n in range(1, 34) for m in range(n)]
    sizes = [rng.randint(1, max_size) for _ in range(count)]
    return exhaustive + [(rng.randrange(n), n) for n in sizes]


def consistency_cases(rng: random.Random, count: int, max_size: int) -> list[tuple[int, int]]:
    exhaustive = [(m, n) for n in range(1, 34) for m in range(1, n + 1)]
    pairs = [sorted((rng.randint(1, max_size), rng.randint(1, max_size))) for _ in range(count)]
    return exhaustive + [(m, n) for m, n in pairs]


def test_root_matches_the_rfc_tree_hash_for_every_size_up_to_70(leaves):
    for n in range(71):
        assert MerkleLog.from_leaf_hashes(leaves[:n]).root() == rfc_mth(leaves[:n]), n


def test_root_matches_the_rfc_tree_hash_for_random_larger_sizes(leaves, tree):
    rng = random.Random(RNG_SEED)
    for n in [rng.randint(71, len(leaves)) for _ in range(25)] + [1024, 2048, len(leaves)]:
        expected = rfc_mth(leaves[:n])
        assert MerkleLog.from_leaf_hashes(leaves[:n]).root() == expected, n
        assert tree.root(n) == expected, n


def test_roots_match_the_certificate_transparency_reference_vectors():
    # The eight-leaf test tree of RFC 6962's reference implementation (same hashing as RFC 9162).
    inputs = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
    expected_roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    tree = MerkleLog()
    for data, root in zip(inputs, expected_roots):
        tree.append(merkle.leaf_hash(bytes.fromhex(data)))
        assert tree.root().hex() == root
    assert MerkleLog().root().hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_appending_leaf_by_leaf_gives_the_same_tree_as_building_at_once(leaves, tree):
    grown = MerkleLog()
    for n, leaf in enumerate(leaves[:300], start=1):
        assert grown.append(leaf) == n - 1
        assert grown.root() == tree.root(n)
    assert grown.size == 300
    assert grown.leaf_hashes_bytes() == b"".join(leaves[:300])


def test_historical_roots_stay_answerable_after_appends(leaves):
    grown = MerkleLog.from_leaf_hashes(leaves[:100])
    for leaf in leaves[100:200]:
        grown.append(leaf)
    for n in range(201):
        assert grown.root(n) == rfc_mth(leaves[:n])


def test_inclusion_proofs_are_the_rfc_path_and_verify(leaves, tree):
    for m, n in inclusion_cases(random.Random(RNG_SEED), 300, len(leaves)):
        proof = tree.inclusion_proof(m, n)
        assert proof == rfc_path(m, leaves[:n]), (m, n)
        assert merkle.verify_inclusion(leaves[m], m, n, proof, tree.root(n)), (m, n)


def test_consistency_proofs_are_the_rfc_proof_and_verify(leaves, tree):
    for m, n in consistency_cases(random.Random(RNG_SEED), 300, len(leaves)):
        proof = tree.consistency_proof(m, n)
        assert proof == rfc_subproof(m, leaves[:n], True), (m, n)
        assert merkle.verify_consistency(m, n, tree.root(m), tree.root(n), proof), (m, n)


def test_the_empty_tree_is_consistent_with_every_tree(tree):
    assert tree.consistency_proof(0, 10) == []
    assert merkle.verify_consistency(0, 10, merkle.EMPTY_ROOT, tree.root(10), [])
    assert not merkle.verify_consistency(0, 10, tree.root(1), tree.root(10), [])


def proof_tamperings(proof: list[bytes]) -> dict[str, list[bytes]]:
    """Each way a proof can be broken in transit; every one must fail verification."""
    flipped = bytes([proof[0][0] ^ 1]) + proof[0][1:]
    tamperings = {
        "modified element": [flipped] + proof[1:],
        "truncated": proof[:-1],
        "extended": proof + [proof[0]],
        "emptied": [],
    }
    if len(proof) > 1:
        tamperings["swapped pair"] = [proof[1], proof[0]] + proof[2:]
    return tamperings


@pytest.mark.parametrize("index,size", [(0, 2), (5, 8), (6, 7), (13, 21), (1000, 2999), (2998, 2999)])
def test_tampered_inclusion_proofs_fail(leaves, tree, index, size):
    proof, root = tree.inclusion_proof(index, size), tree.root(size)
    changed_leaf = merkle.leaf_hash(b"a different event")
    assert not merkle.verify_inclusion(changed_leaf, index, size, proof, root)
    assert not merkle.verify_inclusion(leaves[index], index, size + 1, proof, tree.root(size + 1))
    assert not merkle.verify_inclusion(leaves[index], index ^ 1, size, proof, root)
    assert not merkle.verify_inclusion(leaves[index], index, size, proof, tree.root(size - 1))
    for name, tampered in proof_tamperings(proof).items():
        assert not merkle.verify_inclusion(leaves[index], index, size, tampered, root), name


def test_inclusion_proof_fails_for_a_size_its_path_does_not_fit(leaves, tree):
    # Leaf 0 of a 3-leaf tree has a 2-element path; a 5-leaf tree needs 3.
    assert not merkle.verify_inclusion(leaves[0], 0, 5, tree.inclusion_proof(0, 3), tree.root(3))
    assert not merkle.verify_inclusion(leaves[0], 0, 0, [], merkle.EMPTY_ROOT)


@pytest.mark.parametrize("first,second", [(1, 2), (3, 7), (4, 8), (6, 8), (13, 21), (1024, 2999), (1500, 2999)])
def test_tampered_consistency_proofs_fail(tree, first, second):
    proof, first_root, second_root = tree.consistency_proof(first, second), tree.root(first), tree.root(second)
    rewritten_root = merkle.node_hash(first_root, first_root)
    assert not merkle.verify_consistency(first, second, rewritten_root, second_root, proof)
    assert not merkle.verify_consistency(first, second, first_root, rewritten_root, proof)
    assert not merkle.verify_consistency(first, second + 1, first_root, tree.root(second + 1), proof)
    assert not merkle.verify_consistency(second, first, second_root, first_root, proof)
    for name, tampered in proof_tamperings(proof).items():
        assert not merkle.verify_consistency(first, second, first_root, second_root, tampered), name


def test_same_size_heads_are_consistent_only_with_equal_roots(tree):
    assert merkle.verify_consistency(5, 5, tree.root(5), tree.root(5), [])
    assert not merkle.verify_consistency(5, 5, tree.root(5), tree.root(4), [])
    assert not merkle.verify_consistency(5, 5, tree.root(5), tree.root(5), [tree.root(5)])


def test_proofs_for_sizes_beyond_the_tree_are_refused(tree):
    with pytest.raises(ValueError):
        tree.inclusion_proof(0, tree.size + 1)
    with pytest.raises(ValueError):
        tree.inclusion_proof(10, 10)
    with pytest.raises(ValueError):
        tree.consistency_proof(11, 10)
    with pytest.raises(ValueError):
        tree.root(tree.size + 1)


def test_saved_leaf_hashes_reload_to_the_same_tree(tmp_path, leaves, tree):
    path = tmp_path / "merkle.leaves"
    tree.save(path)
    assert path.stat().st_size == 32 * tree.size
    reloaded = MerkleLog.load(path)
    assert reloaded.size == tree.size and reloaded.root() == tree.root()
    assert reloaded.inclusion_proof(77, 2000) == tree.inclusion_proof(77, 2000)
    assert MerkleLog.from_bytes(tree.leaf_hashes_bytes()).root(1234) == tree.root(1234)


def test_leaf_hashes_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError):
        MerkleLog.from_bytes(b"\x00" * 33)
    with pytest.raises(ValueError):
        MerkleLog.from_leaf_hashes([b"\x00" * 31, b"\x00" * 33])
    with pytest.raises(ValueError):
        MerkleLog().append(b"short")


def test_leaf_bytes_is_the_documented_canonical_json():
    notification = Notification(
        id=7,
        originator_id=uuid.UUID("0b2c3a1e-5f6d-4e7a-8b9c-0d1e2f3a4b5c"),
        originator_version=2,
        topic="domain.records:Penalty.Recorded",
        state='{"b":1,"a":"行政处罚\\n"}\t"x"\\'.encode(),
    )
    expected = (
        '{"originator_id":"0b2c3a1e-5f6d-4e7a-8b9c-0d1e2f3a4b5c","originator_version":2,"position":7,'
        '"state":"{\\"b\\":1,\\"a\\":\\"行政处罚\\\\n\\"}\\t\\"x\\"\\\\","topic":"domain.records:Penalty.Recorded"}'
    ).encode("utf-8")
    assert merkle.leaf_bytes(notification) == expected
    assert json.loads(expected)["state"] == notification.state.decode()


def test_state_that_is_not_utf8_is_refused_with_its_position():
    notification = Notification(id=9, originator_id=uuid.uuid4(), originator_version=1, topic="t", state=b"\xff\xfe")
    with pytest.raises(ValueError, match="position 9"):
        merkle.leaf_bytes(notification)


def test_head_message_is_the_documented_byte_string():
    root_hex = "ab" * 32
    assert heads.head_message(12, root_hex, 1700000000000) == (
        b"gongshi-tree-head-v1\n12\n" + root_hex.encode() + b"\n1700000000000\n"
    )


@pytest.fixture()
def key(tmp_path):
    return heads.load_or_create_key(tmp_path / "keys" / "log-signing.pem")


def test_signed_head_verifies_under_the_instance_key(key):
    head = heads.sign_head(key, 3000, hashlib.sha256(b"root").digest(), 1700000000123)
    assert set(head) == {"tree_size", "root_hash", "timestamp", "signature", "key_id"}
    assert head["root_hash"] == hashlib.sha256(b"root").hexdigest()
    assert heads.verify_head(heads.public_key_pem(key), json.loads(json.dumps(head)))


@pytest.mark.parametrize(
    "field,value",
    [
        ("tree_size", 3001),
        ("tree_size", True),
        ("root_hash", hashlib.sha256(b"another root").hexdigest()),
        ("root_hash", hashlib.sha256(b"root").hexdigest().upper()),
        ("timestamp", 1700000000124),
        ("key_id", "00" * 32),
        ("signature", "not base64!"),
    ],
)
def test_head_with_a_changed_field_fails(key, field, value):
    head = heads.sign_head(key, 3000, hashlib.sha256(b"root").digest(), 1700000000123)
    assert not heads.verify_head(heads.public_key_pem(key), {**head, field: value})


def test_head_signed_by_another_key_fails(key):
    other = heads.Ed25519PrivateKey.generate()
    head = heads.sign_head(other, 1, merkle.EMPTY_ROOT, 1)
    assert not heads.verify_head(heads.public_key_pem(key), head)
    assert not heads.verify_head(heads.public_key_pem(key), {**head, "key_id": heads.key_id(key.public_key())})
    assert not heads.verify_head(heads.public_key_pem(key), {"tree_size": 1})


def test_key_file_is_created_once_with_mode_0600_and_reused(tmp_path):
    path = tmp_path / "var" / "log-signing.pem"
    first = heads.load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    pem = path.read_bytes()
    second = heads.load_or_create_key(path)
    assert path.read_bytes() == pem
    assert heads.public_key_pem(second) == heads.public_key_pem(first)
    assert list(path.parent.iterdir()) == [path]

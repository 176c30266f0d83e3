"""Signed tree heads: the instance's Ed25519 signature over (tree size, root, time).

An auditor who keeps a signed head can later demand a consistency proof from it to the
current head; a log that was rewritten cannot produce one, and the signature stops the
instance from denying a head it once served.

A head is the JSON object::

    {"tree_size": 1234, "root_hash": "<64 lowercase hex>", "timestamp": <ms since epoch>,
     "signature": "<base64 of the 64-byte Ed25519 signature>", "key_id": "<hex sha256 of the raw 32-byte public key>"}

The signed message is the ASCII bytes (`head_message`)::

    b"gongshi-tree-head-v1\\n" + f"{tree_size}\\n{root_hash}\\n{timestamp}\\n"

with both integers in plain decimal and `root_hash` as the same lowercase hex.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HEAD_MESSAGE_PREFIX = b"gongshi-tree-head-v1\n"
_ROOT_HEX = re.compile(r"[0-9a-f]{64}")


def head_message(tree_size: int, root_hex: str, timestamp_ms: int) -> bytes:
    """The exact bytes a tree head signature covers."""
    return HEAD_MESSAGE_PREFIX + f"{tree_size}\n{root_hex}\n{timestamp_ms}\n".encode("ascii")


def load_or_create_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """Load the signing key from a PEM file, creating it (mode 0600) on first start."""
    target = Path(path)
    if not target.exists():
        _create_key(target)
    key = serialization.load_pem_private_key(target.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{target} holds a {type(key).__name__}, not an Ed25519 private key")
    return key


def _create_key(target: Path) -> None:
    """Write a fresh key beside `target`, then link it into place so that two processes
    starting together end up sharing one complete key file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # whatever the umask
        os.write(descriptor, pem)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.link(temporary, target)
    except FileExistsError:
        pass  # another process won the race; its key is the key
    finally:
        os.unlink(temporary)


def _raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """Hex SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(_raw_public_bytes(public_key)).hexdigest()


def public_key_pem(key: Ed25519PrivateKey) -> str:
    """The public half as SubjectPublicKeyInfo PEM, as served at /api/v1/log/key."""
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def sign_head(key: Ed25519PrivateKey, tree_size: int, root_hash: bytes, timestamp_ms: int) -> dict[str, Any]:
    """A signed tree head for the tree of `tree_size` leaves whose root is `root_hash`."""
    root_hex = bytes(root_hash).hex()
    signature = key.sign(head_message(tree_size, root_hex, timestamp_ms))
    return {
        "tree_size": tree_size,
        "root_hash": root_hex,
        "timestamp": timestamp_ms,
        "signature": base64.b64encode(signature).decode("ascii"),
        "key_id": key_id(key.public_key()),
    }


def verify_head(public_key_pem: str | bytes, head: Mapping[str, Any]) -> bool:
    """True when `head` is well formed, names this key and carries its valid signature."""
    pem = public_key_pem.encode("ascii") if isinstance(public_key_pem, str) else public_key_pem
    try:
        public_key = serialization.load_pem_public_key(pem)
        tree_size, root_hex, timestamp = head["tree_size"], head["root_hash"], head["timestamp"]
        signature = base64.b64decode(head["signature"], validate=True)
        claimed_key_id = head["key_id"]
    except (KeyError, TypeError, ValueError, binascii.Error):
        return False
    well_formed = (
        isinstance(public_key, Ed25519PublicKey)
        and _is_count(tree_size)
        and _is_count(timestamp)
        and isinstance(root_hex, str)
        and _ROOT_HEX.fullmatch(root_hex) is not None
        and claimed_key_id == key_id(public_key)
    )
    if not well_formed:
        return False
    try:
        public_key.verify(signature, head_message(tree_size, root_hex, timestamp))
    except InvalidSignature:
        return False
    return True


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def sign_message(key: Ed25519PrivateKey, message: bytes) -> dict[str, str]:
    """An Ed25519 signature over other signed statements of the instance (credit reports), with its key id.

    Ed25519 is deterministic (RFC 8032): the same message always gives the same signature.
    """
    return {"algorithm": "Ed25519", "key_id": key_id(key.public_key()),
            "value": base64.b64encode(key.sign(message)).decode("ascii")}

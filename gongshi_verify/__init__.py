"""gongshi_verify: an independent auditor's check of a Gongshi (公示) instance's event log.

It imports nothing from Gongshi: only the Python standard library and `cryptography`.
Copy this directory anywhere and run::

    python -m gongshi_verify --url https://gongshi.example.gov.cn [--head-file kept.json]
        [--save-head kept.json] [--key-file pinned.pem] [--entry N] [--full]

A credit report (PDF or JSON) is checked offline with ``python -m gongshi_verify report FILE
[--public-key PEM]``; ``gongshi_verify/report.py`` specifies that format (it reads a PDF with pypdf).

It checks the signature of the instance's current tree head, and then, as asked:
``--head-file`` that the current log extends a head you kept earlier (nothing before it
was rewritten), ``--entry N`` that leaf N (0-based) is in the current tree, ``--full``
that all entries hash to the signed root. Exit status 0: everything verified; 1: the
message names what failed.

Hashing (RFC 9162 section 2.1, SHA-256)
---------------------------------------
leaf bytes = UTF-8 of ``json.dumps(entry, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` over the five members below; leaf hash = SHA-256(0x00 || leaf
bytes); node hash = SHA-256(0x01 || left || right); the tree of n leaves splits at the
largest power of two below n; the empty tree's root is SHA-256("").

Signed head message = ``b"gongshi-tree-head-v1\\n" + f"{tree_size}\\n{root_hash}\\n{timestamp}\\n"``
(ASCII; decimal integers; root as lowercase hex), signed with Ed25519.

HTTP endpoints expected of the instance (all GET; JSON unless noted; hashes in lowercase hex)
---------------------------------------------------------------------------------------------
``/api/v1/log/key``
    The Ed25519 public key as SubjectPublicKeyInfo PEM text (text/plain).
``/api/v1/log/head``
    ``{"tree_size": int, "root_hash": hex, "timestamp": int ms since epoch,
    "signature": base64 Ed25519 signature, "key_id": hex SHA-256 of the raw 32-byte public key}``
``/api/v1/log/entries?start=S&end=E``
    ``{"entries": [{"position": int, "originator_id": str, "originator_version": int,
    "topic": str, "state": str}, ...]}``: leaves S..E-1 (0-based leaf indices, end
    exclusive), in log order, at most 1000 per request (a shorter page is allowed; the
    verifier asks again from where it ended). ``position`` is the event's global log
    position; ``state`` is the stored event state decoded as UTF-8 text.
``/api/v1/log/proof/inclusion?index=I&tree_size=N``
    ``{"leaf_index": I, "tree_size": N, "audit_path": [hex, ...]}`` (RFC 9162 PATH).
``/api/v1/log/proof/consistency?first=M&second=N``
    ``{"first": M, "second": N, "consistency_path": [hex, ...]}`` (RFC 9162 PROOF).
"""
from gongshi_verify.verifier import (
    VerificationError,
    head_message,
    leaf_bytes,
    leaf_hash,
    main,
    merkle_root,
    node_hash,
    verify_consistency,
    verify_head,
    verify_inclusion,
)

__all__ = [
    "VerificationError",
    "head_message",
    "leaf_bytes",
    "leaf_hash",
    "main",
    "merkle_root",
    "node_hash",
    "verify_consistency",
    "verify_head",
    "verify_inclusion",
]

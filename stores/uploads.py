"""Case material uploads: PDF, JPEG and PNG only, recognised by content, stored by SHA-256.

Files live under GONGSHI_HOME/uploads, outside the web root (no route serves that
directory; reviewers download one case's material through an authorised endpoint),
named by the SHA-256 of their content, so the same document uploaded twice is stored
once and no name the firm chose ever reaches the file system. The original file name
is kept only as a label, cleaned of any path. With several web nodes the directory must
be shared storage.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: (leading bytes, media type); the name and the declared content type are never trusted.
SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FORM_OVERHEAD = 256 * 1024  # the text fields and multipart framing around the files


class UploadRejected(Exception):
    """Why an upload was refused, with the HTTP status to answer with."""

    def __init__(self, status: int, code: str, zh: str, en: str, field: str = "files"):
        super().__init__(en)
        self.status, self.code, self.zh, self.en, self.field = status, code, zh, en, field


def sniff(data: bytes) -> str | None:
    """The media type the content really is (PDF, JPEG, PNG), or None."""
    for magic, media_type in SIGNATURES:
        if data.startswith(magic):
            if media_type == "application/pdf" and b"%%EOF" not in data[-2048:]:
                return None  # truncated, or something else wearing a PDF header
            if media_type == "image/png" and data[12:16] != b"IHDR":
                return None
            return media_type
    return None


def clean_name(name: str | None) -> str:
    """A display label from a client's file name: no directories, no control characters, bounded."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return text[:120] or "未命名文件"


@dataclass(frozen=True)
class UploadPolicy:
    max_bytes: int
    max_files: int
    types: dict[str, str]

    @classmethod
    def from_limits(cls, limits: dict[str, Any]) -> UploadPolicy:
        uploads = limits["uploads"]
        return cls(uploads["max_bytes"], uploads["max_files_per_request"], uploads["types"])

    @property
    def max_request(self) -> int:
        return self.max_files * self.max_bytes + _FORM_OVERHEAD

    @property
    def size_label(self) -> str:
        return f"{self.max_bytes / 1024 / 1024:g} MB"


class UploadStore:
    """Content-addressed files under one directory."""

    def __init__(self, root: Path, policy: UploadPolicy):
        self.root = root
        self.policy = policy

    def path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256

    def save(self, data: bytes, name: str | None, role: str) -> dict[str, Any]:
        """Check and store one file; return the material entry a case records."""
        label = clean_name(name)
        if not data:
            raise UploadRejected(422, "empty_file", f"文件「{label}」是空文件", f"the file {label!r} is empty", role)
        if len(data) > self.policy.max_bytes:
            raise UploadRejected(413, "file_too_large", f"文件「{label}」超过大小上限 {self.policy.size_label}，请压缩后重新上传",
                                 f"the file {label!r} exceeds the limit of {self.policy.size_label}", role)
        media_type = sniff(data)
        if media_type not in self.policy.types:
            allowed = "、".join(self.policy.types.values())
            raise UploadRejected(415, "unsupported_type", f"文件「{label}」不是有效的 {allowed} 文件（按文件内容识别，与文件名无关）",
                                 f"the file {label!r} is not a valid {', '.join(self.policy.types.values())} file "
                                 "(recognised by its content, not its name)", role)
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o640)
            os.replace(tmp, target)
        return {"role": role, "sha256": sha256, "content_type": media_type, "size": len(data), "name": label}

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

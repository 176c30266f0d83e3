"""Upload abuse: content checked by magic bytes, size limits, path tricks, never served publicly."""
from __future__ import annotations

import hashlib

import pytest
from starlette.testclient import TestClient

from tests.casework import JPEG, PDF, PNG, activate, apply_repair, csrf_of, repair_files, rid
from tests.records import JTYS, SCJG, entity, penalty
from web.app import create_app
from stores.uploads import UploadPolicy, clean_name, sniff

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize("data, expected", [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"),
    (HTML, None), (b"%PDF-1.7\n<html><script>", None),  # a PDF header without a PDF body
    (b"\x89PNG\r\n\x1a\n<html>", None), (b"GIF89a....", None), (b"", None),
])
def test_the_type_is_the_contents_not_the_name(data, expected):
    assert sniff(data) == expected


@pytest.mark.parametrize("name, label", [
    ("../../../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\win.ini.png", "win.ini.png"),
    ("C:\\Users\\财务\\缴款凭证.pdf", "缴款凭证.pdf"),
    ("..", "未命名文件"),
    (".htaccess", "htaccess"),
    ("evil\x00.pdf\r\n", "evil.pdf"),
    ("", "未命名文件"),
    ("长" * 300 + ".pdf", "长" * 120),
])
def test_file_names_are_only_labels_without_paths(name, label):
    assert clean_name(name) == label


@pytest.fixture
def client(platform):
    platform.records.submit([entity(), penalty(1)], department=SCJG, submitter="test")
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def csrf(client, platform):
    return activate(client, platform)


def stored_files(platform):
    root = platform.settings.home / "uploads"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_an_html_file_named_pdf_is_refused_and_nothing_is_stored(client, csrf, platform):
    before = platform.ledger.position()
    answer = apply_repair(client, csrf, rid(1), files=repair_files(proof=HTML, proof_name="receipt.pdf"))
    assert answer.status_code == 415
    error = answer.json()["error"]
    assert error["code"] == "unsupported_type" and "receipt.pdf" in error["message_zh"] and "content" in error["message_en"]
    assert platform.ledger.position() == before
    assert all(hashlib.sha256(HTML).hexdigest() != p.name for p in stored_files(platform))


def test_an_oversize_file_gets_a_clear_413(client, csrf, platform):
    limit = platform.uploads.policy.max_bytes
    big = PDF[:-7] + b"0" * limit + b"\n%%EOF\n"
    answer = apply_repair(client, csrf, rid(1), files=repair_files(proof=big))
    assert answer.status_code == 413
    error = answer.json()["error"]
    assert error["code"] == "file_too_large" and "10 MB" in error["message_zh"] and "缴款凭证.pdf" in error["message_zh"]
    assert stored_files(platform) == []


def test_too_much_data_is_refused_by_its_declared_length_before_reading(client, csrf, platform):
    platform.uploads.policy = UploadPolicy(max_bytes=1000, max_files=2, types=platform.uploads.policy.types)
    answer = apply_repair(client, csrf, rid(1), files=repair_files(proof=PDF + b" " * 600_000))
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "request_too_large"
    many = repair_files() + [("proof", (f"p{i}.pdf", PDF, "application/pdf")) for i in range(2)]
    answer = apply_repair(client, csrf, rid(1), files=many)
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_many_files"


def test_path_tricks_in_file_names_never_reach_the_file_system(client, csrf, platform, tmp_path):
    files = [("proof", ("../../../../../../tmp/gongshi-evil.pdf", PDF, "application/pdf")),
             ("commitment", ("..\\..\\承诺书.png", PNG, "image/png"))]
    answer = apply_repair(client, csrf, rid(1), files=files)
    assert answer.status_code == 201, answer.text
    assert [m["name"] for m in answer.json()["materials"]] == ["gongshi-evil.pdf", "承诺书.png"]
    names = {p.name for p in stored_files(platform)}
    assert names == {hashlib.sha256(PDF).hexdigest(), hashlib.sha256(PNG).hexdigest()}
    assert not (tmp_path.parent / "gongshi-evil.pdf").exists()
    assert all(p.parent.parent == platform.settings.home / "uploads" for p in stored_files(platform))


def test_the_same_document_twice_is_stored_once(client, csrf, platform):
    answer = apply_repair(client, csrf, rid(1), files=repair_files(commitment=PNG) + [
        ("commitment", ("again.png", PNG, "image/png"))])
    assert answer.status_code == 201 and len(answer.json()["materials"]) == 3
    assert len(stored_files(platform)) == 2


def test_the_html_form_shows_the_refusal_on_the_page(client, csrf, platform):
    form = client.get(f"/firm/records/{rid(1)}/repair")
    answer = client.post(f"/firm/records/{rid(1)}/repair", data={"csrf": csrf_of(form.text)},
                         files=repair_files(proof=HTML, proof_name="invoice.pdf"))
    assert answer.status_code == 415 and 'data-code="unsupported_type"' in answer.text and "invoice.pdf" in answer.text


def test_material_is_served_only_to_the_deciding_department_and_the_read_is_recorded(client, csrf, platform):
    case = apply_repair(client, csrf, rid(1)).json()
    sha = case["materials"][0]["sha256"]
    url = f"/reviewer/cases/{case['number']}/materials/{sha}"
    for public in (f"/uploads/{sha[:2]}/{sha}", f"/static/../uploads/{sha[:2]}/{sha}", f"/static/{sha}"):
        assert client.get(public).status_code == 404
    assert client.get(url, follow_redirects=False).status_code == 303  # a firm session is not a reviewer
    desk = TestClient(client.app)
    page = desk.get("/reviewer/login")
    desk.post("/reviewer/login", data={"csrf": csrf_of(page.text),
                                       "token": platform.tokens.create(department=SCJG, role="reviewer")})
    before = platform.ledger.position()
    served = desk.get(url)
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["content-type"] == "application/pdf" and served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("attachment;")
    read = platform.ledger.recorder.select_notifications(before, 1, inclusive_of_start=False)
    assert read[0].topic == "gongshi:PrivilegedRead.Recorded"
    assert desk.get(f"/reviewer/cases/{case['number']}/materials/{'0' * 64}").status_code == 404
    other = TestClient(client.app)
    page = other.get("/reviewer/login")
    other.post("/reviewer/login", data={"csrf": csrf_of(page.text),
                                        "token": platform.tokens.create(department=JTYS, role="reviewer")})
    assert other.get(url).status_code == 403

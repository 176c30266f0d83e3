"""The credit report as a PDF: A4, Chinese fonts embedded, selectable text, the signed JSON inside, sealed;
the offline verifier confirms it from the file alone and names what a tampered file changed."""
from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader, PdfWriter

from gongshi_verify import report as offline
from publishing import report_font, report_pdf
from tests.portal import client
from domain.codes import make_credit_code
from tests.records import COMPANY, SCJG, entity
from tests.reports_support import PUBLIC_PENALTY, firm_with_history, verify_cli

A4 = (595.28, 841.89)
OTHER = make_credit_code("91", "210502", "MA0RARE0")


@pytest.fixture
def issued(sqlite_platform, tmp_path):
    """A PDF report of the test company, the instance's public key, and the report number."""
    firm_with_history(sqlite_platform)
    with client(sqlite_platform) as c:
        answer = c.get(f"/entities/{COMPANY}/report.pdf", params={"purpose": "approval"})
        key = c.get("/api/v1/log/key").text
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf", answer.text[:300]
    number = answer.headers["x-report-number"]
    assert f'filename="{number}.pdf"' in answer.headers["content-disposition"]
    (tmp_path / "key.pem").write_text(key)
    return answer.content, tmp_path / "key.pem", number


def test_the_pdf_is_a4_with_an_embedded_chinese_font_and_a_text_layer(issued):
    pdf, _, number = issued
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (round(A4[0], 1), round(A4[1], 1))
    fonts = [f for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    descendants = [f.get_object()["/DescendantFonts"][0].get_object() for f in fonts]
    assert any("NotoSansCJKSC" in d["/BaseFont"] and "/FontFile3" in d["/FontDescriptor"] for d in descendants)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    else:
        text = "".join(p.extract_text() for p in reader.pages).replace("\x00", "")
    for expected in ("公共信用信息报告", "本溪市明山区恒达建材有限公司", number, "行政审批", "未展示的信息及原因"):
        assert expected in text, expected
    assert PUBLIC_PENALTY.replace("〔", "").replace("〕", "") in text.replace("〔", "").replace("〕", "")
    assert list(reader.attachments) == ["report.json"]


def test_the_offline_verifier_confirms_the_pdf_alone_with_the_pinned_key(issued, tmp_path):
    pdf, key, number = issued
    path = tmp_path / f"{number}.pdf"
    path.write_bytes(pdf)
    done = verify_cli(path, "--public-key", str(key))
    assert done.returncode == 0, done.stderr
    assert f"verified: report {number}" in done.stdout and "the PDF's bytes are the issued file's" in done.stdout
    assert "warning" not in done.stdout
    unpinned = verify_cli(path)
    assert unpinned.returncode == 0 and "not pinned" in unpinned.stdout


def test_a_pdf_whose_attached_content_was_changed_names_the_part_and_the_bytes(issued, tmp_path):
    pdf, key, _ = issued
    forged = pdf.replace("本溪市明山区恒达建材有限公司".encode(), "本溪市明山区恒远建材有限公司".encode())
    path = tmp_path / "forged.pdf"
    path.write_bytes(forged)
    done = verify_cli(path, "--public-key", str(key))
    assert done.returncode == 1
    assert "changed: report.records, report.subject" in done.stderr
    assert "the PDF's bytes differ from the issued file" in done.stderr


def test_a_pdf_whose_pages_were_rewritten_is_refused(issued, tmp_path):
    pdf, key, _ = issued
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata({"/Title": "另一份报告"})
    out = io.BytesIO()
    writer.write(out)
    _, passed, failed = offline.verify_file(out.getvalue(), key.read_bytes())
    assert len(passed) == 4  # the attached JSON is still the signed one ...
    assert len(failed) == 1  # ... the file is not
    assert "differ from the issued file" in failed[0] or "rewritten" in failed[0]


def test_a_pdf_with_a_changed_page_byte_is_refused(issued, tmp_path):
    pdf, key, _ = issued
    at = pdf.index(b"stream", len(pdf) // 3) + 40  # inside a page or font stream, past the header
    forged = pdf[:at] + bytes([pdf[at] ^ 1]) + pdf[at + 1:]
    _, _, failed = offline.verify_file(forged, key.read_bytes())
    assert any("differ from the issued file" in f for f in failed)


def test_a_file_that_is_not_a_report_is_refused_clearly(tmp_path):
    path = tmp_path / "plain.json"
    path.write_text('{"hello": 1}')
    done = verify_cli(path)
    assert done.returncode == 2 and "not a signed credit report" in done.stderr


def _text(pdf: bytes) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\x00", "")


def test_the_cut_font_draws_common_names_and_a_rare_character_falls_back_to_the_full_face(sqlite_platform, tmp_path,
                                                                                          monkeypatch):
    """The working font (publishing/report_font.py) is chosen per report: cut when it holds every character of the
    report, full otherwise; either way the text layer reads back as the report says."""
    monkeypatch.setenv(report_font.CACHE_VARIABLE, str(tmp_path / "fonts"))
    full, index = report_pdf.font_paths()[""]
    assert report_font.working_font(full, index, "恒达") == (full, index)  # not built: the full face, build started
    cut = report_font.build(full, index)
    assert cut.parent == tmp_path / "fonts" and cut.stat().st_size < full.stat().st_size / 5
    assert report_font.working_font(full, index, "本溪市明山区恒达建材有限公司 第 1 页") == (cut, 0)
    assert report_font.working_font(full, index, "本溪市堃元建材有限公司") == (full, index)  # 堃 is not in GB 2312
    firm_with_history(sqlite_platform)
    rare = "本溪市堃元建材有限公司"
    sqlite_platform.records.submit([entity(credit_code=OTHER, name=rare)], department=SCJG, submitter="test")
    with client(sqlite_platform) as c:
        common = c.get(f"/entities/{COMPANY}/report.pdf", params={"purpose": "approval"})
        uncommon = c.get(f"/entities/{OTHER}/report.pdf", params={"purpose": "approval"})
    assert common.status_code == 200 and uncommon.status_code == 200, uncommon.text[:400]
    assert "本溪市明山区恒达建材有限公司" in _text(common.content) and "公共信用信息报告" in _text(common.content)
    assert rare in _text(uncommon.content)

"""One glossary (schemas/glossary.json): the README's table, the record schemas' titles, the portal's pages, the
open data's derived names and every text in the repository use its words, and a retired word never comes back."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import schemas
from publishing.definitions import vocabulary
from tests.portal import client
from web import labels

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TEXT = (".py", ".json", ".html", ".md", ".toml", ".txt", ".css", ".js")


def readme_glossary() -> list[dict[str, str]]:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("\n## Glossary\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows[1:]]  # rows[0] is the header
    return [{"zh": zh, "id": ident} for zh, ident in cells]


def test_the_readme_glossary_is_the_glossary_file():
    assert readme_glossary() == schemas.glossary()["terms"]


def test_every_record_kind_has_a_term_and_its_schema_title_is_the_glossarys():
    kinds = schemas.glossary()["kinds"]
    assert set(kinds) == set(schemas.KINDS)
    assert {k: schemas.kind_schema(k)["title"] for k in schemas.KINDS} == {k: kinds[k]["title"] for k in schemas.KINDS}


def test_the_portal_and_the_open_data_name_codes_with_the_same_words():
    vocab = vocabulary()
    assert vocab["districts"] == labels.DISTRICTS and vocab["district_other"] == labels.OUTSIDE
    assert vocab["district_none"] == labels.district(None)
    assert vocab["kinds"] == labels.KINDS


def test_the_portal_pages_show_the_glossarys_list_names(sqlite_platform):
    with client(sqlite_platform) as c:
        home = c.get("/").text
    for name in schemas.glossary()["lists"].values():
        assert name in home


def tracked_text_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / p for p in out.splitlines() if p.endswith(TEXT) and (ROOT / p).is_file()]


def retired_words_in(text: str) -> list[str]:
    """Retired words in a text, as 'old (use new)'; a law's own title, quoted in 《…》, keeps its words."""
    text = re.sub(r"《[^》]*》", "", text)
    return [f"{old} (use {new})" for old, new in schemas.glossary()["retired"].items() if old in text]


def test_no_retired_word_is_used_outside_the_title_of_a_law():
    offenders = [f"{path.relative_to(ROOT)}: {word}" for path in tracked_text_files()
                 if path.name not in ("glossary.json", Path(__file__).name)
                 and FIXTURES not in path.parents  # fixtures keep what older code wrote, words and all
                 for word in retired_words_in(path.read_text("utf-8", errors="replace"))]
    assert offenders == []


def test_a_retired_word_is_found_in_prose_but_not_in_a_laws_title():
    old, new = next(iter(schemas.glossary()["retired"].items()))
    assert retired_words_in(f"列入{old}的主体") == [f"{old} (use {new})"]
    assert retired_words_in(f"依据《某某{old}管理办法》第六条") == []

"""`gongshi publish`: pushing datasets with ckanapi into a second running instance, idempotently."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import requests
from ckanapi import RemoteCKAN
from ckanapi.errors import NotAuthorized, ValidationError
from click.testing import CliRunner

from gongshi.cli import main
from gongshi.config import Settings
from gongshi.platform import Platform
from publishing.push import publish
from tests.conftest import TODAY
from tests.datasets_support import load_sample, serve
from tests.records import DEPTS
from web.app import create_app

PREFIX = "huanren-"  # a county publishing into its city: the city has datasets of the same names


@pytest.fixture
def target(tmp_path: Path):
    """The city instance: empty ledger, accepting packages from publishers."""
    platform = Platform(Settings(home=tmp_path / "city"), today=TODAY)
    with serve(create_app(platform, follow=False)) as url:
        yield platform, url


def test_publish_creates_then_changes_nothing(sqlite_platform, target):
    load_sample(sqlite_platform)
    city, url = target
    token = city.tokens.create(department=DEPTS["FGW"], role="publisher")
    first = publish(sqlite_platform.opendata, url, token, ["administrative-penalties", "red-list"], prefix=PREFIX)
    assert [(r.package, r.error) for r in first] == [("created", None), ("created", None)]
    assert first[0].resources == {"CSV": "uploaded", "JSON": "uploaded", "XLSX": "uploaded"}
    second = publish(sqlite_platform.opendata, url, token, ["administrative-penalties", "red-list"], prefix=PREFIX)
    assert [r.changed for r in second] == [False, False], [r.line() for r in second]
    remote = RemoteCKAN(url).action.package_show(id=f"{PREFIX}administrative-penalties")
    assert remote["organization"]["name"] == "fgw" and [g["name"] for g in remote["groups"]] == ["credit"]
    local = sqlite_platform.opendata.build(sqlite_platform.opendata.dataset("administrative-penalties"), "csv")
    csv_res = next(r for r in remote["resources"] if r["format"] == "CSV")
    body = requests.get(csv_res["url"], timeout=30).content
    assert csv_res["hash"] == local.sha256 == hashlib.sha256(body).hexdigest()
    assert f"{PREFIX}administrative-penalties" in RemoteCKAN(url).action.package_list()


def test_new_records_replace_only_the_changed_files(sqlite_platform, target):
    load_sample(sqlite_platform)
    city, url = target
    token = city.tokens.create(department=DEPTS["FGW"], role="publisher")
    publish(sqlite_platform.opendata, url, token, ["red-list"], prefix=PREFIX)
    sqlite_platform.records.submit([{"kind": "red_list", "party_name": "本溪市新红名单有限公司", "party_type": "法人及非法人组织",
                             "credit_code": "91210504MA0XK4E22E", "list_type": "纳税信用A级纳税人", "document_number": "税A〔2025〕9号",
                             "honour": "A级纳税人", "decision_date": "2025-05-01", "authority": "国家税务总局本溪市税务局",
                             "authority_code": DEPTS["SW"], "source_unit_code": DEPTS["SW"]}],
                           department=None, submitter="test")
    again = publish(sqlite_platform.opendata, url, token, ["red-list"], prefix=PREFIX)[0]
    assert again.package == "updated" and set(again.resources.values()) == {"replaced"}
    remote = RemoteCKAN(url).action.package_show(id=f"{PREFIX}red-list")
    assert len(remote["resources"]) == 3


def test_publisher_tokens_are_limited_to_their_department(sqlite_platform, target):
    load_sample(sqlite_platform)
    city, url = target
    other = city.tokens.create(department=DEPTS["JTYS"], role="publisher")
    report = publish(sqlite_platform.opendata, url, other, ["red-list"], prefix=PREFIX)[0]
    assert report.error and "NotAuthorized" in report.error
    submitter = city.tokens.create(department=DEPTS["FGW"], role="submitter")
    with RemoteCKAN(url, apikey=submitter) as ckan, pytest.raises(NotAuthorized):
        ckan.action.package_create(name="x-data", owner_org="fgw")
    publisher = city.tokens.create(department=DEPTS["FGW"], role="publisher")
    with RemoteCKAN(url, apikey=publisher) as ckan:
        with pytest.raises(ValidationError):
            ckan.action.package_create(name="Bad Name", owner_org="fgw")
        with pytest.raises(ValidationError):
            ckan.action.package_create(name="market-entities", owner_org="fgw")  # a ledger dataset's name
        created = ckan.action.package_create(name="county-data", owner_org="fgw", title="县级数据",
                                             tags=[{"name": "县级"}], extras=[{"key": "source", "value": "county"}])
        assert created["title"] == "县级数据" and created["license_id"] is None
        patched = ckan.action.package_patch(id="county-data", notes="说明")
        assert patched["notes"] == "说明" and patched["tags"][0]["name"] == "县级"
        updated = ckan.action.package_update(id="county-data", name="county-data", owner_org="fgw", title="新标题")
        assert updated["title"] == "新标题" and updated["notes"] is None
        res = ckan.action.resource_create(package_id="county-data", url="https://example.org/a.csv", format="CSV")
        assert ckan.action.resource_patch(id=res["id"], name="外部文件")["name"] == "外部文件"
        assert ckan.action.package_activity_list(id="county-data")[0]["activity_type"] == "changed package"


def test_cli_publish_reports_per_dataset(sqlite_platform, target, monkeypatch):
    load_sample(sqlite_platform)
    city, url = target
    token = city.tokens.create(department=DEPTS["FGW"], role="publisher")
    monkeypatch.setenv("GONGSHI_HOME", str(sqlite_platform.settings.home))
    runner = CliRunner()
    first = runner.invoke(main, ["publish", "--ckan", url, "--apikey", token, "--dataset", "credit-commitments", "--prefix", PREFIX])
    assert first.exit_code == 0, first.output
    assert "huanren-credit-commitments: created; CSV uploaded, JSON uploaded, XLSX uploaded" in first.output
    second = runner.invoke(main, ["publish", "--ckan", url, "--apikey", token, "--dataset", "credit-commitments", "--prefix", PREFIX])
    assert "huanren-credit-commitments: unchanged; CSV unchanged, JSON unchanged, XLSX unchanged" in second.output
    assert "0 changed, 1 unchanged, 0 failed" in second.output
    unknown = runner.invoke(main, ["publish", "--ckan", url, "--apikey", token, "--dataset", "nope"])
    assert unknown.exit_code == 2

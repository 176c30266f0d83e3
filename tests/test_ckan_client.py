"""The real ckanapi client, library and command line, unchanged, against a real uvicorn server."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from ckanapi import RemoteCKAN
from ckanapi.errors import NotFound, SearchQueryError, ValidationError

from publishing.catalog import resource_id
from tests.datasets_support import DATASET_COUNT, load_sample, serve
from web.app import create_app

BIN = Path(sys.executable).parent


@pytest.fixture
def site(sqlite_platform):
    load_sample(sqlite_platform)
    with serve(create_app(sqlite_platform, follow=False)) as url:
        yield url


def ckanapi(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([str(BIN / "ckanapi"), *args], capture_output=True, text=True, env=env, timeout=120, check=False)


@pytest.mark.parametrize("get_only", [False, True])
def test_library_lists_shows_and_searches(site, get_only):
    with RemoteCKAN(site, get_only=get_only) as ckan:
        names = ckan.action.package_list()
        assert len(names) == DATASET_COUNT
        package = ckan.action.package_show(id="red-list")
        assert package["title"] == "守信激励对象名单（红名单）"
        found = ckan.action.package_search(q="失信", rows=10)
        assert {p["name"] for p in found["results"]} == {"serious-dishonesty-list", "social-insurance-arrears-list",
                                                         "society-credit-information"}
        with pytest.raises(NotFound):
            ckan.action.package_show(id="nope")
        with pytest.raises(SearchQueryError):
            ckan.action.package_search(q="title:(oops")
        with pytest.raises(ValidationError):
            ckan.action.datastore_search(resource_id=package["resources"][0]["id"], filters={"nope": 1})


def test_library_pages_a_datastore_resource_to_the_end(site, sqlite_platform):
    res = resource_id(sqlite_platform.opendata.dataset("market-entities"), "csv")
    with RemoteCKAN(site) as ckan:
        seen, filters = [], {}
        while True:
            page = ckan.action.datastore_search(resource_id=res, limit=5, filters=filters)
            seen += [r["credit_code"] for r in page["records"]]
            if "next_page" not in page:
                break
            filters = page["next_page"]
        assert len(seen) == len(set(seen)) == page["total"] == 12


def test_cli_action_package_search_post_and_get(site):
    for extra in ([], ["-g"]):
        done = ckanapi("action", "package_search", "q=许可", "rows:2", "-r", site, "-j", *extra)
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["count"] == 7 and len(result["results"]) == 2  # "许可" also in the agencies dataset (取得许可)


def test_cli_dump_datasets_all(site, tmp_path):
    out = tmp_path / "datasets.jsonl"
    done = ckanapi("dump", "datasets", "--all", "-r", site, "-O", str(out), "-q", "-d")
    assert done.returncode == 0, done.stderr
    packages = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert sorted(p["name"] for p in packages) == sorted(RemoteCKAN(site).action.package_list())
    csv_resource = packages[0]["resources"][0]
    assert csv_resource["datastore_active"] is True and csv_resource["datastore_fields"][0]["info"]["label"]


def test_cli_dump_with_get_requests(site, tmp_path):
    out = tmp_path / "get.jsonl"
    done = ckanapi("dump", "datasets", "red-list", "market-entities", "-g", "-r", site, "-O", str(out), "-q")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["name"] for line in out.read_text("utf-8").splitlines()] == ["red-list", "market-entities"]


def test_cli_search_datasets_pages_until_an_empty_page(site):
    done = ckanapi("search", "datasets", "q=*:*", "-r", site)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) == DATASET_COUNT


def test_downloads_stream_with_length_and_hash_over_http(site):
    package = RemoteCKAN(site).action.package_show(id="administrative-licenses")
    for res in package["resources"][:3]:
        with requests.get(res["url"], stream=True, timeout=30) as response:
            body = b"".join(response.iter_content(8192))
        assert response.status_code == 200
        assert int(response.headers["Content-Length"]) == len(body)
        import hashlib

        assert hashlib.sha256(body).hexdigest() == response.headers["X-Gongshi-SHA256"]

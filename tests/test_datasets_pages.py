"""The /datasets pages: catalog with facets and search; a dataset's description, dictionary, preview,
downloads, versions and the API call returning the same rows."""
from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.datasets_support import DATASET_COUNT, load_sample
from web.app import create_app


@pytest.fixture
def client(sqlite_platform):
    load_sample(sqlite_platform)
    with TestClient(create_app(sqlite_platform, follow=False), raise_server_exceptions=False) as c:
        yield c


def test_catalog_lists_datasets_with_theme_and_department_facets(client):
    page = client.get("/datasets")
    assert page.status_code == 200
    html = page.text
    assert f"共 {DATASET_COUNT} 个数据集" in html
    every = html + client.get("/datasets", params={"page": 2}).text  # 20 a page, by title
    assert "行政处罚信息" in every and "投资项目审批结果" in every
    assert "主题" in html and "部门" in html and "本溪市交通运输局" in html
    assert "/api/3/action/package_search" in html


def test_catalog_search_and_facet_filters(client):
    assert "共 3 个数据集" in client.get("/datasets", params={"q": "失信"}).text
    tourism = client.get("/datasets", params={"group": "tourism"}).text
    assert "共 1 个数据集" in tourism and "旅行社及A级旅游景区" in tourism
    assert "共 1 个数据集" in client.get("/datasets", params={"organization": "jtys"}).text


def test_dataset_page_shows_dictionary_preview_downloads_versions_and_api(client):
    page = client.get("/datasets/administrative-penalties")
    assert page.status_code == 200
    html = page.text
    assert "行政处罚决定书文号" in html and "CF_WSH" in html  # the dictionary
    assert "本溪市测试1号商贸有限公司" in html  # the preview
    assert "/download/administrative-penalties.csv" in html and "datapackage.json" in html
    assert "?as_of=" in html and "Record.Withdrawn" in html  # versions
    assert "/api/3/action/datastore_search?resource_id=" in html and "ckanapi action datastore_search" in html


def test_unknown_dataset_page_is_a_404(client):
    assert client.get("/datasets/nope").status_code == 404
    assert client.get("/dataset/red-list", follow_redirects=False).headers["location"] == "/datasets/red-list"

"""DCAT: the catalog and each dataset as JSON-LD, Turtle and RDF/XML, parsed back by rdflib."""
from __future__ import annotations

import pytest
import rdflib
from rdflib import namespace as ns  # not the names themselves: pytest probes module attributes, DCAT warns
from starlette.testclient import TestClient

from publishing import dcat
from tests.datasets_support import load_sample
from web.app import create_app

PARSERS = {"jsonld": "json-ld", "ttl": "turtle", "rdf": "xml"}


@pytest.fixture
def client(sqlite_platform):
    load_sample(sqlite_platform)
    with TestClient(create_app(sqlite_platform, follow=False), raise_server_exceptions=False) as c:
        yield c


def graph_of(response, ext: str) -> rdflib.Graph:
    assert response.status_code == 200, response.text
    return rdflib.Graph().parse(data=response.content, format=PARSERS[ext])


@pytest.mark.parametrize("ext", ["jsonld", "ttl", "rdf"])
def test_catalog_parses_and_lists_every_dataset(client, ext):
    graph = graph_of(client.get(f"/catalog.{ext}"), ext)
    catalog = next(graph.subjects(ns.RDF.type, ns.DCAT.Catalog))
    datasets = set(graph.objects(catalog, ns.DCAT.dataset))
    assert len(datasets) == 18
    view = next(graph.subjects(ns.RDF.type, dcat.HYDRA.PartialCollectionView))
    assert int(graph.value(view, dcat.HYDRA.totalItems)) == 18
    assert str(graph.value(view, dcat.HYDRA.first)).endswith(f"/catalog.{ext}?page=1")


@pytest.mark.parametrize("ext", ["jsonld", "ttl", "rdf"])
def test_dataset_document_has_dcat_ap_properties_and_checksums(client, ext):
    graph = graph_of(client.get(f"/dataset/administrative-penalties.{ext}"), ext)
    node = rdflib.URIRef("http://testserver/dataset/administrative-penalties")
    assert str(graph.value(node, ns.DCTERMS.title)) == "行政处罚信息"
    for prop in (ns.DCTERMS.description, ns.DCTERMS.identifier, ns.DCTERMS.issued, ns.DCTERMS.modified,
                 ns.DCTERMS.publisher, ns.DCAT.contactPoint, ns.DCTERMS.accrualPeriodicity, ns.DCAT.keyword, ns.DCAT.theme):
        assert graph.value(node, prop) is not None, prop
    distributions = list(graph.objects(node, ns.DCAT.distribution))
    assert len(distributions) == 3
    for dist in distributions:
        url = str(graph.value(dist, ns.DCAT.downloadURL))
        download = client.get(url)
        assert int(graph.value(dist, ns.DCAT.byteSize)) == len(download.content)
        checksum = graph.value(dist, dcat.SPDX.checksum)
        assert str(graph.value(checksum, dcat.SPDX.checksumValue)) == download.headers["x-gongshi-sha256"]
        assert graph.value(dist, ns.DCAT.mediaType) is not None and graph.value(dist, ns.DCTERMS.license) is not None


def test_catalog_pages_beyond_the_last_are_empty(client):
    graph = graph_of(client.get("/catalog.ttl?page=2"), "ttl")
    catalog = next(graph.subjects(ns.RDF.type, ns.DCAT.Catalog))
    assert not list(graph.objects(catalog, ns.DCAT.dataset))
    assert client.get("/catalog.ttl?page=0").status_code == 400
    assert client.get("/dataset/nope.ttl").status_code == 404

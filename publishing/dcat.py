"""DCAT-AP style RDF of the catalog and of each dataset, built with rdflib.

The paged catalog (100 datasets a page, Hydra paging) never waits for a file to be built:
a distribution carries dcat:byteSize and spdx:checksum once its current version's file
exists. The single-dataset document builds its files first, so it always carries both.
"""
from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, XSD

from publishing import definitions
from publishing.catalog import CatalogState, OpenData
from publishing.ckan_dicts import departments, license_info, resource_url
from publishing.definitions import Dataset
from publishing.exporters import FORMATS

SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
PAGE_SIZE = 100
DOWNLOAD_FORMATS = ("csv", "json", "xlsx")
LANG = "zh"


def _graph() -> Graph:
    graph = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD), ("spdx", SPDX),
                       ("hydra", HYDRA), ("skos", SKOS)):
        graph.bind(prefix, ns)
    return graph


def _datetime(value: str) -> Literal:
    return Literal(value, datatype=XSD.dateTime)


def add_dataset(graph: Graph, opendata: OpenData, state: CatalogState, dataset: Dataset, site: str) -> URIRef:
    """Describe one dataset and its distributions in the graph; return its node."""
    node = URIRef(f"{site}/dataset/{dataset.name}")
    version = state.versions[dataset.name]
    dept = departments()[dataset.organization]
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(dataset.id)))
    graph.add((node, DCTERMS.title, Literal(dataset.title, lang=LANG)))
    graph.add((node, DCTERMS.description, Literal(dataset.notes, lang=LANG)))
    graph.add((node, DCTERMS.issued, _datetime(state.created[dataset.name])))
    graph.add((node, DCTERMS.modified, _datetime(state.modified(dataset))))
    graph.add((node, DCTERMS.accrualPeriodicity, FREQUENCY[dataset.frequency.upper()]))
    graph.add((node, DCAT.landingPage, URIRef(f"{site}/datasets/{dataset.name}")))
    graph.add((node, DCTERMS.conformsTo, URIRef(f"{site}/dataset/{dataset.name}/schema.json")))
    graph.add((node, OWL.versionInfo, Literal(str(version.position))))
    for tag in dataset.tags:
        graph.add((node, DCAT.keyword, Literal(tag, lang=LANG)))
    themes = {t["name"]: t for t in definitions.themes()}
    for name in dataset.groups:
        theme = URIRef(f"{site}/group/{name}")
        graph.add((node, DCAT.theme, theme))
        graph.add((theme, RDF.type, SKOS.Concept))
        graph.add((theme, SKOS.prefLabel, Literal(themes[name]["title"], lang=LANG)))
    publisher = URIRef(f"{site}/organization/{dept['key'].lower()}")
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(dept["name"], lang=LANG)))
    graph.add((publisher, DCTERMS.identifier, Literal(dept["code"])))
    contact = BNode()
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(dept["name"], lang=LANG)))
    graph.add((contact, VCARD.hasURL, URIRef(f"{site}/datasets?organization={dept['key'].lower()}")))
    lic = license_info(dataset.license_id)
    for fmt in DOWNLOAD_FORMATS:
        _add_distribution(graph, opendata, node, dataset, version, fmt, site, lic.get("url"))
    return node


def _add_distribution(graph: Graph, opendata: OpenData, node: URIRef, dataset: Dataset, version, fmt: str,
                      site: str, license_url: str | None) -> None:
    url = resource_url(site, dataset, fmt)
    dist = URIRef(url.rsplit("/download/", 1)[0])
    media, label = FORMATS[fmt][0].split(";")[0], FORMATS[fmt][1]
    graph.add((node, DCAT.distribution, dist))
    graph.add((dist, RDF.type, DCAT.Distribution))
    graph.add((dist, DCTERMS.title, Literal(f"{dataset.title}（{label}）", lang=LANG)))
    graph.add((dist, DCAT.accessURL, URIRef(f"{site}/datasets/{dataset.name}")))
    graph.add((dist, DCAT.downloadURL, URIRef(url)))
    graph.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
    graph.add((dist, DCTERMS.format, FILE_TYPE[label]))
    graph.add((dist, DCTERMS.conformsTo, URIRef(f"{site}/dataset/{dataset.name}/schema.json")))
    if license_url:
        graph.add((dist, DCTERMS.license, URIRef(license_url)))
    if version.recorded_at:
        graph.add((dist, DCTERMS.modified, _datetime(version.recorded_at)))
    built = opendata.files.built(version, fmt)
    if built is not None:
        graph.add((dist, DCAT.byteSize, Literal(built.size, datatype=XSD.nonNegativeInteger)))
        checksum = BNode()
        graph.add((dist, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(built.sha256, datatype=XSD.hexBinary)))


def dataset_graph(opendata: OpenData, dataset: Dataset, site: str) -> Graph:
    """One dataset, its files built first so that every distribution has its size and checksum."""
    state = opendata.state()
    for fmt in DOWNLOAD_FORMATS:
        opendata.files.build(state.versions[dataset.name], fmt)
    graph = _graph()
    add_dataset(graph, opendata, state, dataset, site)
    return graph


def catalog_graph(opendata: OpenData, site: str, page: int, ext: str) -> Graph:
    """One page of the catalog, with Hydra links to the others."""
    state = opendata.state()
    graph = _graph()
    catalog = URIRef(f"{site}/catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("本溪市公共信用信息开放数据目录", lang=LANG)))
    graph.add((catalog, DCTERMS.description, Literal(
        "本溪市行政许可、行政处罚、信用承诺、信用名单、市场主体登记等公共信用信息开放数据集（公示平台）", lang=LANG)))
    graph.add((catalog, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/ZHO")))
    graph.add((catalog, FOAF.homepage, URIRef(f"{site}/datasets")))
    publisher = URIRef(f"{site}/organization/{departments()['FGW']['key'].lower()}")
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(departments()["FGW"]["name"], lang=LANG)))
    datasets = sorted(opendata.datasets, key=lambda d: d.name)
    last_page = max(1, -(-len(datasets) // PAGE_SIZE))
    if state.position:
        graph.add((catalog, DCTERMS.modified, _datetime(max(state.modified(d) for d in datasets))))
    for dataset in datasets[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]:
        graph.add((catalog, DCAT.dataset, add_dataset(graph, opendata, state, dataset, site)))
    view = URIRef(f"{site}/catalog.{ext}?page={page}")
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.totalItems, Literal(len(datasets), datatype=XSD.integer)))
    graph.add((view, HYDRA.itemsPerPage, Literal(PAGE_SIZE, datatype=XSD.integer)))
    graph.add((view, HYDRA.first, URIRef(f"{site}/catalog.{ext}?page=1")))
    graph.add((view, HYDRA.last, URIRef(f"{site}/catalog.{ext}?page={last_page}")))
    if page < last_page:
        graph.add((view, HYDRA.next, URIRef(f"{site}/catalog.{ext}?page={page + 1}")))
    if page > 1:
        graph.add((view, HYDRA.previous, URIRef(f"{site}/catalog.{ext}?page={page - 1}")))
    return graph

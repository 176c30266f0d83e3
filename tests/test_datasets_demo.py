"""The demo data fills every open dataset, and nothing private reaches any resource in any format."""
from __future__ import annotations

import pytest

from gongshi.demo import generate
from gongshi.loading import load_items
from publishing.privacy import leaks

DEMO_ENTITIES = 2000  # the default demo size: small demos may miss the rarest list types


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from gongshi.config import Settings
    from gongshi.platform import Platform
    from tests.conftest import TODAY

    platform = Platform(Settings(home=tmp_path_factory.mktemp("demo")), today=TODAY)
    load_items(platform, generate(entities=DEMO_ENTITIES, seed=20261125), desc="demo")
    platform.runner.catch_up()
    yield platform
    platform.close()


@pytest.mark.slow
def test_demo_fills_every_dataset(demo):
    opendata = demo.opendata
    empty = [d.name for d in opendata.datasets if opendata.count(opendata.version(d)) == 0]
    assert empty == []


@pytest.mark.slow
def test_privacy_scan_over_every_demo_resource(demo):
    opendata = demo.opendata
    for dataset in opendata.datasets:
        for fmt in ("csv", "tsv", "json", "dump-json", "xlsx"):
            data = opendata.build(dataset, fmt).path.read_bytes()
            assert leaks(fmt, data) == [], (dataset.name, fmt)

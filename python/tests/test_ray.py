"""Ray Data: `map_batches(RinPredictor)` on two local workers gives `rin extract`'s results."""

from __future__ import annotations

import json

import pytest

ray = pytest.importorskip("ray")

from conftest import MODELS  # noqa: E402
from rin.ray_data import RinPredictor  # noqa: E402


@pytest.fixture(scope="module")
def local_ray():
    # Ray's start-up is the slow part (seconds): one instance, one test.
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_job_on_two_workers_gives_the_cli_triples(local_ray, cli_results):
    texts, expected = cli_results["webnlg-star"]
    dataset = ray.data.from_items([{"id": i, "text": text} for i, text in enumerate(texts)])
    extracted = dataset.map_batches(
        RinPredictor,
        fn_constructor_kwargs={"model_dir": str(MODELS["webnlg-star"])},
        concurrency=2,
        num_cpus=1,
        batch_size=10,
    )
    rows = sorted(extracted.take_all(), key=lambda row: row["id"])
    assert [row["id"] for row in rows] == list(range(len(texts)))
    assert sum(len(r["triples"]) for r in expected) > 0
    for row, want in zip(rows, expected):
        assert json.loads(row["rin"]) == want

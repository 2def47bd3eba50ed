"""Corpus-scale extraction on Ray Data, and its throughput against `rin extract` and rin.Extractor.

    python python/examples/ray_extract.py --model models/webnlg --data data/webnlg/test.json \
        --repeat 4 --workers 2

Reads the sentences of a data set (``--repeat`` times over, for a longer run), extracts them
three ways and prints sentences per second for each: the ``rin extract`` binary on a file of
lines, ``rin.Extractor`` in this process, and ``ray.data.from_items(...).map_batches(RinPredictor)``
on ``--workers`` workers of a local Ray instance (``ray.init(num_cpus=workers)``). Each way uses
the same number of ONNX Runtime threads per process (``--threads``); the binary and Extractor run
one process, Ray one per worker. It checks that the three give the same triples. On a cluster,
start Ray there and pass ``--address auto``: the ``map_batches`` call is the same.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import ray

import rin
from rin.ray_data import RinPredictor

REPO = Path(__file__).resolve().parents[2]


def sentences(path: Path, repeat: int) -> list:
    data = json.loads(path.read_text())
    texts = [s["text"] if "text" in s else " ".join(s["tokens"]) for s in data]
    return texts * repeat


def triples(result: dict) -> list:
    return [(t["subject"]["text"], t["relation"], t["object"]["text"]) for t in result["triples"]]


def run_cli(cli: Path, model: str, texts: list, threads: int) -> tuple:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "texts.txt"
        path.write_text("".join(t + "\n" for t in texts))
        start = time.perf_counter()
        done = subprocess.run(
            [str(cli), "-q", "extract", "-m", model, "--threads", str(threads), "--input", str(path)],
            capture_output=True, text=True, check=True,
        )
        seconds = time.perf_counter() - start
    return seconds, [json.loads(line) for line in done.stdout.splitlines()]


def run_extractor(model: str, texts: list, threads: int) -> tuple:
    start = time.perf_counter()
    extractor = rin.Extractor(model, threads=threads)
    results = extractor.extract(texts)
    return time.perf_counter() - start, results


def run_ray(model: str, texts: list, threads: int, workers: int, batch_size: int) -> tuple:
    start = time.perf_counter()
    dataset = ray.data.from_items([{"id": i, "text": t} for i, t in enumerate(texts)])
    extracted = dataset.map_batches(
        RinPredictor,
        fn_constructor_kwargs={"model_dir": model, "threads": threads},
        concurrency=workers,
        num_cpus=1,
        batch_size=batch_size,
    )
    rows = sorted(extracted.take_all(), key=lambda row: row["id"])
    return time.perf_counter() - start, [json.loads(row["rin"]) for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(REPO / "models" / "webnlg"))
    parser.add_argument("--data", default=str(REPO / "data" / "webnlg" / "test.json"))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="ONNX Runtime threads per process")
    parser.add_argument("--batch-size", type=int, default=256, help="texts per Ray batch")
    parser.add_argument("--cli", default=os.environ.get("RIN_CLI", str(REPO / "target" / "release" / "rin")))
    parser.add_argument("--address", default=None, help="a Ray cluster (auto); default: a local one")
    args = parser.parse_args()

    texts = sentences(Path(args.data), args.repeat)
    print(f"{len(texts)} texts from {args.data}, model {args.model}")
    cli_seconds, cli = run_cli(Path(args.cli), args.model, texts, args.threads)
    print(f"rin extract          {len(texts) / cli_seconds:8.1f} sentences/s  ({cli_seconds:.1f} s, 1 process, {args.threads} thread(s))")
    ext_seconds, ext = run_extractor(args.model, texts, args.threads)
    print(f"rin.Extractor        {len(texts) / ext_seconds:8.1f} sentences/s  ({ext_seconds:.1f} s, 1 process, {args.threads} thread(s))")
    if args.address:
        ray.init(address=args.address)
    else:
        ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
    ray_seconds, on_ray = run_ray(args.model, texts, args.threads, args.workers, args.batch_size)
    print(f"Ray Data map_batches {len(texts) / ray_seconds:8.1f} sentences/s  ({ray_seconds:.1f} s with start-up of {args.workers} workers)")
    same = [triples(r) for r in cli] == [triples(r) for r in ext] == [triples(r) for r in on_ray]
    print(f"same triples: {same}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

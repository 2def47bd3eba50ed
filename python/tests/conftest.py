"""Shared fixtures: the repository's models and data, and `rin extract`'s output to compare with.

Every expected value comes from running the `rin` binary on the same texts (never from numbers
written here): `$RIN_CLI`, else target/release/rin, else target/debug/rin.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

REPO = Path(__file__).resolve().parents[2]
MODELS = {"webnlg": REPO / "models" / "webnlg", "webnlg-star": REPO / "models" / "webnlg-star"}
# Sentences per model for the comparisons: the first N of the model's own test split.
SENTENCES = 100


def rin_cli() -> Path:
    explicit = os.environ.get("RIN_CLI")
    if explicit:
        return Path(explicit)
    for profile in ("release", "debug"):
        path = REPO / "target" / profile / "rin"
        if path.is_file():
            return path
    pytest.fail("no rin binary: build it (cargo build --release -p rin-runtime) or set RIN_CLI")


def sentences_of(model: str, n: int = SENTENCES) -> List[str]:
    """The first `n` sentences of the model's test split: the text (CasRel) or the tokens joined
    by spaces (JointER)."""
    data = json.loads((REPO / "data" / model / "test.json").read_text())
    return [s["text"] if "text" in s else " ".join(s["tokens"]) for s in data[:n]]


def run_cli(args: List[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(rin_cli()), "-q", *args], capture_output=True, text=True, check=False
    )


def cli_extract(model: Path, texts: List[str], tmp: Path) -> List[dict]:
    """`rin extract`'s JSON lines for `texts` (one per line of an input file)."""
    path = tmp / "texts.txt"
    path.write_text("".join(text + "\n" for text in texts))
    done = run_cli(["extract", "-m", str(model), "--input", str(path), "--format", "lines"])
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def cli_error(args: List[str]) -> str:
    """The message `rin` prints after `error: ` for a command that must fail."""
    done = run_cli(args)
    assert done.returncode != 0, f"rin {args} succeeded"
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    return errors[0][len("error: ") :]


@pytest.fixture(scope="session")
def cli_results(tmp_path_factory) -> Dict[str, Tuple[List[str], List[dict]]]:
    """Per shipped model: the test texts and `rin extract`'s results for them."""
    tmp = tmp_path_factory.mktemp("cli")
    results = {}
    for name, model in MODELS.items():
        texts = sentences_of(name)
        results[name] = (texts, cli_extract(model, texts, tmp))
    return results

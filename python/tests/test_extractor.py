"""rin.Extractor against `rin extract`: results, errors, and threads sharing one extractor."""

from __future__ import annotations

import json
import shutil
import threading

import pytest

import rin
from conftest import MODELS, REPO, cli_error, run_cli, sentences_of


@pytest.mark.parametrize("model", sorted(MODELS))
def test_extract_equals_rin_extract(model, cli_results):
    texts, expected = cli_results[model]
    results = rin.Extractor(MODELS[model]).extract(texts)
    assert sum(len(r["triples"]) for r in expected) > 0, "the CLI found no triple to compare"
    assert results == expected


def test_one_text_gives_one_result(cli_results):
    texts, expected = cli_results["webnlg"]
    extractor = rin.Extractor(MODELS["webnlg"])
    assert extractor.extract(texts[0]) == expected[0]
    assert extractor.extract("") == {"text": "", "tokens": [], "entities": [], "triples": []}


def test_four_threads_give_the_single_thread_results(cli_results):
    texts, expected = cli_results["webnlg"]
    extractor = rin.Extractor(MODELS["webnlg"], threads=1)
    single = extractor.extract(texts)
    assert single == expected
    results = [None] * 4
    errors = []

    def work(i: int) -> None:
        try:
            # Each thread runs every text, in a different order, at the same time as the others.
            order = texts[i:] + texts[:i]
            got = extractor.extract(order)
            results[i] = got[len(texts) - i :] + got[: len(texts) - i]
        except Exception as error:  # noqa: BLE001 (reported in the main thread)
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(result == single for result in results)


def test_missing_model_folder_is_the_cli_error(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(rin.RinError) as raised:
        rin.Extractor(missing)
    assert str(raised.value) == cli_error(["extract", "-m", str(missing), "text"])


def test_folder_without_manifest_is_the_cli_error(tmp_path):
    with pytest.raises(rin.RinError) as raised:
        rin.Extractor(tmp_path)
    assert str(raised.value) == cli_error(["extract", "-m", str(tmp_path), "text"])


def test_damaged_weights_are_the_cli_error(tmp_path):
    model = tmp_path / "model"
    shutil.copytree(MODELS["webnlg-star"], model)
    with open(model / "weights.bin", "r+b") as weights:
        weights.truncate(1000)
    with pytest.raises(rin.RinError) as raised:
        rin.Extractor(model)
    message = cli_error(["extract", "-m", str(model), "text"])
    assert "weights.bin" in message
    assert str(raised.value) == message


def test_unknown_k_is_the_cli_error():
    model = MODELS["webnlg-star"]
    with pytest.raises(rin.RinError) as raised:
        rin.Extractor(model, k=9)
    assert str(raised.value) == cli_error(["extract", "-m", str(model), "--k", "9", "text"])


def test_missing_plugin_is_the_cli_error(tmp_path):
    model = MODELS["webnlg"]
    with pytest.raises(rin.RinError) as raised:
        rin.Extractor(model, plugin_dir=tmp_path)
    expected = cli_error(["extract", "-m", str(model), "--plugin-dir", str(tmp_path), "text"])
    assert str(raised.value) == expected


def test_texts_must_be_strings():
    extractor = rin.Extractor(MODELS["webnlg-star"])
    with pytest.raises(TypeError):
        extractor.extract([b"bytes are not text"])
    with pytest.raises(TypeError):
        extractor.extract_json("one str, not a list")


def test_unknown_device_is_a_value_error():
    with pytest.raises(ValueError, match="device"):
        rin.Extractor(MODELS["webnlg-star"], device="tpu")


def test_int8_graphs_of_a_two_precision_folder_equal_rin_extract(tmp_path):
    folder = tmp_path / "both"
    done = run_cli(["export", str(MODELS["webnlg-star"] / "checkpoint"), "-o", str(folder),
                    "--k", "2", "--precision", "fp32,int8",
                    "--gate-data", str(REPO / "data" / "webnlg-star")])
    assert done.returncode == 0, done.stderr
    texts = sentences_of("webnlg-star", 20)
    extractor = rin.Extractor(folder, precision="int8")
    assert extractor.precision == "int8"
    assert rin.Extractor(folder).precision == "fp32", "fp32 is the default"
    path = tmp_path / "texts.txt"
    path.write_text("".join(text + "\n" for text in texts))
    done = run_cli(["extract", "-m", str(folder), "--precision", "int8", "--input", str(path),
                    "--format", "lines"])
    assert done.returncode == 0, done.stderr
    assert extractor.extract(texts) == [json.loads(line) for line in done.stdout.splitlines()]


def test_absent_precision_is_the_cli_error():
    model = MODELS["webnlg"]
    with pytest.raises(rin.RinError) as raised:
        rin.Extractor(model, precision="int8")
    expected = cli_error(["extract", "-m", str(model), "--precision", "int8", "text"])
    assert str(raised.value) == expected


def test_unknown_precision_is_a_value_error():
    with pytest.raises(ValueError, match="precision"):
        rin.Extractor(MODELS["webnlg-star"], precision="fp8")

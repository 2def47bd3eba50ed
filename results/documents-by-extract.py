#!/usr/bin/env python3
"""The documents measure as a user gets it: `rin extract` (english segmenter, perceptron tags,
the model's reading plan) on a data set's texts one per line and N per line, string triples
scored per document against the union of its texts' gold triples (so both columns count a
triple stated twice in one document once).

It also gives the gap's 95% bootstrap interval over documents (2,000 resamples, seed 1).

usage: python3 results/documents-by-extract.py MODEL DATA.json [N]   (DATA: JointER format, `spo_list`)
  e.g. python3 results/documents-by-extract.py models/webnlg data/webnlg/test.json 5
Run from the repository root after `cargo build --release --workspace`.
"""
import json
import random
import subprocess
import sys


def extract(model, lines):
    out = subprocess.run(
        ["target/release/rin", "extract", "-m", model, "--tokenizer", "whitespace", "--threads", "1",
         "-q", "--format", "lines"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, check=True).stdout
    return [{(t["subject"]["text"], t["relation"], t["object"]["text"]) for t in json.loads(l)["triples"]}
            for l in out.splitlines()]


def f1(predicted, gold):
    correct = sum(len(p & g) for p, g in zip(predicted, gold))
    p = correct / sum(map(len, predicted))
    r = correct / sum(map(len, gold))
    return 100 * 2 * p * r / (p + r)


def main(model, data, n=5):
    texts = json.load(open(data))
    documents = [texts[i:i + n] for i in range(0, len(texts), n)]
    gold = [{tuple(t) for s in d for t in s["spo_list"]} for d in documents]
    one = extract(model, [" ".join(s["tokens"]) for s in texts])
    one_per_document = [set().union(*one[i:i + n]) for i in range(0, len(texts), n)]
    joined = extract(model, [" ".join(" ".join(s["tokens"]) for s in d) for d in documents])
    one_f1, joined_f1 = f1(one_per_document, gold), f1(joined, gold)
    print(f"one per line {one_f1:.2f}, {n} per line {joined_f1:.2f}, gap {one_f1 - joined_f1:.2f}")
    rng = random.Random(1)
    gaps = []
    for _ in range(2000):
        drawn = [rng.randrange(len(documents)) for _ in documents]
        pick = lambda sets: [sets[i] for i in drawn]
        gaps.append(f1(pick(one_per_document), pick(gold)) - f1(pick(joined), pick(gold)))
    gaps.sort()
    print(f"gap 95% interval over {len(documents)} documents: {gaps[49]:.2f} to {gaps[1949]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:4]))

#!/usr/bin/env python3
"""Test-time name normalisation, a trial (issue 14): each word of a found entity that no WebNLG
training sentence has is replaced by its nearest training-entity word (GloVe cosine), and the
sentence is read again; the spans map back token for token.

usage: python3 results/name-normalisation.py MODEL DATA.json GLOVE.txt.gz
(GLOVE: the full file, `cargo xtask glove-full`; run from the repository root after
`cargo build --release`). Prints triple P / R / F1 (string triples) before and after.
"""
import gzip
import json
import subprocess
import sys

import numpy as np


def extract(model, lines):
    out = subprocess.run(
        ["target/release/rin", "extract", "-m", model, "--tokenizer", "whitespace",
         "--segmenter", "lines", "--threads", "1", "--output", "json"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def score(gold, predictions):
    correct = predicted = wanted = 0
    for sentence, result in zip(gold, predictions):
        tokens = sentence["tokens"]
        text = lambda span: " ".join(tokens[span["tokens"][0]:span["tokens"][1]])
        expected = {tuple(t) for t in sentence["spo_list"]}
        found = {(text(t["subject"]), t["relation"], text(t["object"])) for t in result["triples"]}
        correct += len(expected & found)
        predicted += len(found)
        wanted += len(expected)
    p, r = correct / predicted, correct / wanted
    return f"{100 * p:.2f} / {100 * r:.2f} / {200 * p * r / (p + r):.2f}"


def main(model, data, glove):
    train = json.load(open("data/webnlg/train.json"))
    train_words = {t.lower() for s in train for t in s["tokens"]}
    entity_words = {t.lower() for s in train for d in s["spo_details"]
                    for a, b in ((d[0], d[1]), (d[4], d[5])) for t in s["tokens"][a:b]
                    if t.isalpha()}
    gold = json.load(open(data))
    unseen = {t.lower() for s in gold for t in s["tokens"]} - train_words
    vectors = {}
    with gzip.open(glove, "rt") as f:
        for line in f:
            word, rest = line.split(" ", 1)
            if word in entity_words or word in unseen:
                vectors[word] = np.array(rest.split(), dtype=np.float32)
    names = sorted(w for w in entity_words if w in vectors)
    table = np.stack([vectors[w] for w in names])
    table /= np.linalg.norm(table, axis=1, keepdims=True)

    def nearest(word):
        if word not in vectors:
            return None
        return names[int(np.argmax(table @ (vectors[word] / np.linalg.norm(vectors[word]))))]

    first = extract(model, [" ".join(s["tokens"]) for s in gold])
    normalised, replaced = [], 0
    for sentence, result in zip(gold, first):
        tokens = list(sentence["tokens"])
        for entity in result["entities"]:
            for i in range(*entity["tokens"]):
                word = tokens[i]
                if word.isalpha() and word.lower() not in train_words:
                    near = nearest(word.lower())
                    if near:
                        tokens[i] = near.capitalize() if word[0].isupper() else near
                        replaced += 1
        normalised.append(" ".join(tokens))
    second = extract(model, normalised)
    print(f"{model} on {data}: {replaced} words replaced")
    print("  as written  ", score(gold, first))
    print("  normalised  ", score(gold, second))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])

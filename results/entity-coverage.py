#!/usr/bin/env python3
"""Share of gold entity words outside a vocabulary of the N most frequent GloVe words.

usage: python3 results/entity-coverage.py GLOVE.txt.gz N DATA.json...
(GLOVE: the full file, `cargo xtask glove-full`; N: as `rin-train --glove-words N`). Words are
looked up lower-cased, as rin does. Also prints the share that no WebNLG training sentence has.
"""
import gzip
import json
import sys


def main(glove, n, files):
    vocab = set()
    with gzip.open(glove, "rt") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            vocab.add(line.split(" ", 1)[0])
    train = {t.lower() for s in json.load(open("data/webnlg/train.json")) for t in s["tokens"]}
    for path in files:
        words = []
        for s in json.load(open(path)):
            positions = set()
            for d in s["spo_details"]:
                positions.update(range(d[0], d[1]))
                positions.update(range(d[4], d[5]))
            words += [s["tokens"][i].lower() for i in sorted(positions)]
        outside = sum(w not in vocab for w in words)
        unseen = sum(w not in train for w in words)
        print(f"{path}: {len(words)} entity words, {100 * outside / len(words):.1f}% outside the "
              f"first {n} GloVe words, {100 * unseen / len(words):.1f}% in no training sentence")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])

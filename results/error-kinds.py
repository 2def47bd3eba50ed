#!/usr/bin/env python3
"""Sorts a model's missed gold triples by why they were missed.

usage: python3 results/error-kinds.py GOLD.json PREDICTIONS.jsonl
GOLD.json is a data file with `tokens` and `spo_list` (data/webnlg/test.json,
data/ood/name-swapped/test.json); PREDICTIONS.jsonl is `rin extract --output json` on its
sentences, one per line, in order:

  python3 -c "import json,sys; [print(' '.join(r['tokens'])) for r in json.load(open(sys.argv[1]))]" GOLD.json > in.txt
  target/release/rin extract -m MODEL --tokenizer whitespace --segmenter lines -i in.txt --output json > out.jsonl

Triples are compared as strings. A missed triple is a "wrong relation" when the model linked the
same subject and object with another relation, "reversed" when it linked them the other way,
"no link" when it found both entities (as strings) but linked them by nothing, else "entity
missed" (an entity not found or found with other bounds, including gold the tagging cannot
represent).
"""
import collections
import json
import sys


def main(gold_path, predicted_path):
    gold = json.load(open(gold_path))
    predicted = [json.loads(line) for line in open(predicted_path)]
    if len(gold) != len(predicted):
        sys.exit(f"{len(gold)} gold sentences but {len(predicted)} predictions")
    kinds = collections.Counter()
    swaps = collections.Counter()
    for g, p in zip(gold, predicted):
        gold_triples = {tuple(t) for t in g["spo_list"]}
        found = {(t["subject"]["text"], t["relation"], t["object"]["text"]) for t in p["triples"]}
        entities = {e["text"] for e in p["entities"]}
        linked = {(s, o): r for s, r, o in found}
        kinds["gold"] += len(gold_triples)
        kinds["correct"] += len(gold_triples & found)
        kinds["false"] += len(found - gold_triples)
        for s, r, o in gold_triples - found:
            if (s, o) in linked:
                kinds["wrong relation"] += 1
                swaps[(r, linked[(s, o)])] += 1
            elif (o, s) in linked:
                kinds["reversed"] += 1
            elif s in entities and o in entities:
                kinds["no link"] += 1
            else:
                kinds["entity missed"] += 1
    order = ["gold", "correct", "false", "entity missed", "no link", "wrong relation", "reversed"]
    print(" | ".join(f"{k} {kinds[k]}" for k in order))
    print("most frequent wrong relations (gold -> predicted):",
          ", ".join(f"{a} -> {b} {n}" for (a, b), n in swaps.most_common(5)))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])

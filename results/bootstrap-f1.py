#!/usr/bin/env python3
"""Triple F1 of a model on a data set, with a 95% bootstrap interval over sentences.

usage: python3 results/bootstrap-f1.py GOLD.json PREDICTIONS.jsonl [--against OTHER.jsonl] [--resamples N] [--seed S]

GOLD.json is a data file with `tokens` and `spo_list` (data/ood/handwritten/test.json);
PREDICTIONS.jsonl is `rin extract --output json` on its sentences, one per line, in order:

  python3 -c "import json,sys; [print(' '.join(r['tokens'])) for r in json.load(open(sys.argv[1]))]" GOLD.json > in.txt
  target/release/rin extract -m MODEL --tokenizer whitespace --segmenter lines -i in.txt --output json > out.jsonl

Triples are compared as strings (exact match), as `rin eval` scores them. The sentences are drawn
with replacement N times (default 10,000) and F1 recomputed from the drawn sentences' counts: the
2.5th and 97.5th percentiles are the interval, which says how far a set of this size can move a
figure by the choice of sentences alone. With --against (another model's predictions on the same
sentences) it also gives the paired interval of the difference, PREDICTIONS minus OTHER, drawn on
the same sentences for both.
"""
import argparse
import json
import random


def counts(gold_path, predicted_path):
    gold = json.load(open(gold_path))
    predicted = [json.loads(line) for line in open(predicted_path)]
    if len(gold) != len(predicted):
        raise SystemExit(f"{len(gold)} gold sentences but {len(predicted)} predictions")
    rows = []
    for g, p in zip(gold, predicted):
        want = {tuple(t) for t in g["spo_list"]}
        got = {(t["subject"]["text"], t["relation"], t["object"]["text"]) for t in p["triples"]}
        rows.append((len(want & got), len(got), len(want)))
    return rows


def f1(rows):
    correct = sum(r[0] for r in rows)
    predicted = sum(r[1] for r in rows)
    gold = sum(r[2] for r in rows)
    if correct == 0:
        return 0.0
    precision, recall = correct / predicted, correct / gold
    return 2 * precision * recall / (precision + recall)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("gold")
    parser.add_argument("predictions")
    parser.add_argument("--against", help="another model's predictions, for the paired difference")
    parser.add_argument("--resamples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = counts(args.gold, args.predictions)
    other = counts(args.gold, args.against) if args.against else None
    rng = random.Random(args.seed)
    draws, differences = [], []
    for _ in range(args.resamples):
        picked = rng.choices(range(len(rows)), k=len(rows))
        draws.append(f1([rows[i] for i in picked]))
        if other:
            differences.append(draws[-1] - f1([other[i] for i in picked]))
    low, high = interval(draws)
    print(
        f"F1 {100 * f1(rows):.2f}, 95% interval {100 * low:.2f}-{100 * high:.2f} "
        f"({len(rows)} sentences, {sum(r[2] for r in rows)} gold triples, {args.resamples} resamples)"
    )
    if other:
        low, high = interval(differences)
        print(
            f"against {args.against}: F1 {100 * f1(other):.2f}, difference "
            f"{100 * (f1(rows) - f1(other)):+.2f}, paired 95% interval {100 * low:+.2f} to {100 * high:+.2f}"
        )


def interval(values):
    values = sorted(values)
    return values[int(0.025 * len(values))], values[int(0.975 * len(values)) - 1]


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Dev curves of runs side by side: the mean of each 5-epoch window of in-domain dev triple F1 and,
where the run recorded one (`rin-train --watch-dev`), of the watched dev set's, as a Markdown table.
Single epochs move by a point or two; the windows compare runs at equal training.

usage: python3 results/curves.py RUN_DIR...   (folders holding metrics.jsonl, e.g. results/runs/X)
"""
import json
import sys


def windows(run, last_epoch):
    scores = {}
    for line in open(f"{run}/metrics.jsonl"):
        m = json.loads(line)
        watch = m.get("watch_dev", {}).get("triples", {}).get("f1")
        scores[m["epoch"]] = (100 * m["dev"]["triples"]["f1"], None if watch is None else 100 * watch)
    cells = []
    for end in range(10, last_epoch + 1, 10):
        window = [scores[e] for e in range(end - 4, end + 1) if e in scores]
        if len(window) < 5:
            cells.append("")
            continue
        dev = sum(d for d, _ in window) / 5
        if any(w is None for _, w in window):
            cells.append(f"{dev:.1f}")
        else:
            cells.append(f"{dev:.1f} / {sum(w for _, w in window) / 5:.1f}")
    return cells


def main(runs):
    last = 0
    for run in runs:
        for line in open(f"{run}/metrics.jsonl"):
            last = max(last, json.loads(line)["epoch"])
    last = last - last % 10
    print("| run | " + " | ".join(f"{e - 4}-{e}" for e in range(10, last + 1, 10)) + " |")
    print("|---" * (1 + last // 10) + "|")
    for run in runs:
        print(f"| {run.rstrip('/').split('/')[-1]} | " + " | ".join(windows(run, last)) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])

#!/usr/bin/env python3
"""A weight soup: the uniform mean of the weights of checkpoints that share one ancestor
(Wortsman et al. 2022, "Model soups"), written as a checkpoint folder `rin export` reads.

usage: python3 results/weight-soup.py OUT CHECKPOINT CHECKPOINT [...]
  e.g. python3 results/weight-soup.py /tmp/soup-AS models/webnlg/checkpoint /tmp/s11
       results/candidate.sh exact /tmp/soup-AS --word-table fp16

Every checkpoint must have the same model shape, words and relations (the script refuses
others). OUT gets the mean weights and the first checkpoint's checkpoint.json without its train
state and dev scores. Needs `pip install safetensors numpy` (not in the project's environment:
an experiment of session 16, RESULTS.md, not a shipped feature).
"""
import json
import os
import sys

from safetensors.numpy import load_file, save_file


def main(out, dirs):
    if len(dirs) < 2:
        raise SystemExit("give OUT and at least two checkpoint folders")
    weights = [load_file(os.path.join(d, "model.safetensors")) for d in dirs]
    metas = [json.load(open(os.path.join(d, "checkpoint.json"))) for d in dirs]
    for d, meta, w in zip(dirs[1:], metas[1:], weights[1:]):
        for key in ("model", "words", "relations"):
            if meta[key] != metas[0][key]:
                raise SystemExit(f"{d}: its {key} differ from {dirs[0]}'s")
        if sorted(w) != sorted(weights[0]):
            raise SystemExit(f"{d}: its tensors differ from {dirs[0]}'s")
    mean = {k: (sum(w[k] for w in weights) / len(weights)).astype(weights[0][k].dtype)
            for k in weights[0]}
    os.makedirs(out, exist_ok=True)
    save_file(mean, os.path.join(out, "model.safetensors"))
    meta = dict(metas[0])
    meta.pop("progress", None)
    meta["averaged"] = None
    meta["dev"] = None  # the first checkpoint's dev scores are not the soup's
    json.dump(meta, open(os.path.join(out, "checkpoint.json"), "w"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])

#!/usr/bin/env python3
"""Issue 13, a reading tried and not built: a later sentence's entity whose words are a strict
part of an entity named in the sentence before ("Ireland" after "the Republic of Ireland", "Shepard"
after "Alan Shepard") taken as that entity in the triples (not when the short form itself was
named as an entity earlier, nor when the longer one holds punctuation). Scores the documents
measure of results/documents-by-extract.py with and without it, on string triples.

usage: python3 results/short-mentions.py MODEL DATA.json [N]
  e.g. python3 results/short-mentions.py models/webnlg data/webnlg/dev.json 5
Run from the repository root after `cargo build --release --workspace`.
"""
import importlib.util
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("documents", os.path.join(here, "documents-by-extract.py"))
documents = importlib.util.module_from_spec(spec)
spec.loader.exec_module(documents)


def extract(model, lines):
    out = subprocess.run(
        ["target/release/rin", "extract", "-m", model, "--tokenizer", "whitespace", "--threads", "1",
         "-q", "--format", "lines"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def triples(result, rewrite):
    words = [t["text"] for t in result["tokens"]]
    sentence_of = lambda start: sum(1 for s in result["sentences"] if s[0] <= start) - 1
    span = lambda e: words[e["tokens"][0]:e["tokens"][1]]

    def name(e):
        if not rewrite:
            return e["text"]
        short, here = span(e), sentence_of(e["start"])
        before = [c for c in result["entities"] if sentence_of(c["start"]) == here - 1]
        if any(c["text"] == e["text"] for c in result["entities"] if sentence_of(c["start"]) < here):
            return e["text"]
        for c in sorted(before, key=lambda c: -c["start"]):
            long = span(c)
            if len(long) > len(short) and all(w[:1].isalnum() for w in long) and any(
                    long[i:i + len(short)] == short for i in range(len(long) - len(short) + 1)):
                return c["text"]
        return e["text"]

    return {(name(t["subject"]), t["relation"], name(t["object"])) for t in result["triples"]}


def main(model, data, n=5):
    texts = json.load(open(data))
    gold = [{tuple(t) for s in texts[i:i + n] for t in s["spo_list"]} for i in range(0, len(texts), n)]
    one = extract(model, [" ".join(s["tokens"]) for s in texts])
    joined = extract(model, [" ".join(" ".join(s["tokens"]) for s in texts[i:i + n])
                             for i in range(0, len(texts), n)])
    for rewrite in (False, True):
        per_text = [triples(r, rewrite) for r in one]
        per_document = [set().union(*per_text[i:i + n]) for i in range(0, len(texts), n)]
        a = documents.f1(per_document, gold)
        b = documents.f1([triples(r, rewrite) for r in joined], gold)
        print(f"{'short forms taken as the longer' if rewrite else 'as read'}: one per line {a:.2f}, "
              f"{n} per line {b:.2f}, gap {a - b:.2f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:4]))

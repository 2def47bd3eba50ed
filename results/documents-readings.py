#!/usr/bin/env python3
"""Other readings of documents, tried on dev for issue 13 (session 19; none built into rin).

The runtime's reading (`links: orphans`, pronoun continuation) is emulated with `rin extract
--segmenter lines` on the pieces it reads: a document is cut into sentences by the english
segmenter, sentences join the text before them when they open with a pronoun (within 80 tokens
and 4 sentences), each text is read alone, and a pair of adjacent texts is read together where the
later one left an entity unlinked, adding the triples that link such an entity to the text before
at >= 0.9. Variants:
  base       that reading (it scores within a few tenths of `rin eval --documents 5`)
  context    every text after the first read with the text before it as context, keeping from that
             reading the triples inside the later text (and the orphan links)
  short      where a text names an entity by a short form of an entity of the text before
             ("Accademia" after "Accademia di Architettura di Mendrisio"), the two texts are read
             together and the short form's triples are replaced by the joint reading's triples with
             the long form, where that reading has them at >= 0.9
  part=T     texts read in parts of a document decoded at relation threshold T
Scores: string triples per document against the union of its texts' gold (as
results/documents-by-extract.py), exact and by entities' last words.

usage: python3 results/documents-readings.py MODEL DATA.json VARIANT...   (from the repository root)
  e.g. python3 results/documents-readings.py models/webnlg data/webnlg/dev.json base context short part=0.5
"""
import json
import subprocess
import sys

ANAPHORA = {"it", "its", "he", "his", "she", "her", "they", "their", "this", "these", "those",
            "also", "one", "both"}
JOINT = 0.9


def run(model, lines, extra=()):
    out = subprocess.run(
        ["target/release/rin", "extract", "-m", model, "--tokenizer", "whitespace", "--threads", "1",
         "-q", "--format", "lines", *extra],
        input="\n".join(lines) + "\n", capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def read(model, lines, offsets, extra=()):
    """(triples as (subject span, relation, object span, score), entity spans), spans shifted."""
    out = []
    for o, a in zip(run(model, lines, ("--segmenter", "lines", *extra)), offsets):
        shift = lambda span: (span[0] + a, span[1] + a)
        out.append(([(shift(t["subject"]["tokens"]), t["relation"], shift(t["object"]["tokens"]),
                      t["score"]) for t in o["triples"]], [shift(e["tokens"]) for e in o["entities"]]))
    return out


def plan(tokens, starts):
    n = len(tokens)
    sentences = list(zip(starts, starts[1:] + [n]))
    if n <= 80 and len(sentences) <= 4:
        return [(0, n)]
    texts = []
    for a, b in sentences:
        if texts and b - texts[-1][0] <= 80 and texts[-1][2] < 4 and tokens[a].lower() in ANAPHORA:
            texts[-1] = (texts[-1][0], b, texts[-1][2] + 1)
        else:
            texts.append((a, b, 1))
    return [(a, b) for a, b, _ in texts]


def contains(long, short):
    return len(short) < len(long) and any(
        long[k:k + len(short)] == short for k in range(len(long) - len(short) + 1))


def read_documents(model, lines, variant):
    tokens = [line.split() for line in lines]
    plans = []
    for toks, o in zip(tokens, run(model, lines)):
        starts = [t["start"] for t in o["tokens"]]
        plans.append(plan(toks, [starts.index(a) for a, _ in o["sentences"]]))
    part = ("--threshold", variant[5:]) if variant.startswith("part=") else ()
    # Texts read whole (one piece) keep the manifest's threshold; part=T applies to the parts.
    own = {}
    for parts, extra in ((False, ()), (True, part)):
        pieces = [(d, a, b) for d, p in enumerate(plans) if (len(p) > 1) == parts for a, b in p]
        own.update({(d, a): r for (d, a, b), r in zip(pieces, read(
            model, [" ".join(tokens[d][a:b]) for d, a, b in pieces], [a for _, a, _ in pieces], extra))})
    pairs = [(d, p[i - 1][0], p[i][0], p[i][1]) for d, p in enumerate(plans) for i in range(1, len(p))]
    joint = {}
    if variant in ("context", "short"):
        joint = {(d, m): r for (d, a, m, b), r in zip(pairs, read(
            model, [" ".join(tokens[d][a:b]) for d, a, m, b in pairs], [a for _, a, _, _ in pairs]))}
    documents = []
    for d, p in enumerate(plans):
        triples, entities = set(), set()
        for i, (a, b) in enumerate(p):
            found, names = own[(d, a)]
            if variant == "context" and i > 0:
                inside = lambda span: a <= span[0] and span[1] <= b
                found = [t for t in joint[(d, a)][0] if inside(t[0]) and inside(t[2])]
                names = [e for e in joint[(d, a)][1] if inside(e)]
            triples |= {(s, r, o) for s, r, o, _ in found}
            entities |= set(names)
        linked = {s for s, _, o in triples} | {o for s, _, o in triples}
        documents.append((triples, entities - linked))
    orphan_pairs = [(d, a, m, b) for d, a, m, b in pairs
                    if b - a <= 200 and any(m <= e[0] < b for e in documents[d][1])]
    if variant == "context":
        readings = [joint[(d, m)] for d, a, m, b in orphan_pairs]
    else:
        readings = read(model, [" ".join(tokens[d][a:b]) for d, a, m, b in orphan_pairs],
                        [a for _, a, _, _ in orphan_pairs])
    for (d, a, m, b), (found, _) in zip(orphan_pairs, readings):
        triples, unlinked = documents[d]
        for s, r, o, score in found:
            later = s if s[0] >= m else o
            if score >= JOINT and (s[0] < m) != (o[0] < m) and later in unlinked:
                triples.add((s, r, o))
    if variant == "short":
        for d, a, m, b in pairs:
            toks, (triples, _) = tokens[d], documents[d]
            text = lambda span: tuple(toks[span[0]:span[1]])
            before = {text(e): e for e in own[(d, a)][1]}
            longer = {e: [E for name, E in before.items() if contains(name, text(e))]
                      for e in own[(d, m)][1] if text(e) not in before}
            for s, r, o in list(triples):
                for short, other in ((s, o), (o, s)):
                    if longer.get(short) and m <= other[0] < b:
                        found = [(js, jr, jo) for js, jr, jo, score in joint[(d, m)][0]
                                 if score >= JOINT and other in (js, jo)
                                 and ({js, jo} - {other}) & set(longer[short])]
                        if found:
                            triples.discard((s, r, o))
                            triples.update(found)
    return [{(" ".join(tokens[d][s[0]:s[1]]), r, " ".join(tokens[d][o[0]:o[1]])) for s, r, o in t}
            for d, (t, _) in enumerate(documents)]


def f1(predicted, gold):
    correct = sum(len(p & g) for p, g in zip(predicted, gold))
    p, r = correct / sum(map(len, predicted)), correct / sum(map(len, gold))
    return 100 * 2 * p * r / (p + r)


def last_words(sets):
    return [{(s.split()[-1], r, o.split()[-1]) for s, r, o in x} for x in sets]


def main(model, data, *variants, n=5):
    texts = json.load(open(data))
    documents = [texts[i:i + n] for i in range(0, len(texts), n)]
    gold = [{tuple(t) for s in d for t in s["spo_list"]} for d in documents]
    one = read_documents(model, [" ".join(s["tokens"]) for s in texts], "base")
    one = [set().union(*one[i:i + n]) for i in range(0, len(texts), n)]
    joined = [" ".join(" ".join(s["tokens"]) for s in d) for d in documents]
    print(f"one per line: exact {f1(one, gold):.2f}, last words {f1(last_words(one), last_words(gold)):.2f}")
    for variant in variants or ("base",):
        got = read_documents(model, joined, variant)
        exact, last = f1(got, gold), f1(last_words(got), last_words(gold))
        print(f"{n} per line, {variant}: exact {exact:.2f} (gap {f1(one, gold) - exact:.2f}), "
              f"last words {last:.2f} (gap {f1(last_words(one), last_words(gold)) - last:.2f})")


if __name__ == "__main__":
    main(*sys.argv[1:])

"""Sentence boundary P/R/F1 of pysbd on UD English EWT documents, the texts that
`cargo run --release -p rin-plugin-english --example segment_eval -- FILE.conllu` scores rin's
`english` segmenter on: each `# newdoc` document's `# text` lines joined by spaces; a predicted
sentence end is correct where a gold sentence ends.

    pip install pysbd==0.3.4     # not part of rin's set-up: a comparison only
    python benchmarks/segmenters.py ../shared/pos/ud-ewt/en_ewt-ud-test.conllu
"""
import sys

import pysbd


def documents(path):
    docs = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("# newdoc") or (not docs and line.startswith("# text")):
            docs.append([])
        if line.startswith("# text = ") and docs:
            docs[-1].append(line[len("# text = "):].strip())
    return [d for d in docs if d]


def main():
    path = sys.argv[1]
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    gold_n = predicted_n = correct = 0
    for doc in documents(path):
        text, gold = "", set()
        for sentence in doc:
            if text:
                text += " "
            text += sentence
            gold.add(len(text))
        predicted = {span.start + len(span.sent.rstrip()) for span in segmenter.segment(text)}
        correct += len(predicted & gold)
        gold_n += len(gold)
        predicted_n += len(predicted)
    p, r = correct / predicted_n, correct / gold_n
    print(f"pysbd {pysbd.__version__ if hasattr(pysbd, '__version__') else ''} on {path}: {gold_n} gold sentences, "
          f"{predicted_n} predicted, {correct} correct: P {p:.4f} R {r:.4f} F1 {2 * p * r / (p + r):.4f}")


if __name__ == "__main__":
    main()

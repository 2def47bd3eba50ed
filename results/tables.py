"""Rebuilds the ablation and K tables of RESULTS.md, the Figure 3 plot and the Welch tests from
the committed run records alone (issue 20).

Each run folder's best/checkpoint.json says what was trained (data, K, interaction, POS, seed,
extra vocabulary); eval_test.json and eval_dev.json (rin-train eval --json) give its scores; a run
without them is listed as unfinished with its last epoch and best dev F1 from metrics.jsonl. The
shipped models' checkpoints (models/*/checkpoint, scored in models/*/trainer_eval_test.json) are
seed-1 runs too, unless one is a kept run's best (the same weights), counted once.

    python3 results/tables.py                               # Markdown tables on stdout
    python3 results/tables.py --plot results/figure3.svg    # also writes Figure 3 (F1 against K)
"""
import argparse
import hashlib
import json
import statistics
from pathlib import Path

import welch

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "results" / "runs"
# docs/MODEL.md, "The paper's figures": WebNLG exact match (Table 1 and Table 5).
PAPER = {("webnlg", "RIN"): 77.0, ("webnlg", "w/o interaction (K = 0)"): 74.2,
         ("webnlg", "w/o ER"): 76.4, ("webnlg", "w/o RC"): 76.0, ("webnlg", "w/o POS"): 76.6,
         ("webnlg-star", "RIN"): 87.3, ("webnlg-star", "w/o interaction (K = 0)"): 85.6}
# The paper's Figure 3 points this project knows (Table 1 and 5: K = 0 and the trained K = 3).
PAPER_K = {0: 74.2, 3: 77.0}
ABLATIONS = ["w/o ER", "w/o RC", "w/o POS", "w/o interaction (K = 0)"]


def variant(train, model):
    if train.get("glove_words"):
        subs = f" --substitute-neighbours {train['substitute_neighbours']}" if train.get(
            "substitute_neighbours") else ""
        frozen = " --freeze-vectors" if train.get("freeze_vectors") else ""
        unit = train.get("substitution_unit", "sentence")
        unit = f" --substitution-unit {unit}" if unit != "sentence" else ""
        retag = " --retag-pos" if train.get("retag_pos") else ""
        return (f"--glove-words {train['glove_words']} "
                f"--name-substitution {train.get('name_substitution', 0)}{subs}{frozen}{unit}{retag}")
    if train.get("init_from"):
        return f"fine-tuned from {train['init_from']}"
    if model["k"] == 0:
        return "w/o interaction (K = 0)"
    if train.get("pos_dim", 10) == 0:
        return "w/o POS"
    return {"no-er": "w/o ER", "no-rc": "w/o RC"}.get(str(model.get("interaction", "full")), "RIN")


def f1(path):
    return 100 * json.loads(path.read_text())["scores"]["triples"]["f1"] if path.is_file() else None


def weights_digest(checkpoint):
    return hashlib.sha256((checkpoint / "model.safetensors").read_bytes()).hexdigest()


def sources():
    """(name, checkpoint dir, eval_test.json, metrics.jsonl or None) of every kept run; a shipped
    model whose checkpoint is a kept run's best is that run, counted once."""
    kept = set()
    for run in sorted(RUNS.iterdir()):
        if (run / "best" / "checkpoint.json").is_file():
            kept.add(weights_digest(run / "best"))
            yield run.name, run / "best", run / "eval_test.json", run / "metrics.jsonl"
    for model in sorted((ROOT / "models").iterdir()):
        checkpoint = model / "checkpoint"
        if (checkpoint / "checkpoint.json").is_file() and weights_digest(checkpoint) not in kept:
            yield f"models/{model.name}", checkpoint, model / "trainer_eval_test.json", None


def collect():
    rows = {}
    for name, best, eval_test, metrics_path in sources():
        ckpt = json.loads((best / "checkpoint.json").read_text())
        train, model = ckpt["train"], ckpt["model"]
        key = (Path(train["data_dir"]).name, variant(train, model), model["k"])
        metrics = ([json.loads(l) for l in metrics_path.read_text().splitlines() if l.strip()]
                   if metrics_path and metrics_path.is_file() else [])
        rows.setdefault(key, []).append({
            "run": name, "seed": train.get("seed"), "test": f1(eval_test),
            "epochs": len(metrics) or ckpt.get("epoch"),
            "best_dev": 100 * max((m["dev"]["triples"]["f1"] for m in metrics), default=0.0),
        })
    return rows


def scores(runs):
    return [r["test"] for r in runs if r["test"] is not None]


def mean_std(xs):
    if len(xs) > 1:
        return f"{statistics.mean(xs):.2f} ± {statistics.stdev(xs):.2f}"
    return f"{xs[0]:.2f}" if xs else ""


def table(rows):
    print("| data | model | K | seeds (test F1) | mean ± std test F1 | paper | unfinished runs |")
    print("|---|---|---|---|---|---|---|")
    for (data, name, k), runs in sorted(rows.items()):
        done = [r for r in runs if r["test"] is not None]
        seeds = ", ".join(f"s{r['seed']} {r['test']:.2f}" for r in done)
        open_runs = ", ".join(f"{r['run']} (epoch {r['epochs']}, best dev {r['best_dev']:.2f})"
                              for r in runs if r["test"] is None)
        # The paper's RIN row is at the trained K (3 exact, 2 partial); other K are Figure 3's.
        trained_k = {"webnlg": 3, "webnlg-star": 2}.get(data)
        paper = "" if name == "RIN" and k != trained_k else PAPER.get((data, name), "")
        print(f"| {data} | {name} | {k} | {seeds} | {mean_std(scores(done))} | {paper} | {open_runs} |")


def welch_tests(rows):
    """Each ablation of WebNLG exact against RIN (K = 3), where both have two seeds or more."""
    full = scores(rows.get(("webnlg", "RIN", 3), []))
    print()
    print("| WebNLG exact | ours: RIN − variant | Welch t, df, two-sided p | paper: RIN − variant |")
    print("|---|---|---|---|")
    for name in ABLATIONS:
        k = 0 if name.startswith("w/o interaction") else 3
        other = scores(rows.get(("webnlg", name, k), []))
        paper = PAPER[("webnlg", "RIN")] - PAPER[("webnlg", name)]
        if len(full) < 2 or len(other) < 2:
            print(f"| {name} | seeds: {len(full)} and {len(other)} (two each needed) | | {paper:.1f} |")
            continue
        t, df, p = welch.welch(full, other)
        diff = statistics.mean(full) - statistics.mean(other)
        print(f"| {name} | {diff:.2f} | t = {t:.2f}, df = {df:.1f}, p = {p:.3f} | {paper:.1f} |")


def figure3(rows, path):
    """F1 against K on WebNLG exact (full interaction; K = 0 is 'w/o interaction'), ours (mean of
    seeds, each seed a dot) beside the paper's points, as SVG."""
    ours = {}
    for (data, name, k), runs in rows.items():
        if data == "webnlg" and (name == "RIN" or name.startswith("w/o interaction")):
            if scores(runs):
                ours[k] = scores(runs)
    width, height, left, bottom, top, right = 480, 320, 56, 44, 20, 130
    lo, hi = 70.0, 85.0
    ks = range(0, 6)

    def x(k):
        return left + k * (width - left - right) / 5

    def y(v):
        return top + (hi - v) * (height - top - bottom) / (hi - lo)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    for v in range(int(lo), int(hi) + 1, 5):
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                   f'stroke="#ddd"/><text x="{left - 6}" y="{y(v) + 4:.1f}" '
                   f'text-anchor="end">{v}</text>')
    for k in ks:
        out.append(f'<text x="{x(k):.1f}" y="{height - bottom + 16}" text-anchor="middle">{k}</text>')
    out.append(f'<text x="{(left + width - right) / 2:.1f}" y="{height - 8}" '
               f'text-anchor="middle">interaction layers K</text>')
    out.append(f'<text x="14" y="{(top + height - bottom) / 2:.1f}" text-anchor="middle" '
               f'transform="rotate(-90 14 {(top + height - bottom) / 2:.1f})">test triple F1</text>')
    for series, colour, points in (("ours (50-d GloVe)", "#1f77b4",
                                    {k: statistics.mean(v) for k, v in ours.items()}),
                                   ("paper (100-d)", "#d62728", PAPER_K)):
        pts = sorted(points.items())
        if len(pts) > 1:
            path_d = " ".join(f"{'M' if i == 0 else 'L'}{x(k):.1f},{y(v):.1f}"
                              for i, (k, v) in enumerate(pts))
            out.append(f'<path d="{path_d}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for k, v in pts:
            out.append(f'<circle cx="{x(k):.1f}" cy="{y(v):.1f}" r="4" fill="{colour}"/>')
        row = 0 if colour == "#1f77b4" else 1
        out.append(f'<circle cx="{width - right + 14}" cy="{top + 10 + 20 * row}" r="4" '
                   f'fill="{colour}"/><text x="{width - right + 24}" y="{top + 14 + 20 * row}">'
                   f'{series}</text>')
    for k, vs in ours.items():
        for v in vs:
            out.append(f'<circle cx="{x(k):.1f}" cy="{y(v):.1f}" r="2" fill="#1f77b4" '
                       f'fill-opacity="0.5"/>')
    out.append("</svg>")
    Path(path).write_text("\n".join(out) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", help="write Figure 3 (F1 against K, WebNLG exact) to this SVG")
    args = parser.parse_args()
    rows = collect()
    table(rows)
    welch_tests(rows)
    if args.plot:
        figure3(rows, args.plot)


if __name__ == "__main__":
    main()

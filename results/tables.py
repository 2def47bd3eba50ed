"""Rebuilds the ablation and K tables of RESULTS.md from results/runs alone (issue 20).

Each run folder's best/checkpoint.json says what was trained (data, K, interaction, POS, seed,
extra vocabulary); eval_test.json and eval_dev.json (rin-train eval --json) give its scores; a run
without them is listed as unfinished with its last epoch and best dev F1 from metrics.jsonl.

    python3 results/tables.py            # Markdown on stdout
"""
import json
import statistics
from pathlib import Path

RUNS = Path(__file__).resolve().parent / "runs"
# docs/MODEL.md, "The paper's figures": WebNLG exact match (Table 1 and Table 5).
PAPER = {("webnlg", "RIN"): 77.0, ("webnlg", "w/o interaction (K = 0)"): 74.2,
         ("webnlg", "w/o ER"): 76.4, ("webnlg", "w/o RC"): 76.0, ("webnlg", "w/o POS"): 76.6,
         ("webnlg-star", "RIN"): 87.3, ("webnlg-star", "w/o interaction (K = 0)"): 85.6}


def variant(train, model):
    if train.get("glove_words"):
        return f"--glove-words {train['glove_words']} --name-substitution {train.get('name_substitution', 0)}"
    if model["k"] == 0:
        return "w/o interaction (K = 0)"
    if train.get("pos_dim", 10) == 0:
        return "w/o POS"
    return {"no-er": "w/o ER", "no-rc": "w/o RC"}.get(str(model.get("interaction", "full")), "RIN")


def f1(path):
    return 100 * json.loads(path.read_text())["scores"]["triples"]["f1"] if path.is_file() else None


def main():
    rows = {}
    for run in sorted(p for p in RUNS.iterdir() if (p / "best" / "checkpoint.json").is_file()):
        ckpt = json.loads((run / "best" / "checkpoint.json").read_text())
        train, model = ckpt["train"], ckpt["model"]
        key = (Path(train["data_dir"]).name, variant(train, model), model["k"])
        metrics = [json.loads(l) for l in (run / "metrics.jsonl").read_text().splitlines() if l.strip()]
        rows.setdefault(key, []).append({
            "run": run.name, "seed": train.get("seed"), "test": f1(run / "eval_test.json"),
            "dev": f1(run / "eval_dev.json"), "epochs": len(metrics),
            "best_dev": 100 * max((m["dev"]["triples"]["f1"] for m in metrics), default=0.0),
        })
    print("| data | model | K | seeds (test F1) | mean ± std test F1 | paper | unfinished runs |")
    print("|---|---|---|---|---|---|---|")
    for (data, name, k), runs in sorted(rows.items()):
        done = [r for r in runs if r["test"] is not None]
        scores = [r["test"] for r in done]
        mean = (f"{statistics.mean(scores):.2f} ± {statistics.stdev(scores):.2f}" if len(scores) > 1
                else f"{scores[0]:.2f}" if scores else "")
        seeds = ", ".join(f"s{r['seed']} {r['test']:.2f}" for r in done)
        open_runs = ", ".join(f"{r['run']} (epoch {r['epochs']}, best dev {r['best_dev']:.2f})"
                              for r in runs if r["test"] is None)
        paper = PAPER.get((data, name), "")
        print(f"| {data} | {name} | {k} | {seeds} | {mean} | {paper} | {open_runs} |")


if __name__ == "__main__":
    main()

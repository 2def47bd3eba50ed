"""Each CUDA variant against the CPU dense reference: eval reports, and extracted entities and
triples line by line (with the largest score difference)."""
import json, sys
from pathlib import Path
w = Path(sys.argv[1])
ok = True
key = lambda e: sorted((t["subject"]["start"], t["subject"]["end"], t["relation"], t["object"]["start"], t["object"]["end"]) for t in e["triples"])
ents = lambda e: sorted((s["start"], s["end"]) for s in e["entities"])
for m in ("webnlg", "webnlg-star"):
    ref_eval = json.loads((w / f"eval_{m}_cpu_dense.json").read_text())
    ref_lines = [json.loads(l) for l in (w / f"extract_{m}_cpu_dense.jsonl").read_text().splitlines()]
    print(f"{m} cpu dense: {json.dumps(ref_eval.get('triples', ref_eval))[:200]}")
    for v in ("cuda_dense", "cuda_sparse"):
        try:
            e = json.loads((w / f"eval_{m}_{v}.json").read_text())
            strip = lambda r: {k: x for k, x in r.items() if k not in ("provider", "model")}
            same_eval = strip(e) == strip(ref_eval)
            lines = [json.loads(l) for l in (w / f"extract_{m}_{v}.jsonl").read_text().splitlines()]
            differ, worst, triples = 0, 0.0, 0
            for x, y in zip(ref_lines, lines):
                if key(x) != key(y) or ents(x) != ents(y):
                    differ += 1; continue
                order = lambda t: (t["subject"]["start"], t["relation"], t["object"]["start"])
                for s, t in zip(sorted(x["triples"], key=order), sorted(y["triples"], key=order)):
                    worst = max(worst, abs(s["score"] - t["score"]))
                triples += len(x["triples"])
            good = same_eval and differ == 0 and len(lines) == len(ref_lines) > 0
            ok &= good
            print(f"{m} {v}: eval counts equal the CPU's: {same_eval}; extract {len(lines)} lines, {triples} triples, "
                  f"lines that differ: {differ}, max |score diff| {worst:.2e}")
            if not same_eval:
                print(f"   {v}: {json.dumps(e.get('triples', e))[:200]}")
        except Exception as err:
            ok = False; print(f"{m} {v}: cannot compare: {err!r}")
print("ALL CUDA RESULTS EQUAL THE CPU'S" if ok else "CUDA RESULTS DIFFER FROM THE CPU'S")

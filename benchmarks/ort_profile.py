"""Batch-1 latency and an ONNX Runtime per-op profile of one graph of an export folder, on real
WebNLG test sentences (issue 17, BENCHMARKS.md "Where batch-1 time goes").

Usage: [PROF=prefix] [REPS=3] python ort_profile.py FOLDER GRAPH THREADS [all|ext|basic]
(run from the repository root; the venv of `cargo xtask setup` has onnxruntime).
"""
import json, sys, collections, onnxruntime as ort, numpy as np, time, os
d, graph, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
opt = sys.argv[4] if len(sys.argv) > 4 else "all"
m = json.load(open(f"{d}/manifest.json"))
words = {w: i for i, w in enumerate(m["words"])}
pos = {w: i for i, w in enumerate(m["pos"]["vocab"]["tokens"] if isinstance(m["pos"]["vocab"], dict) else m["pos"]["vocab"])} if m.get("pos") else {}
sents = json.load(open("data/webnlg/test.json"))[:200]
feeds = []
for s in sents:
    ids = np.array([[words.get(t.lower(), 1) for t in s["tokens"]]], dtype=np.int64)
    p = np.array([[pos.get(t, 1) for t in s["pos_tags"]]], dtype=np.int64)
    feeds.append({"word_ids": ids, "pos_ids": p, "lengths": np.array([ids.shape[1]], dtype=np.int32)})
print("mean tokens", np.mean([f["word_ids"].shape[1] for f in feeds]))
so = ort.SessionOptions(); so.intra_op_num_threads = threads; so.inter_op_num_threads = 1
so.graph_optimization_level = {"all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL, "ext": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED, "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC}[opt]
prof = os.environ.get("PROF")
if prof: so.enable_profiling = True; so.profile_file_prefix = prof
s = ort.InferenceSession(f"{d}/{graph}", so, providers=["CPUExecutionProvider"])
for f in feeds[:20]: s.run(None, f)
lat = []
for rep in range(int(os.environ.get("REPS", "3"))):
    for f in feeds:
        t = time.perf_counter(); s.run(None, f); lat.append(time.perf_counter() - t)
print(f"{d}/{graph} threads {threads} opt {opt}: p50 {np.median(lat)*1e3:.3f} ms, mean {np.mean(lat)*1e3:.3f} ms over {len(lat)}")
if prof:
    path = s.end_profiling()
    ev = json.load(open(path))
    by_op = collections.Counter(); by_node = collections.Counter(); total = 0; runs = 0
    for e in ev:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            by_op[e["args"]["op_name"]] += e["dur"]; by_node[e["name"][:-12]] += e["dur"]
        if e.get("cat") == "Session" and e["name"] == "model_run":
            total += e["dur"]; runs += 1
    nodes = sum(by_op.values())
    print(f"model_run mean {total/runs:.0f} us, node kernels {nodes/runs:.0f} us ({100*nodes/total:.0f}%)")
    for op, t in by_op.most_common(14): print(f"  {op:32s} {t/runs:8.1f} us {100*t/nodes:5.1f}%")
    print("  top nodes:")
    for op, t in by_node.most_common(12): print(f"    {op:60s} {t/runs:8.1f} us")

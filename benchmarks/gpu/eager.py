"""PyTorch eager on CUDA through benchmarks/pytorch_eager.py's request protocol: K=2, 30 tokens."""
import json, subprocess, sys, statistics, numpy as np
ckpt, out = sys.argv[1], sys.argv[2]
cfg = json.load(open(f"{ckpt}/checkpoint.json"))
rng = np.random.default_rng(1)
vocab = 3000
cases = []
for b in (1, 8, 64, 512):
    cases.append({"name": f"b{b}", "k": 2, "word_ids": rng.integers(2, vocab, (b, 30)).tolist(),
                  "pos_ids": rng.integers(1, 40, (b, 30)).tolist(), "lengths": [30] * b, "return_outputs": False})
import os
for dev in os.environ.get("EAGER_DEVICES", "cuda").split(","):
    req = {"checkpoint": ckpt, "threads": 16, "device": dev, "warmup": 10, "min_iterations": 20,
           "max_iterations": 1000, "seconds": float(os.environ.get("EAGER_SECONDS", "2")), "cases": cases}
    json.dump(req, open("/tmp/req.json", "w"))
    r = subprocess.run([sys.executable, "benchmarks/pytorch_eager.py", "--request", "/tmp/req.json", "--response", out])
    if r.returncode: sys.exit(r.returncode)
    resp = json.load(open(out))
    print("torch", resp.get("torch_version"), dev)
    for c, b in zip(resp["cases"], (1, 8, 64, 512)):
        lat = sorted(c["latencies_ns"]); p50 = lat[len(lat) // 2] / 1e6; mean = sum(lat) / len(lat) / 1e6
        print(f"pytorch eager {dev} K=2 b{b} n30: p50 {p50:.3f} ms, mean {mean:.3f} ms, {b * 1e3 / mean:.0f} sentences/s, n {len(lat)}")

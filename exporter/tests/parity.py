#!/usr/bin/env python3
"""Parity of exported RIN graphs against an independent reference.

Runs every graph of an export (manifest.json) in ONNX Runtime (CPU) and compares both outputs
with a NumPy forward pass of MODEL.md computed in float64 from the *checkpoint's* PyTorch-layout
weights (model.safetensors + checkpoint.json), so the check covers the exporter's weight
conversion (LSTM gate reordering, transposes) as well as the graph. Inputs: random batches with
mixed lengths and, with --sentences, real sentences (JointER/native JSON with tokens and
pos_tags, or CasRel JSON whose text is split on spaces), at batch sizes 1 and 7 (padding included). It also checks that padding never changes
a sentence's result (batch of 7 against each sentence alone) and that every graph of the export
loads from the one shared external-data file in a single process.

Usage: parity.py --checkpoint DIR --export DIR [--sentences FILE] [--seed N] [--tol 1e-4]
       [--json OUT]
Prints one line per (K, case) and exits 1 when a difference exceeds the tolerance.
Used by exporter/tests/it/python.rs (cargo test -p rin-exporter).
"""
import argparse
import json
import math
import struct
import sys

import numpy as np
import onnxruntime as ort


def worse(*values):
    """The largest of the differences, NaN if any is NaN (Python's max keeps whichever comes first
    when compared with NaN, so a NaN output would pass a tolerance check)."""
    return float("nan") if any(math.isnan(v) for v in values) else max(values)


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", (name, info["dtype"])
        start, end = info["data_offsets"]
        raw = np.frombuffer(data[base + start : base + end], dtype="<f4")
        out[name] = raw.reshape(info["shape"]).astype(np.float64)
    return out


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def lstm_direction(x, w_ih, w_hh, b_ih, b_hh):
    """PyTorch LSTM, gates i, f, g, o; x [L, in] -> [L, H]."""
    hidden = w_hh.shape[1]
    h = np.zeros(hidden)
    c = np.zeros(hidden)
    ys = []
    for t in range(x.shape[0]):
        g = w_ih @ x[t] + b_ih + w_hh @ h + b_hh
        i = sigmoid(g[:hidden])
        f = sigmoid(g[hidden : 2 * hidden])
        gg = np.tanh(g[2 * hidden : 3 * hidden])
        o = sigmoid(g[3 * hidden :])
        c = f * c + i * gg
        h = o * np.tanh(c)
        ys.append(h)
    return np.array(ys)


def gru_cell(p, cell, x, h):
    """PyTorch GRUCell on every row, gates r, z, n."""
    gi = x @ p[f"{cell}.weight_ih"].T + p[f"{cell}.bias_ih"]
    gh = h @ p[f"{cell}.weight_hh"].T + p[f"{cell}.bias_hh"]
    d = h.shape[-1]
    r = sigmoid(gi[..., :d] + gh[..., :d])
    z = sigmoid(gi[..., d : 2 * d] + gh[..., d : 2 * d])
    n = np.tanh(gi[..., 2 * d :] + r * gh[..., 2 * d :])
    return (1.0 - z) * n + z * h


def entity_probs(p, h):
    return softmax(h @ p["entity_head.weight"].T + p["entity_head.bias"])


def relation_logits(p, h):
    a = h @ p["relation_head.subject.weight"].T
    b = h @ p["relation_head.object.weight"].T + p["relation_head.hidden_bias"]
    hidden = np.maximum(a[:, None, :] + b[None, :, :], 0.0)
    return hidden @ p["relation_head.output.weight"].T + p["relation_head.output.bias"]


def reference(p, config, words, pos, length, k):
    """MODEL.md for one sentence padded to len(words): ([n, 5], [n, n, R])."""
    n = len(words)
    x = p["word_embedding.weight"][words[:length]]
    if config["pos_dim"] > 0 and config["pos_vocab"] > 0:
        x = np.concatenate([x, p["pos_embedding.weight"][pos[:length]]], axis=1)
    fwd = lstm_direction(x, p["lstm.weight_ih_l0"], p["lstm.weight_hh_l0"], p["lstm.bias_ih_l0"], p["lstm.bias_hh_l0"])
    bwd = lstm_direction(
        x[::-1],
        p["lstm.weight_ih_l0_reverse"],
        p["lstm.weight_hh_l0_reverse"],
        p["lstm.bias_ih_l0_reverse"],
        p["lstm.bias_hh_l0_reverse"],
    )[::-1]
    h = np.zeros((n, 2 * config["lstm_hidden"]))
    h[:length] = np.concatenate([fwd, bwd], axis=1)
    ye = entity_probs(p, h)
    yr = relation_logits(p, h)
    for _ in range(k):
        ybar = sigmoid(yr[:, :length, :].max(axis=1))  # max over valid objects j
        he = gru_cell(p, "gru_e", ye, h)
        hr = gru_cell(p, "gru_r", ybar, h)
        mode = config["interaction"]
        h = h + (he if mode != "no-er" else 0.0) + (hr if mode != "no-rc" else 0.0)
        ye = entity_probs(p, he)
        yr = relation_logits(p, hr)
    return ye, sigmoid(yr)


def torch_forward(p, config, words, pos, lengths, k):
    """The trainer's forward pass in PyTorch (float32): packed nn.LSTM, GRUCell, masked amax."""
    import torch

    t = {name: torch.tensor(v, dtype=torch.float32) for name, v in p.items()}
    words, pos = torch.tensor(words), torch.tensor(pos)
    n = words.shape[1]
    x = torch.nn.functional.embedding(words, t["word_embedding.weight"])
    if config["pos_dim"] > 0 and config["pos_vocab"] > 0:
        x = torch.cat([x, torch.nn.functional.embedding(pos, t["pos_embedding.weight"])], dim=2)
    lstm = torch.nn.LSTM(x.shape[2], config["lstm_hidden"], batch_first=True, bidirectional=True)
    gru_e = torch.nn.GRUCell(5, 2 * config["lstm_hidden"])
    gru_r = torch.nn.GRUCell(config["relations"], 2 * config["lstm_hidden"])
    with torch.no_grad():
        for name, param in lstm.named_parameters():
            param.copy_(t[f"lstm.{name}"])
        for cell, module in (("gru_e", gru_e), ("gru_r", gru_r)):
            for name, param in module.named_parameters():
                param.copy_(t[f"{cell}.{name}"])
        lens = torch.tensor(lengths, dtype=torch.int64)
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, lens, batch_first=True, enforce_sorted=False)
        h, _ = torch.nn.utils.rnn.pad_packed_sequence(lstm(packed)[0], batch_first=True, total_length=n)

        def entity(h):
            return torch.nn.functional.linear(h, t["entity_head.weight"], t["entity_head.bias"])

        def relation(h):
            a = torch.nn.functional.linear(h, t["relation_head.subject.weight"]).unsqueeze(2)
            b = torch.nn.functional.linear(h, t["relation_head.object.weight"], t["relation_head.hidden_bias"]).unsqueeze(1)
            return torch.nn.functional.linear(torch.relu(a + b), t["relation_head.output.weight"], t["relation_head.output.bias"])

        padded = (torch.arange(n)[None, :] >= lens[:, None]).view(-1, 1, n, 1)
        e, r = entity(h), relation(h)
        d = h.shape[-1]
        for _ in range(k):
            ybar = r.masked_fill(padded, float("-inf")).amax(2).sigmoid()
            he = gru_e(e.softmax(-1).reshape(-1, 5), h.reshape(-1, d)).view(h.shape)
            hr = gru_r(ybar.reshape(-1, ybar.shape[-1]), h.reshape(-1, d)).view(h.shape)
            mode = config["interaction"]
            h = h + (he if mode != "no-er" else 0.0) + (hr if mode != "no-rc" else 0.0)
            e, r = entity(he), relation(hr)
        return e.softmax(-1).numpy(), r.sigmoid().numpy()


def pad_batch(sentences):
    """sentences: list of (word_ids, pos_ids) -> padded int64 arrays and int32 lengths."""
    n = max(len(w) for w, _ in sentences)
    words = np.zeros((len(sentences), n), dtype=np.int64)
    pos = np.zeros((len(sentences), n), dtype=np.int64)
    lengths = np.array([len(w) for w, _ in sentences], dtype=np.int32)
    for b, (w, t) in enumerate(sentences):
        words[b, : len(w)] = w
        pos[b, : len(t)] = t
    return words, pos, lengths


def random_cases(rng, manifest):
    v_words = len(manifest["words"])
    v_pos = len(manifest["pos"]["vocab"]) if manifest["pos"] else 2

    def sentence(length):
        return rng.integers(1, v_words, size=length), rng.integers(1, v_pos, size=length)

    lengths7 = [11, 1, 7, 4, 11, 9, 2]
    return [
        ("random b=1", [sentence(9)]),
        ("random b=7", [sentence(length) for length in lengths7]),
    ]


def sentence_cases(path, manifest, count=7):
    with open(path) as f:
        text = f.read()
    records = json.loads(text) if text.lstrip().startswith("[") else [json.loads(l) for l in text.splitlines() if l.strip()]
    word_ids = {w: i for i, w in enumerate(manifest["words"])}
    pos_ids = {t: i for i, t in enumerate(manifest["pos"]["vocab"])} if manifest["pos"] else {}
    chosen = []
    for r in records:
        tokens = r["tokens"] if "tokens" in r else r["text"].split()
        tags = r.get("pos_tags") or ["UNK"] * len(tokens)
        chosen.append(([word_ids.get(t.lower(), 1) for t in tokens], [pos_ids.get(t, 1) for t in tags]))
        if len(chosen) == count:
            break
    as_arrays = [(np.array(w), np.array(t)) for w, t in chosen]
    return [("sentences b=1", as_arrays[:1]), (f"sentences b={len(as_arrays)}", as_arrays)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--export", required=True)
    ap.add_argument("--sentences")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--json")
    ap.add_argument("--torch", action="store_true", help="also compare with PyTorch modules (needs torch)")
    args = ap.parse_args()

    with open(f"{args.export}/manifest.json") as f:
        manifest = json.load(f)
    with open(f"{args.checkpoint}/checkpoint.json") as f:
        config = json.load(f)["model"]
    params = load_safetensors(f"{args.checkpoint}/model.safetensors")

    rng = np.random.default_rng(args.seed)
    cases = random_cases(rng, manifest)
    if args.sentences:
        cases += sentence_cases(args.sentences, manifest)

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    # Every graph is loaded before any is run: they all map the one shared weights file.
    sessions = {
        g["k"]: ort.InferenceSession(f"{args.export}/{g['file']}", options, providers=["CPUExecutionProvider"])
        for g in manifest["graphs"]
    }

    results = []
    worst = 0.0
    for k, session in sessions.items():
        for name, sentences in cases:
            words, pos, lengths = pad_batch(sentences)
            ort_e, ort_r = session.run(None, {"word_ids": words, "pos_ids": pos, "lengths": lengths})
            ref = [reference(params, config, words[b], pos[b], int(lengths[b]), k) for b in range(len(lengths))]
            ref_e = np.stack([e for e, _ in ref])
            ref_r = np.stack([r for _, r in ref])
            d_e = float(np.abs(ort_e - ref_e).max())
            d_r = float(np.abs(ort_r - ref_r).max())
            # Padding invariance: each sentence alone, against its block of the padded batch.
            d_pad = 0.0
            if len(lengths) > 1:
                for b, (w, t) in enumerate(sentences):
                    sw, sp, sl = pad_batch([(w, t)])
                    e1, r1 = session.run(None, {"word_ids": sw, "pos_ids": sp, "lengths": sl})
                    length = len(w)
                    d_pad = worse(
                        d_pad,
                        float(np.abs(e1[0] - ort_e[b, :length]).max()),
                        float(np.abs(r1[0] - ort_r[b, :length, :length]).max()),
                    )
            worst = worse(worst, d_e, d_r, d_pad)
            row = {"k": k, "case": name, "seq": int(words.shape[1]), "entity_probs": d_e, "relation_probs": d_r, "padding": d_pad}
            line = f"K={k} {name:<16} seq={words.shape[1]:<3} max|diff| entity_probs {d_e:.2e}  relation_probs {d_r:.2e}  padding {d_pad:.2e}"
            if args.torch:
                t_e, t_r = torch_forward(params, config, words, pos, lengths, k)
                row["torch_entity_probs"] = float(np.abs(ort_e - t_e).max())
                row["torch_relation_probs"] = float(np.abs(ort_r - t_r).max())
                worst = worse(worst, row["torch_entity_probs"], row["torch_relation_probs"])
                line += f"  | ORT vs torch {row['torch_entity_probs']:.2e} {row['torch_relation_probs']:.2e}"
            results.append(row)
            print(line)

    summary = {"onnxruntime": ort.__version__, "tolerance": args.tol, "max_abs_diff": worst, "results": results}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1)
    print(f"max abs diff over every K and case: {worst:.3e} (tolerance {args.tol:g}, onnxruntime {ort.__version__})")
    # NaN is never <= the tolerance: a graph that emits NaN fails.
    sys.exit(0 if worst <= args.tol else 1)


if __name__ == "__main__":
    main()

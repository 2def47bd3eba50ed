"""PyTorch eager baseline for RIN, and an independent parity check of the exported ONNX graphs.

A self-contained re-implementation of the Recurrent Interaction Network exactly as docs/MODEL.md
specifies it, written the way a PyTorch user would (nn.Embedding, a packed bidirectional nn.LSTM,
nn.Linear heads, nn.GRUCell unrolled K times with shared weights). It loads a rin checkpoint
directory (model.safetensors + checkpoint.json, read with numpy: no safetensors package needed)
and needs nothing beyond torch and numpy (onnxruntime only for --check-onnx).

    # what rin-bench calls: time the eager forward pass (protocol below)
    python benchmarks/pytorch_eager.py --request REQ.json --response RESP.json
    # for humans: compare with onnxruntime on random padded batches at every exported K
    python benchmarks/pytorch_eager.py --check-onnx models/webnlg-star \
        --checkpoint models/webnlg-star/checkpoint

REQ.json: {"checkpoint", "threads", "device", "warmup", "min_iterations", "max_iterations",
"seconds", "cases": [{"name", "k", "word_ids" [b][n], "pos_ids" [b][n], "lengths" [b],
"return_outputs"}]}. RESP.json: {"torch_version", "threads", "device", "cases": [{"name",
"latencies_ns", and with return_outputs "entity_probs", "relation_probs" (flat, row-major)}]}.
Errors: exit status 1 and one line on stderr.
"""

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

TAGS = ["O", "B", "I", "E", "S"]  # the entity head's output order
INTERACTIONS = ("full", "no-er", "no-rc")  # MODEL.md ablations: H^k = H^{k-1} + (H_e^k) + (H_r^k)
SAFETENSORS_DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16,
                      "I64": np.int64, "I32": np.int32}


class RelationHead(nn.Module):
    """C_r(H)_ij = W_r ReLU(A h_i + B h_j + b_m) + b_r (logits), by a broadcast add."""

    def __init__(self, d, d_m, relations):
        super().__init__()
        self.subject = nn.Linear(d, d_m, bias=False)  # A
        self.object = nn.Linear(d, d_m, bias=False)  # B
        self.hidden_bias = nn.Parameter(torch.zeros(d_m))  # b_m
        self.output = nn.Linear(d_m, relations)  # W_r, b_r

    def forward(self, h):  # [b, n, d] -> [b, n, n, R]; [.., i, j, t]: subject i, object j
        hidden = self.subject(h).unsqueeze(2) + self.object(h).unsqueeze(1) + self.hidden_bias
        return self.output(torch.relu(hidden))


class RIN(nn.Module):
    """The model of docs/MODEL.md. Attribute names are chosen so that state_dict() keys are the
    checkpoint's parameter names (trainer/README.md, "Parameter names")."""

    def __init__(self, config):
        super().__init__()
        d, r = 2 * config["lstm_hidden"], config["relations"]
        self.uses_pos = config["pos_dim"] > 0 and config["pos_vocab"] > 0
        self.interaction = config["interaction"]
        if self.interaction not in INTERACTIONS:
            raise ValueError(f"unknown interaction {self.interaction!r} (expected {INTERACTIONS})")
        self.word_embedding = nn.Embedding(config["word_vocab"], config["word_dim"])
        self.pos_embedding = (nn.Embedding(config["pos_vocab"], config["pos_dim"])
                              if self.uses_pos else None)
        in_dim = config["word_dim"] + (config["pos_dim"] if self.uses_pos else 0)
        self.lstm = nn.LSTM(in_dim, config["lstm_hidden"], num_layers=1, batch_first=True,
                            bidirectional=True)
        self.entity_head = nn.Linear(d, len(TAGS))  # C_e (logits)
        self.relation_head = RelationHead(d, config["relation_hidden"], r)  # C_r (logits)
        self.gru_e = nn.GRUCell(len(TAGS), d)  # input Y_e (tag probabilities)
        self.gru_r = nn.GRUCell(r, d)  # input ybar (max over objects of Y_r)

    def encode(self, word_ids, pos_ids, lengths):
        """H^0 [b, n, d]: embeddings and a packed BiLSTM (zeros after each sentence's end)."""
        x = self.word_embedding(word_ids)
        if self.uses_pos:
            x = torch.cat([x, self.pos_embedding(pos_ids)], dim=-1)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        h, _ = self.lstm(packed)
        h, _ = pad_packed_sequence(h, batch_first=True, total_length=word_ids.shape[1])
        return h

    @staticmethod
    def cell(gru, inputs, hidden):
        """A GRUCell applied to every token: [b, n, in], [b, n, d] -> [b, n, d]."""
        b, n, d = hidden.shape
        return gru(inputs.reshape(b * n, -1), hidden.reshape(b * n, d)).view(b, n, d)

    def forward(self, word_ids, pos_ids, lengths, k):
        """word_ids, pos_ids [b, n] int64 (0-padded), lengths [b] int64 on the CPU, each in 1..n.
        Returns entity_probs [b, n, 5] (softmax) and relation_probs [b, n, n, R] (sigmoid)."""
        n = word_ids.shape[1]
        h = self.encode(word_ids, pos_ids, lengths)
        valid = torch.arange(n, device=h.device) < lengths.to(h.device).unsqueeze(1)  # [b, n]
        padded_object = ~valid[:, None, :, None]  # [b, 1, n(j), 1]
        y_e, y_r = self.entity_head(h), self.relation_head(h)  # Y_e^0, Y_r^0 (logits)
        for _ in range(k):
            # ybar_i = max over real objects j of Y_r[i, j, :]; sigmoid is increasing, so the
            # maximum is taken on the logits and the sigmoid on the [b, n, R] result.
            ybar = torch.sigmoid(y_r.masked_fill(padded_object, float("-inf")).amax(dim=2))
            h_e = self.cell(self.gru_e, torch.softmax(y_e, dim=-1), h)
            h_r = self.cell(self.gru_r, ybar, h)
            if self.interaction == "full":
                h = h + h_e + h_r
            elif self.interaction == "no-er":
                h = h + h_r
            else:  # no-rc
                h = h + h_e
            y_e, y_r = self.entity_head(h_e), self.relation_head(h_r)
        return torch.softmax(y_e, dim=-1), torch.sigmoid(y_r)


def worse(*values):
    """The largest of the differences, NaN if any is NaN (Python's max keeps whichever comes first
    when compared with NaN, so a NaN output would pass a tolerance check)."""
    return float("nan") if any(math.isnan(v) for v in values) else max(values)


def read_safetensors(path):
    """{name: float tensor} from a .safetensors file: u64 LE header size, JSON header, raw data."""
    raw = Path(path).read_bytes()
    size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + size])
    header.pop("__metadata__", None)
    tensors = {}
    for name, info in header.items():
        if info["dtype"] not in SAFETENSORS_DTYPES:
            raise ValueError(f"{path}: {name} has unsupported dtype {info['dtype']}")
        dtype = np.dtype(SAFETENSORS_DTYPES[info["dtype"]]).newbyteorder("<")
        start, end = info["data_offsets"]
        array = np.frombuffer(raw, dtype=dtype, count=(end - start) // dtype.itemsize,
                              offset=8 + size + start)
        tensors[name] = torch.from_numpy(array.reshape(info["shape"]).astype(np.float32))
    return tensors


def load_model(checkpoint_dir, device="cpu"):
    """The RIN of a checkpoint directory, weights loaded by name, in eval mode on device."""
    checkpoint_dir = Path(checkpoint_dir)
    meta_path = checkpoint_dir / "checkpoint.json"
    weights_path = checkpoint_dir / "model.safetensors"
    for p in (meta_path, weights_path):
        if not p.is_file():
            raise FileNotFoundError(f"{p} not found: not a rin checkpoint directory")
    meta = json.loads(meta_path.read_text())
    if meta.get("tags", TAGS) != TAGS:
        raise ValueError(f"checkpoint tags {meta['tags']} differ from {TAGS}")
    config = meta["model"]
    model = RIN(config)
    weights = read_safetensors(weights_path)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(weights))
    unexpected = sorted(set(weights) - set(expected))
    mismatched = [f"{name} {list(weights[name].shape)} (expected {list(t.shape)})"
                  for name, t in expected.items()
                  if name in weights and weights[name].shape != t.shape]
    if missing or unexpected or mismatched:
        raise ValueError(f"{weights_path} does not fit the model of checkpoint.json: missing "
                         f"{missing}, unexpected {unexpected}, wrong shape {mismatched}")
    model.load_state_dict(weights, strict=True)
    return model.to(device).eval(), config


def as_inputs(word_ids, pos_ids, lengths, device):
    """Checked torch inputs from nested lists or arrays: ids [b, n] int64 on device, lengths CPU."""
    words = torch.as_tensor(np.asarray(word_ids, dtype=np.int64))
    pos = torch.as_tensor(np.asarray(pos_ids, dtype=np.int64))
    lens = torch.as_tensor(np.asarray(lengths, dtype=np.int64))
    if words.dim() != 2 or words.shape[0] == 0 or words.shape[1] == 0:
        raise ValueError(f"word_ids must be a non-empty [batch][seq] array, "
                         f"got {list(words.shape)}")
    if pos.shape != words.shape:
        raise ValueError(f"pos_ids {list(pos.shape)} differ from word_ids {list(words.shape)}")
    if lens.shape != (words.shape[0],) or lens.min() < 1 or lens.max() > words.shape[1]:
        raise ValueError(f"lengths {lens.tolist()} must be one per sentence, each in "
                         f"1..={words.shape[1]}")
    return words.to(device), pos.to(device), lens


def check_ids(model, words, pos):
    vocab = model.word_embedding.num_embeddings
    if words.min() < 0 or words.max() >= vocab:
        raise ValueError(f"word ids must lie in 0..={vocab - 1}")
    if model.uses_pos and (pos.min() < 0 or pos.max() >= model.pos_embedding.num_embeddings):
        raise ValueError(f"pos ids must lie in 0..={model.pos_embedding.num_embeddings - 1}")


def pick_device(name):
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f"device {name!r} requested but torch {torch.__version__} sees no CUDA")
    if not (name == "cpu" or name.startswith("cuda")):
        raise ValueError(f"device must be cpu or cuda, got {name!r}")
    return torch.device(name)


def run_request(request_path, response_path):
    req = json.loads(Path(request_path).read_text())
    threads = int(req.get("threads", 1))
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    device = pick_device(req.get("device", "cpu"))
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    model, _ = load_model(req["checkpoint"], device)
    warmup, seconds = int(req.get("warmup", 10)), float(req.get("seconds", 2.0))
    min_iter, max_iter = int(req.get("min_iterations", 20)), int(req.get("max_iterations", 1000))
    cases = []
    with torch.inference_mode():
        for case in req["cases"]:
            k = int(case["k"])
            if k < 0:
                raise ValueError(f"case {case['name']}: k must be >= 0")
            words, pos, lens = as_inputs(case["word_ids"], case["pos_ids"], case["lengths"], device)
            check_ids(model, words, pos)
            for _ in range(warmup):
                model(words, pos, lens, k)
            sync()
            latencies, start = [], time.perf_counter_ns()
            while len(latencies) < max_iter and (
                    len(latencies) < min_iter or time.perf_counter_ns() - start < seconds * 1e9):
                t0 = time.perf_counter_ns()
                model(words, pos, lens, k)
                sync()
                latencies.append(time.perf_counter_ns() - t0)
            result = {"name": case["name"], "latencies_ns": latencies}
            if case.get("return_outputs", False):  # deterministic: one more pass, untimed
                entity, relation = model(words, pos, lens, k)
                result["entity_probs"] = entity.float().cpu().reshape(-1).tolist()
                result["relation_probs"] = relation.float().cpu().reshape(-1).tolist()
            cases.append(result)
    response = {"torch_version": torch.__version__, "threads": threads, "device": str(device),
                "cases": cases}
    Path(response_path).write_text(json.dumps(response))


def check_onnx(model_dir, checkpoint_dir, threads, seed=0, tolerance=1e-4):
    """Max |PyTorch - onnxruntime| per exported K on random padded batches; 1 if any > tolerance."""
    import onnxruntime as ort  # only this mode needs it

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    model, config = load_model(checkpoint_dir)
    graphs = sorted(Path(model_dir).glob("model_k*.onnx"), key=lambda p: int(p.stem[7:]))
    if not graphs:
        raise FileNotFoundError(f"no model_k*.onnx in {model_dir}")
    rng = np.random.default_rng(seed)
    # batch 1 and batch 5 with mixed lengths (the longest sets n, so the rest are padded)
    shapes = [[int(rng.integers(3, 31))], [30, 7, 1, 19, 12], [9, 9, 4, 9, 2], [1]]
    batches = []
    for lengths in shapes:
        b, n = len(lengths), max(lengths)
        words, pos = np.zeros((b, n), np.int64), np.zeros((b, n), np.int64)
        for row, length in enumerate(lengths):
            words[row, :length] = rng.integers(1, config["word_vocab"], length)
            pos[row, :length] = rng.integers(1, max(config["pos_vocab"], 2), length)
        batches.append((words, pos, np.asarray(lengths, np.int64)))
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    worst = 0.0
    with torch.inference_mode():
        for path in graphs:
            k = int(path.stem[7:])
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            inputs = {i.name for i in session.get_inputs()}
            outputs = [o.name for o in session.get_outputs()]
            if not inputs <= {"word_ids", "pos_ids", "lengths"} or "word_ids" not in inputs or \
                    outputs[:2] != ["entity_probs", "relation_probs"]:
                raise ValueError(f"{path}: unexpected inputs {sorted(inputs)} / outputs {outputs}")
            diff_e = diff_r = 0.0
            for words, pos, lengths in batches:
                feed = {"word_ids": words, "pos_ids": pos, "lengths": lengths.astype(np.int32)}
                ort_e, ort_r = session.run(outputs[:2], {n: feed[n] for n in inputs})
                pt_e, pt_r = model(*as_inputs(words, pos, lengths, "cpu"), k)
                diff_e = worse(diff_e, float(np.abs(pt_e.numpy() - ort_e).max()))
                diff_r = worse(diff_r, float(np.abs(pt_r.numpy() - ort_r).max()))
            worst = worse(worst, diff_e, diff_r)
            verdict = "ok" if worse(diff_e, diff_r) <= tolerance else f"FAIL (> {tolerance:g})"
            print(f"K={k}: max |diff| entity_probs {diff_e:.3g}, relation_probs {diff_r:.3g} "
                  f"over {len(batches)} batches (b = 1 and 5, n <= 30): {verdict}")
    return 0 if worst <= tolerance else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--request", help="REQ.json (timing mode, with --response)")
    parser.add_argument("--response", help="where to write RESP.json")
    parser.add_argument("--check-onnx", metavar="MODEL_DIR", help="folder with model_k{K}.onnx")
    parser.add_argument("--checkpoint", help="checkpoint directory (for --check-onnx)")
    parser.add_argument("--threads", type=int, default=1, help="threads for --check-onnx")
    args = parser.parse_args()
    try:
        if args.check_onnx:
            if not args.checkpoint:
                parser.error("--check-onnx needs --checkpoint")
            return check_onnx(args.check_onnx, args.checkpoint, args.threads)
        if not (args.request and args.response):
            parser.error("give --request and --response, or --check-onnx and --checkpoint")
        run_request(args.request, args.response)
        return 0
    except Exception as error:  # one line on stderr, non-zero exit
        message = " ".join(str(error).split())
        print(f"pytorch_eager: error: {type(error).__name__}: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

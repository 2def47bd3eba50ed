#!/usr/bin/env bash
# GPU checks for issue 15, run on a GPU machine (no Rust, no network) from the repository root.
# Prepared here, in .devcarry/ (ignored by git): bin/rin and plugins/*.so (release builds,
# stripped), models/sparse-webnlg and models/sparse-webnlg-star (`rin export CHECKPOINT --outputs
# sparse`), texts_webnlg.txt and texts_webnlg-star.txt (the test sentences, one per line), and this
# folder's compare.py, load.py, eager.py; ONNX Runtime's CUDA build comes from
# ../shared/tools/gpu-kit (call 1: `bash .gpu/p1/unpack.sh`; this script is call 2). Output:
# $OUT/gpu.log and $OUT/gpu_work.tgz (benchmarks/results/gpu-h200 holds the run of 2026-11-30).
set -u
export PYTHONUNBUFFERED=1
D=.devcarry; R=$D/bin/rin; W=$OUT/w; mkdir -p $W
exec > >(tee $OUT/gpu.log) 2>&1
source .gpu/p2/unpack.sh || exit 3
export RIN_PLUGIN_DIR=$PWD/$D/plugins
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee $W/gpu.txt
nproc; $R --version; date -u
model() { case $1 in dense) echo models/$2;; sparse) echo $D/models/sparse-$2;; esac; }
# 1-2. rin eval and rin extract on both shipped models: CPU dense (reference), CUDA dense, CUDA sparse
for m in webnlg webnlg-star; do
  for v in cpu:dense cuda:dense cuda:sparse; do
    dev=${v%%:*}; out=${v##*:}; tag=${m}_${dev}_$out
    $R eval -m $(model $out $m) --data data/$m --split test --json --device $dev > $W/eval_$tag.json 2> $W/eval_$tag.err
    echo "eval $tag rc=$? $(grep -o 'provider=[^ ]*' $W/eval_$tag.err | head -1)"
    $R extract -m $(model $out $m) --device $dev --input $D/texts_$m.txt > $W/extract_$tag.jsonl 2> $W/extract_$tag.err
    echo "extract $tag rc=$? lines=$(wc -l < $W/extract_$tag.jsonl)"
  done
done
python3 $D/compare.py $W | tee $W/compare.txt
# 3. rin serve --device cuda under load (the shipped exact model, dense)
$R serve -m models/webnlg --device cuda --addr 127.0.0.1:18080 --workers 2 > $W/serve.log 2>&1 &
SP=$!
for i in $(seq 120); do curl -sf 127.0.0.1:18080/readyz >/dev/null 2>&1 && break; sleep 0.5; done
python3 $D/load.py http://127.0.0.1:18080 $D/texts_webnlg.txt 4000 64 | tee $W/load.txt
kill -TERM $SP; wait $SP; echo "serve exit rc=$?"
# 4. rin bench, K=2 (WebNLG* model), 30 tokens: CUDA dense and sparse, then CPU
for out in dense sparse; do
  timeout 120 $R bench -m $(model $out webnlg-star) --k 2 --device cuda --mode graph,end-to-end \
    --batch 1,8,64,512 --tokens 30 --threads 0 --data data/webnlg-star --seconds 1 --iterations 2000 \
    --out $W/bench_cuda_$out; echo "bench cuda $out rc=$?"
  timeout 120 $R bench -m $(model $out webnlg-star) --k 2 --device cpu --mode graph,end-to-end \
    --batch 1,8,64 --tokens 30 --threads 1,0 --data data/webnlg-star --seconds 1 --iterations 1000 \
    --out $W/bench_cpu_$out; echo "bench cpu $out rc=$?"
done
# 5. PyTorch eager on CUDA, the same checkpoint, K=2, 30 tokens
timeout 150 python3 $D/eager.py models/webnlg-star/checkpoint $W/eager.json | tee $W/eager.txt
date -u
tar czf $OUT/gpu_work.tgz -C $OUT w && rm -rf $W

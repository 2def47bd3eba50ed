#!/usr/bin/env bash
# Prepared for the next GPU session (session 8; not run yet): what issue 15's GPU goals still
# need, in one call after `bash .gpu/p1/unpack.sh`. Carried in .devcarry/ (ignored by git), built
# here: bin/rin and plugins/*.so (release, stripped), models/sparse-webnlg-star (`rin export
# models/webnlg-star/checkpoint --k 2 --outputs sparse --precision fp32,fp16`) and
# models/dense-webnlg-star (the same without --outputs sparse), eager.py.
# 1. --mode bound (IoBinding: inputs bound once, outputs left on the GPU, as eager.py times
#    PyTorch) against --mode graph, dense and sparse, fp32 and fp16, batch 1 to 512;
# 2. CUDA graphs (RIN_CUDA_OPTIONS=cuda-graph, bound mode, dense, one shape per session);
# 3. F1 of fp16 on CUDA (the CPU gave fp32's F1); 4. PyTorch eager, the same shapes.
set -u
D=.devcarry; R=$D/bin/rin; W=$OUT/w; mkdir -p $W
exec > >(tee $OUT/gpu3.log) 2>&1
source .gpu/p2/unpack.sh || exit 3
export RIN_PLUGIN_DIR=$PWD/$D/plugins
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; date -u
for out in dense sparse; do
  timeout 150 $R bench -m $D/models/$out-webnlg-star --k 2 --device cuda --mode graph,bound \
    --precision fp32,fp16 --batch 1,8,64,512 --tokens 30 --threads 0 --data data/webnlg-star \
    --seconds 1 --iterations 2000 --out $W/bench_$out 2>/dev/null | grep -v "^wrote"; echo "bench $out rc=$?"
done
for b in 1 8 64 512; do
  RIN_CUDA_OPTIONS=cuda-graph timeout 60 $R bench -m $D/models/dense-webnlg-star --k 2 --device cuda \
    --mode bound --precision fp32,fp16 --batch $b --tokens 30 --threads 0 --data data/webnlg-star \
    --seconds 1 --iterations 2000 --out $W/bench_graph_b$b 2>&1 | tail -2; echo "cuda-graph b$b rc=$?"
done
for p in fp32 fp16; do
  echo "eval webnlg-star cuda $p: $($R eval -m $D/models/dense-webnlg-star --data data/webnlg-star --split test --device cuda --precision $p 2>/dev/null | grep '^triples')"
done
timeout 150 python3 $D/eager.py models/webnlg-star/checkpoint $W/eager.json | tee $W/eager.txt
date -u
tar czf $OUT/gpu3_work.tgz -C $OUT w && rm -rf $W

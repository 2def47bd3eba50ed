#!/usr/bin/env bash
# Prepared for a GPU session (not run yet: session 5 got no second machine): CUDA execution
# provider settings (RIN_CUDA_OPTIONS, runtime/src/session.rs) measured with rin bench, and F1 with
# TF32 on. Call 2 after `bash .gpu/p1/unpack.sh`.
set -u
D=.devcarry; R=$D/bin/rin; W=$OUT/w; mkdir -p $W
exec > >(tee $OUT/gpu2.log) 2>&1
source .gpu/p2/unpack.sh || exit 3
export RIN_PLUGIN_DIR=$PWD/$D/plugins
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; date -u
for opts in none tf32 arena-same-as-requested; do
  o=$opts; [ $o = none ] && o=""
  RIN_CUDA_OPTIONS=$o timeout 100 $R bench -m $D/models/sparse-webnlg-star --k 2 --device cuda --mode graph,end-to-end \
    --batch 1,8,64,512 --tokens 30 --threads 0 --data data/webnlg-star --seconds 1 --iterations 2000 \
    --out $W/bench_$opts 2>/dev/null | grep -v "^wrote"; echo "bench $opts rc=$?"
done
for m in webnlg webnlg-star; do
  for o in "" tf32; do
    echo "eval $m cuda [$o]: $(RIN_CUDA_OPTIONS=$o $R eval -m models/$m --data data/$m --split test --device cuda 2>/dev/null | grep '^triples')"
  done
done
date -u
tar czf $OUT/gpu2_work.tgz -C $OUT w && rm -rf $W

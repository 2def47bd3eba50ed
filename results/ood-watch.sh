#!/usr/bin/env bash
# usage: [EVERY=N] results/ood-watch.sh RUN_DIR
# While the run in RUN_DIR trains, appends "epoch P R F1" of `rin eval` on the out-of-domain dev
# split (data/ood/name-swapped-dev) for every N-th epoch's `last` checkpoint (default: each epoch)
# to RUN_DIR/ood_dev.tsv. Selection stays on WebNLG dev; this only records the out-of-domain
# curve beside it. Run from the repository root after `cargo build --release --workspace`.
# New runs can record such a curve each epoch without exports (the trainer's own scoring):
# `rin-train train --watch-dev data/ood/name-swapped-dev` (trainer/README.md).
set -u
run=$1
every=${EVERY:-1}
out=$run/ood_dev.tsv
export_dir=$(mktemp -d)
trap 'rm -rf "$export_dir"' EXIT
eval "$(cargo xtask env 2>/dev/null)"
seen=-1
while pgrep -f "run-dir $run" >/dev/null; do
  epoch=$(python3 -c "import json; print(json.load(open('$run/last/checkpoint.json'))['epoch'])" 2>/dev/null || echo -1)
  if [ "$epoch" != "$seen" ] && [ "$epoch" -gt 0 ] && [ $((epoch % every)) -eq 0 ]; then
    rm -rf "$export_dir/model"
    if target/release/rin export "$run/last" -o "$export_dir/model" --k 3 >/dev/null 2>&1; then
      scores=$(target/release/rin eval -m "$export_dir/model" --data data/ood/name-swapped-dev \
          --split dev --threads 1 --json 2>/dev/null | python3 -c "
import sys, json
t = json.load(sys.stdin)['triples']
print('%.2f\t%.2f\t%.2f' % (100 * t['precision'], 100 * t['recall'], 100 * t['f1']))") &&
        printf '%s\t%s\n' "$epoch" "$scores" >> "$out"
    fi
    seen=$epoch
  fi
  sleep 20
done

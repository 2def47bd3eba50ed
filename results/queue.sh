#!/usr/bin/env bash
# usage: results/queue.sh LANE      (run from the repository root; LANE is a or b)
# Issue 20's runs, one after another on one thread, resumable across sessions: a run whose
# record is committed (results/runs/RUN/eval_test.json) is skipped, a run with a `last` checkpoint
# in runs/RUN (or only in results/runs/RUN/last, copied back) is resumed, any other is started.
# When a run ends, its metrics, best checkpoint and dev/test evaluation go to results/runs/RUN
# (commit them). Two lanes use this machine's two cores: `nohup results/queue.sh a &` and
# `nohup results/queue.sh b &`. (K = 0 seed 2 moved to lane a in session 19, to even the lanes'
# remaining hours; the two lists must not share a run.)
set -u
lane=${1:?lane a or b}
eval "$(cargo xtask env 2>/dev/null)"
E=data/embeddings/glove.6B.50d.webnlg.txt.gz
# RUN  flags (WebNLG exact, the paper's configuration otherwise)
runs_a="webnlg-k3-nopos-s1:--k 3 --no-pos --seed 1
webnlg-k1-s1:--k 1 --seed 1
webnlg-k3-norc-s2:--k 3 --no-rc --seed 2
webnlg-k4-s1:--k 4 --seed 1
webnlg-k0-s1:--k 0 --seed 1
webnlg-k0-s2:--k 0 --seed 2"
runs_b="webnlg-k3-noer-s2:--k 3 --no-er --seed 2
webnlg-k2-s1:--k 2 --seed 1
webnlg-k3-nopos-s2:--k 3 --no-pos --seed 2
webnlg-k5-s1:--k 5 --seed 1"
list=$([ "$lane" = a ] && echo "$runs_a" || echo "$runs_b")
while IFS=: read -r run flags; do
  [ -f results/runs/$run/eval_test.json ] && continue
  if [ ! -d runs/$run/last ] && [ -d results/runs/$run/last ]; then
    mkdir -p runs && cp -r results/runs/$run runs/
  fi
  if [ -d runs/$run/last ]; then
    nice -n 10 target/release/rin-train train --resume --run-dir runs/$run --threads 1 >> runs/$run.log 2>&1
  else
    # shellcheck disable=SC2086
    nice -n 10 target/release/rin-train train --data data/webnlg --embeddings $E $flags --threads 1 \
        --run-dir runs/$run >> runs/$run.log 2>&1
  fi || { echo "$run failed: see runs/$run.log" >&2; exit 1; }
  rm -rf results/runs/$run && mkdir -p results/runs/$run/best
  cp runs/$run/metrics.jsonl results/runs/$run/ && cp -L runs/$run/best/* results/runs/$run/best/
  target/release/rin-train eval --checkpoint results/runs/$run/best --split dev --json --threads 1 > results/runs/$run/eval_dev.json
  target/release/rin-train eval --checkpoint results/runs/$run/best --split test --json --threads 1 > results/runs/$run/eval_test.json
done <<< "$list"

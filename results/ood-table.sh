#!/usr/bin/env bash
# Run from the repository root after `cargo build --release --workspace`.
# usage: results/ood-table.sh MODEL... -> one line per model: swapped dev exact | swapped test exact | swapped test partial
eval "$(cargo xtask env 2>/dev/null)"
ev(){ target/release/rin eval --threads 1 -m $1 --data $2 ${3:+--split $3} ${4:+--match $4} 2>/dev/null | awk '/^triples/{printf "%.2f / %.2f / %.2f",$2*100,$3*100,$4*100}'; }
for m in "$@"; do
  echo "$m | $(ev $m data/ood/name-swapped-dev dev) | $(ev $m data/ood/name-swapped test) | $(ev $m data/ood/name-swapped test partial)"
done

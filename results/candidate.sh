#!/usr/bin/env bash
# usage: results/candidate.sh exact|partial CHECKPOINT [EXPORT_FLAGS...]
# Exports a checkpoint as `models/` would ship it and prints one Markdown row of triple F1 on the
# dev sets selection may read: in-domain dev, then the out-of-domain dev splits (name-swapped dev,
# hand-written dev); with TESTS=1 also on the test sets a shipped model is judged on (in-domain
# test, hand-written test, name-swapped test), read once a choice is fixed; then the folder's
# size. `exact` reads data/webnlg and the exact-match sets, `partial` data/webnlg-star and the
# -star sets. Run from the repository root after `cargo build --release --workspace`.
# Example: results/candidate.sh exact runs/X/best --word-table fp16
#          TESTS=1 results/candidate.sh exact runs/X/best --word-table fp16
set -eu
mode=${1:?exact or partial}
checkpoint=${2:?checkpoint folder}
shift 2
eval "$(cargo xtask env 2>/dev/null)"
case $mode in
  exact) data=data/webnlg star= ;;
  partial) data=data/webnlg-star star=-star ;;
  *) echo "mode: exact or partial" >&2; exit 2 ;;
esac
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
target/release/rin export "$checkpoint" -o "$out/model" "$@" >/dev/null
f1() {
  target/release/rin eval --threads 1 -m "$out/model" --data "$1" --split "$2" --json 2>/dev/null |
    python3 -c "import sys, json; print('%.2f' % (100 * json.load(sys.stdin)['triples']['f1']))"
}
row="| $checkpoint $* | $(f1 $data dev) | $(f1 data/ood/name-swapped-dev$star dev) | $(f1 data/ood/handwritten-dev$star dev) |"
if [ "${TESTS:-0}" = 1 ]; then
  row="$row $(f1 $data test) | $(f1 data/ood/handwritten$star test) | $(f1 data/ood/name-swapped$star test) |"
fi
echo "$row $(du -sb "$out/model" | cut -f1) |"

#!/usr/bin/env bash
# Cuts the two user-complete slices of Taobao UserBehavior that specs/taobao.toml
# and specs/taobao-groups.toml read, from the official UserBehavior.csv.
#
#   datasets/taobao/slices.sh UserBehavior.csv [DIR]      default DIR: datasets/taobao/slices
#
# UserBehavior.csv is Alibaba Tianchi dataset 649 (https://tianchi.aliyun.com/dataset/649;
# a free Tianchi account is needed, so no script here can fetch it): about 100 M rows
# user_id,item_id,category_id,behavior_type,timestamp, grouped by user. The slices:
#   DIR/UserBehavior_head_users.csv   its first 4,321 lines (43 users)
#   DIR/UserBehavior_tail_users.csv   its last 10,000 lines (114 users)
# The script compares their SHA-256 with the slices the figures in
# experiments/multi-task/README.md were measured on and says whether they match.
# An existing DIR with both files is left alone.
set -euo pipefail

usage() { sed -n '5p' "$0" | sed 's/^#   /usage: /'; }
case "${1:-}" in -h|--help) usage; exit 0 ;; ""|-*) usage >&2; exit 2 ;; esac
[[ $# -le 2 ]] || { usage >&2; exit 2; }

here="$(cd "$(dirname "$0")" && pwd)"
src="$1"
dest="${2:-$here/slices}"
head_file=UserBehavior_head_users.csv
tail_file=UserBehavior_tail_users.csv
declare -A measured=(
  [$head_file]=e6f47712a2ae149885993ac7b520cf5ba3b099b2e52f90cfddd912455c710e6d
  [$tail_file]=06ea4a11021807f050ab79af08807578748b5651749682de7fe1bf16eced9f70
)

compare() {
  local f
  for f in "$head_file" "$tail_file"; do
    if [[ "$(sha256sum "$dest/$f" | cut -d' ' -f1)" == "${measured[$f]}" ]]; then
      echo "$f: the same bytes as the slice the README figures were measured on"
    else
      echo "$f: differs from the slice the README figures were measured on (figures will differ)"
    fi
  done
}

if [[ -s "$dest/$head_file" && -s "$dest/$tail_file" ]]; then
  echo "already present: $dest holds $head_file and $tail_file; nothing to do"
  compare
  exit 0
fi
[[ -f "$src" ]] || { echo "error: $src: no such file (download UserBehavior.csv from https://tianchi.aliyun.com/dataset/649)" >&2; exit 1; }
first="$(head -n 1 "$src")"
[[ "$first" =~ ^[0-9]+,[0-9]+,[0-9]+,(pv|buy|cart|fav),[0-9]+$ ]] || {
  echo "error: $src:1: expected user_id,item_id,category_id,pv|buy|cart|fav,timestamp, found: ${first:0:80}" >&2; exit 1; }
lines=$(wc -l < "$src")
[[ $lines -ge 14321 ]] || { echo "error: $src has $lines lines; the official file has about 100 million" >&2; exit 1; }

mkdir -p "$dest"
echo "writing $dest/$head_file (first 4,321 lines of $src)"
head -n 4321 "$src" > "$dest/$head_file.part"
echo "writing $dest/$tail_file (last 10,000 lines)"
tail -n 10000 "$src" > "$dest/$tail_file.part"
mv "$dest/$head_file.part" "$dest/$head_file"
mv "$dest/$tail_file.part" "$dest/$tail_file"
compare
echo "next: build/atrank data stats specs/taobao.toml --set data.path=$dest"

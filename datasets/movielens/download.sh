#!/usr/bin/env bash
# Downloads MovieLens 100K (GroupLens) and checks it, for specs/movielens.toml,
# specs/movielens-two-groups.toml and `run_table.py --movielens`.
#
#   datasets/movielens/download.sh [DIR]        default: datasets/movielens/ml-100k
#
# Source: https://files.grouplens.org/datasets/movielens/ml-100k.zip (set
# MOVIELENS_URL for a mirror). Licence: the dataset's README (research use, no
# redistribution): keep the files out of the repository (.gitignore does).
# Checks: the MD5 published next to the zip (when the host serves one), then
# u.data = 100,000 ratings (user, item, rating, unix time; 1,979,173 bytes),
# u.item = 1,682 movies, u.genre = 19 genres. A DIR that already passes the
# checks is left alone; a DIR that exists but fails them is refused, unchanged.
set -euo pipefail

usage() { sed -n '5p' "$0" | sed 's/^#   /usage: /'; }
case "${1:-}" in -h|--help) usage; exit 0 ;; -*) usage >&2; exit 2 ;; esac
[[ $# -le 1 ]] || { usage >&2; exit 2; }

here="$(cd "$(dirname "$0")" && pwd)"
dest="${1:-$here/ml-100k}"
url="${MOVIELENS_URL:-https://files.grouplens.org/datasets/movielens/ml-100k.zip}"

# check DIR: empty output when DIR holds MovieLens 100K, else the first problem.
check() {
  local d="$1" f
  for f in u.data u.item u.genre; do
    [[ -s "$d/$f" ]] || { echo "no $f"; return; }
  done
  [[ $(wc -l < "$d/u.data") -eq 100000 ]] || { echo "u.data has $(wc -l < "$d/u.data") lines, not 100000"; return; }
  [[ $(wc -c < "$d/u.data") -eq 1979173 ]] || { echo "u.data has $(wc -c < "$d/u.data") bytes, not 1979173"; return; }
  awk -F'\t' 'NF != 4 || $3 !~ /^[1-5]$/ { exit 1 }' "$d/u.data" || { echo "u.data: a line is not user<TAB>item<TAB>rating 1-5<TAB>time"; return; }
  [[ $(wc -l < "$d/u.item") -eq 1682 ]] || { echo "u.item has $(wc -l < "$d/u.item") lines, not 1682"; return; }
  [[ $(grep -c . "$d/u.genre") -eq 19 ]] || { echo "u.genre does not list 19 genres"; return; }
}

if [[ -e "$dest" ]]; then
  problem="$(check "$dest")"
  if [[ -z "$problem" ]]; then
    echo "already present: $dest holds MovieLens 100K (100,000 ratings, 1,682 movies); nothing to do"
    exit 0
  fi
  echo "error: $dest exists but is not a complete MovieLens 100K ($problem); remove it or name another DIR" >&2
  exit 1
fi

fetch() {  # fetch URL FILE
  if command -v wget > /dev/null; then wget -q -O "$2" "$1"
  elif command -v curl > /dev/null; then curl -fsSL -o "$2" "$1"
  else echo "error: neither wget nor curl is installed" >&2; return 1; fi
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "downloading $url"
fetch "$url" "$tmp/ml-100k.zip" || { echo "error: download of $url failed" >&2; exit 1; }
if fetch "$url.md5" "$tmp/md5" 2> /dev/null && want="$(grep -oiE '[0-9a-f]{32}' "$tmp/md5" | head -n 1)" && [[ -n "$want" ]]; then
  got="$(md5sum "$tmp/ml-100k.zip" | cut -d' ' -f1)"
  [[ "${got,,}" == "${want,,}" ]] || { echo "error: MD5 of the zip is $got, the host publishes $want" >&2; exit 1; }
  echo "MD5 matches the one published at $url.md5"
else
  echo "no MD5 published at $url.md5: checking the contents only"
fi
echo "unpacking"
python3 -m zipfile -e "$tmp/ml-100k.zip" "$tmp/unpacked"
problem="$(check "$tmp/unpacked/ml-100k")"
[[ -z "$problem" ]] || { echo "error: the downloaded archive is not MovieLens 100K ($problem)" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
mv "$tmp/unpacked/ml-100k" "$dest"
echo "ok: $dest holds MovieLens 100K (100,000 ratings by 943 users on 1,682 movies)"
echo "next: build/atrank data stats specs/movielens.toml --set data.path=$dest"

#!/usr/bin/env bash
# Downloads and verifies the Amazon 2014 product data files used by ATRank
# (McAuley et al.; the authors' utils/download.sh fetches the same two files).
#
#   datasets/amazon/download.sh [CATEGORY] [DIR]     default: Electronics datasets/amazon/files
#
# Verification (no official checksums are published):
#   1. gzip integrity of both files (gzip -t);
#   2. the review count against the known figure (Electronics 5-core: 1,689,188 reviews);
#   3. the first review line is JSON with reviewerID/asin/unixReviewTime and the first meta
#      line is a Python dict literal with 'asin';
#   4. sha256 sums are written to DIR/SHA256SUMS on the first successful run and checked on
#      every later run (so a changed or corrupted re-download is noticed).
# Then `atrank data stats specs/amazon.toml --set data.path=DIR` imports them.
set -euo pipefail

category="${1:-Electronics}"
dir="${2:-datasets/amazon/files}"
# The authors' utils/download.sh uses this host; set AMAZON_BASE_URL to use a mirror.
base="${AMAZON_BASE_URL:-http://snap.stanford.edu/data/amazon/productGraph/categoryFiles}"
files=("reviews_${category}_5.json.gz" "meta_${category}.json.gz")

# Known review counts of the 5-core files (the figure the paper's Electronics run used);
# other categories are only checked for integrity, format and checksums.
declare -A reviews_expected=([Electronics]=1689188)

mkdir -p "$dir"
for f in "${files[@]}"; do
  if [[ ! -s "$dir/$f" ]]; then
    echo "downloading $f"
    wget -c -O "$dir/$f.part" "$base/$f"
    mv "$dir/$f.part" "$dir/$f"
  fi
  echo "checking gzip integrity of $f"
  gzip -t "$dir/$f"
done

reviews="$dir/${files[0]}"
meta="$dir/${files[1]}"
n=$(gzip -dc "$reviews" | wc -l)
echo "reviews: $n lines"
if [[ -n "${reviews_expected[$category]:-}" && "$n" != "${reviews_expected[$category]}" ]]; then
  echo "error: expected ${reviews_expected[$category]} reviews for $category, found $n" >&2
  exit 1
fi
first=$(gzip -dc "$reviews" | head -n 1)
for key in reviewerID asin unixReviewTime; do
  [[ "$first" == *"\"$key\""* ]] || { echo "error: first review line lacks \"$key\"" >&2; exit 1; }
done
m=$(gzip -dc "$meta" | head -n 1)
[[ "$m" == "{'asin'"* || "$m" == *"'asin': "* ]] || { echo "error: first meta line is not a Python dict with 'asin'" >&2; exit 1; }
echo "meta: $(gzip -dc "$meta" | wc -l) lines"

cd "$dir"
if [[ -f SHA256SUMS ]]; then
  sha256sum -c SHA256SUMS
else
  sha256sum "${files[@]}" > SHA256SUMS
  echo "recorded checksums in $dir/SHA256SUMS"
fi
echo "ok: $dir holds ${files[*]}"

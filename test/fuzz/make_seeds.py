#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses into corpus/<harness>/.

Text seeds come from the test fixtures (test/data, test/spec) and the shipped specs; the data
cache and checkpoint seeds are made by the atrank program on cache/spec.toml. Run from the
repository root:  python3 test/fuzz/make_seeds.py build/atrank
Crash inputs found later are added next to these by hand (crash-<what>), never regenerated.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(ROOT))
SCISSORS = b"\n--8<--\n"


def put(harness, name, data):
    d = os.path.join(ROOT, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def raw_strings(path):
    """The C++ raw string literals R"(...)" of a test file."""
    with open(os.path.join(REPO, path), encoding="utf-8") as f:
        return re.findall(r'R"\((.*?)\)"', f.read(), re.S)


def spec_seeds():
    for path in sorted(glob.glob(os.path.join(REPO, "specs", "**", "*.toml"), recursive=True)):
        with open(path, "rb") as f:
            put("spec", "shipped-" + os.path.relpath(path, os.path.join(REPO, "specs")).replace("/", "-"), f.read())
    # As `atrank check specs/amazon.toml --set vocab.item=63001 --set vocab.category=801` (specs/README.md).
    with open(os.path.join(REPO, "specs", "amazon.toml")) as f:
        put("spec", "shipped-amazon-with-vocab.toml", f.read() + "\n[vocab]\nitem = 63001\ncategory = 801\n")
    put("spec", "test-base.toml", raw_strings("test/spec/spec_test_util.hpp")[0])
    put("spec", "test-everything.toml", raw_strings("test/spec/roundtrip_test.cpp")[0])
    put("spec", "cache-spec.toml", open(os.path.join(ROOT, "cache", "spec.toml"), "rb").read())


# Events with enough per user for train, valid and test cases.
EVENTS = [("u1", "i1", 100), ("u1", "i2", 90000), ("u1", "i3", 200000), ("u1", "i1", 300000),
          ("u2", "i2", 100), ("u2", "i3", 5000), ("u2", "i4", 86400000), ("u2", "i1", 86500000),
          ("u3", "i4", 10), ("u3", "i2", 20), ("u3", "i3", 30)]


def csv_seeds():
    # options: bit 0 header, bits 1-2 delimiter (, \t | ;), bit 3 iso, bit 4 behavior, bit 5 category
    rows = "".join(f"{u},{i},{t}\n" for u, i, t in EVENTS)
    put("csv", "header", b"\x01" + ("user,item,timestamp\n" + rows).encode())
    put("csv", "no-header", b"\x00" + rows.encode())
    both = "".join(f"{u}\t{i}\t{t}\t{'buy' if t % 2 else 'pv'}\tc{len(i)}\n" for u, i, t in EVENTS)
    put("csv", "tab-behavior-category", bytes([0b110010]) + both.encode())
    iso = "user|item|timestamp\n" + "".join(
        f"{u}|\"{i}\"|2017-11-{10 + n:02d}T10:00:05Z\n" for n, (u, i, _) in enumerate(EVENTS))
    put("csv", "pipe-iso-quoted", bytes([0b1101]) + iso.encode())
    put("csv", "attribute-file", b"\x01" + ("user,item,timestamp\n" + rows).encode() + SCISSORS +
        b"item,shop\ni1,s1\ni2,s2\ni3,s1\n")
    put("csv", "bom-spaces-skip", bytes([0b1000001]) + "\ufeffuser , item,timestamp\n 1 , 10 , 100\n1,10,200\n\" 2 \",10,300\n1,1\x001,200\n1,11,300\n".encode())
    put("csv", "taobao", b"\x00" + b"1,2268318,2520377,pv,1511544070\n1,2333346,2520771,pv,1511561733\n"
        b"1,2268318,2520377,buy,1511572885\n100,99,2520377,cart,1511572886\r\n")


def amazon_seeds():
    reviews, meta = [s for s in raw_strings("test/data/importer_test.cpp")[:2]]
    more = "".join('{"reviewerID": "%s", "asin": "%s", "unixReviewTime": %d}\n' % e for e in EVENTS)
    metas = "".join("{'asin': '%s', 'categories': [['Electronics', 'C%s']], 'brand': 'B'}\n" % (i, i)
                    for i in ("i1", "i2", "i3", "i4"))
    put("amazon", "test-fixture", b"\x00" + reviews.encode() + SCISSORS + meta.encode())
    put("amazon", "three-users", b"\x00" + more.encode() + SCISSORS + metas.encode())
    put("amazon", "three-users-gzip-skip", b"\x03" + more.encode() + b'{"reviewerID": "u1", "asin": \n')


def python_literal_seeds():
    for n, line in enumerate(raw_strings("test/data/importer_test.cpp")[1].splitlines()):
        put("python_literal", f"meta-{n}", line)
    for n, lit in enumerate(raw_strings("test/data/python_literal_test.cpp")):
        put("python_literal", f"literal-{n}", lit)
    put("python_literal", "numbers", "{'a': [1, -2.5e3, 3L, +.5, (1,), None, True, false, null], u'b': b'\\x41\\101'}")
    put("python_literal", "triple", "{'''t''': \"\"\"a\nb\"\"\", 'u': '\\ud83d\\ude00'}")


def movielens_seeds():
    action = "0|1|" + "|".join(["0"] * 17)
    drama = "0|0|0|0|0|1|0|0|1|" + "|".join(["0"] * 10)
    data = "".join(f"{u[1:]}\t{i[1:]}\t{1 + t % 5}\t{881250949 + t}\n" for u, i, t in EVENTS)
    items = "".join(f"{n}|Film {n} (1995)|01-Jan-1995||http://x|{action if n % 2 else drama}\n" for n in range(1, 5))
    genre = "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\n\n"
    put("movielens", "ratings", b"\x00" + data.encode() + SCISSORS + items.encode())
    put("movielens", "liked-genre", b"\x02" + data.encode() + SCISSORS + items.encode() + SCISSORS + genre.encode())
    put("movielens", "bom-skip", b"\x01" + "\ufeff".encode() + data.encode() + b"1\t10\t5\n" + SCISSORS +
        items.encode())


def score_seeds():
    # options: bit 0 candidates (score; else recommend), bit 3 with bit 0 candidates optional (explain),
    # bit 1 skip bad lines, bit 2 default task query.
    # Schema (score_fuzz.cpp): click -> items i0 i1 i2 17, search -> queries q0 q1; tasks item, query.
    ok = ('{"history": [{"object": "i1", "behavior": "click", "time": 100}, {"object": "q0", "behavior": "search", '
          '"time": "1970-01-02T00:00:00Z"}, {"object": 17, "behavior": "click", "time": 150.5}], '
          '"candidates": ["i2", 17], "task": "item", "time": 300, "user": "alice"}\n')
    query = '{"history": [], "candidates": ["q1"], "task": "query", "time": "2014-01-02"}\n'
    put("score", "valid", b"\x01" + (ok + query).encode())
    put("score", "valid-recommend", b"\x04" + '{"history": [{"object": "q1", "behavior": "search", "time": 5}]}\n'
        '{"history": [{"object": "i0", "behavior": "click", "time": "86400"}], "task": "item", "user": 7}\n'.encode())
    put("score", "explain-skip", b"\x0b" + (ok + '{"history": [{"object": "i2", "behavior": "click", "time": 9}]}\n'
                                             '{"history": [], "candidates": []}\n').encode())
    put("score", "bom-crlf-blank", b"\x01" + "\ufeff".encode() + ok.replace("\n", "\r\n").encode() + b"\n  \t\n" +
        query.encode())
    put("score", "unknown-ids-skip", b"\x03" + (
        '{"history": [{"object": "i9", "behavior": "click", "time": 1}], "candidates": ["i1"]}\n'
        '{"history": [], "candidates": ["q0"]}\n'
        '{"history": [{"object": "i1", "behavior": "sleep", "time": 1}], "candidates": ["i1"]}\n'
        '{"history": [], "candidates": ["i1"], "task": "coupon"}\n' + ok).encode())
    put("score", "missing-fields-skip", b"\x03" + (
        '{"candidates": ["i1"]}\n{"history": []}\n{"history": [], "candidates": []}\n'
        '{"history": [{"behavior": "click", "time": 1}], "candidates": ["i1"]}\n'
        '{"history": [{"object": "i1", "time": 1}], "candidates": ["i1"]}\n'
        '{"history": [{"object": "i1", "behavior": "click"}], "candidates": ["i1"]}\n' + ok).encode())
    put("score", "wrong-types-skip", b"\x03" + (
        '[1, 2]\n"text"\nnull\n{"history": {}, "candidates": ["i1"]}\n{"history": [], "candidates": [true]}\n'
        '{"history": [], "candidates": ["i1"], "task": 3}\n{"history": [7], "candidates": ["i1"]}\n'
        '{"history": [{"object": [], "behavior": 1, "time": false}], "candidates": ["i1"]}\n'
        '{"history": [], "candidates": ["i1"], "colour": 1}\n{"history": [], "history": [], "candidates": ["i1"]}\n'
        '{"history": [], "candidates": ["i1"], "user": ""}\n{"history": [}, \n' + ok).encode())
    put("score", "huge-numbers-skip", b"\x03" + (
        '{"history": [{"object": 18446744073709551615, "behavior": "click", "time": 9223372036854775807}], '
        '"candidates": [-9223372036854775808], "time": -9223372036854775808}\n'
        '{"history": [{"object": "i1", "behavior": "click", "time": 1e300}], "candidates": ["i1"]}\n'
        '{"history": [{"object": "i1", "behavior": "click", "time": -9.3e18}], "candidates": ["i1"]}\n'
        '{"history": [], "candidates": [1e400], "time": "99999999999999999999"}\n'
        '{"history": [], "candidates": [17], "time": "9999-12-31T23:59:59Z"}\n').encode())
    # Deeper than simdjson's limit of 1024 levels, and just inside it (each under libFuzzer's
    # default -max_len of 4096 bytes: a larger seed would make every input of the run longer).
    put("score", "deep-nesting", b"\x03" + ('{"history": [' + "[" * 1030 + "]" * 1030 + '], "candidates": ["i1"]}\n')
        .encode())
    put("score", "deep-nesting-inside-limit", b"\x03" + ('{"history": [], "candidates": ["i1"], "user": ' + "[" * 1020 +
                                                          "]" * 1020 + "}\n").encode())
    put("score", "no-final-newline", b"\x00" + b'{"history": [{"object": "i2", "behavior": "click", "time": 3}]}')


def binary_seeds(atrank):
    spec = os.path.join(ROOT, "cache", "spec.toml")
    events = os.path.join(ROOT, "cache", "events.csv")
    with tempfile.TemporaryDirectory() as tmp:
        sets = ["--set", "data.path=" + events, "--set", "data.cache_dir=" + tmp + "/cache"]
        subprocess.run([atrank, "data", "stats", spec] + sets, check=True, stdout=subprocess.DEVNULL)
        (cache,) = glob.glob(tmp + "/cache/*.atrank-data")
        shutil.copy(cache, os.path.join(ROOT, "corpus", "cache", "cache-spec"))
        subprocess.run([atrank, "run", spec, "--out", tmp + "/run", "--quiet", "--set", "train.max_steps=2"] + sets,
                       check=True, stdout=subprocess.DEVNULL)
        shutil.copy(tmp + "/run/checkpoint.ckpt", os.path.join(ROOT, "corpus", "checkpoint", "cache-spec-run"))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_seeds.py PATH/TO/atrank")
    for h in ("cache", "checkpoint"):
        os.makedirs(os.path.join(ROOT, "corpus", h), exist_ok=True)
    spec_seeds()
    csv_seeds()
    amazon_seeds()
    python_literal_seeds()
    movielens_seeds()
    score_seeds()
    binary_seeds(os.path.abspath(sys.argv[1]))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Tests of plot_explain.py on a small explain.json (the file `atrank explain`
writes): every picture in both formats, the history labels on the vanilla
heatmap, the title of a `--history` explanation, the case study's head x
behavior and planted-signal pictures, an empty history refused."""
import json
import os
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot_explain  # noqa: E402


def explanation(positions=5, heads=2, blocks=1):
    groups = ["item", "query"]
    history = [{"position": p, "group": groups[p >= 3], "index": p if p < 3 else p - 3,
                "object": "o%d" % p, "behavior": "pv" if p < 3 else "search", "time_bucket": p} for p in range(positions)]
    uniform = [1.0 / positions] * positions
    return {"user": "u1", "task": "item", "target": {"object": "o9", "logit": 0.25}, "heads": heads,
            "groups": groups, "behaviors": ["pv", "search", "coupon"], "history": history,
            "self_attention": [[[uniform] * positions] * heads] * blocks,
            "vanilla_attention": [[uniform] * heads] * blocks,
            "mass_by_group": [[{"item": 0.6, "query": 0.4}] * heads] * blocks,
            "mass_by_behavior": [[{"pv": 0.6, "search": 0.4, "coupon": 0.0}] * heads] * blocks}


class PlotExplainTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, j):
        path = os.path.join(self.dir, "explain.json")
        with open(path, "w") as f:
            json.dump(j, f)
        return path

    def test_every_picture_in_both_formats(self):
        paths = plot_explain.draw(self.write(explanation(blocks=2)))
        names = sorted(os.path.basename(p) for p in paths)
        self.assertEqual(names, ["mass.png", "mass.svg", "self.png", "self.svg", "vanilla.png", "vanilla.svg"])
        for p in paths:
            self.assertGreater(os.path.getsize(p), 1000, p)
        with open(os.path.join(self.dir, "vanilla.png"), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        text = "".join(ET.parse(os.path.join(self.dir, "vanilla.svg")).getroot().itertext())
        for label in ("o0", "pv b0", "o4", "search b4", "head 1", "block 1"):
            self.assertIn(label, text)

    def test_case_study_picture(self):
        paths = plot_explain.draw_head_behavior([[0.5, 0.3, 0.2], [0.1, 0.8, 0.1]], [0.6, 0.2, 0.2],
                                                ["pv", "search", "coupon"], os.path.join(self.dir, "heads"), "test")
        self.assertEqual(len(paths), 2)
        text = "".join(ET.parse(os.path.join(self.dir, "heads.svg")).getroot().itertext())
        for label in ("0.800", "share of positions", "head 0"):
            self.assertIn(label, text)

    def test_history_file_title_names_the_file_and_line(self):
        j = explanation()
        j["input"] = {"file": "some/dir/h.jsonl", "line": 3}
        plot_explain.draw(self.write(j))
        text = "".join(ET.parse(os.path.join(self.dir, "vanilla.svg")).getroot().itertext())
        self.assertIn("h.jsonl line 3 (user u1)", text)
        j["user"] = None
        plot_explain.draw(self.write(j))
        text = "".join(ET.parse(os.path.join(self.dir, "mass.svg")).getroot().itertext())
        self.assertIn("h.jsonl line 3, item target o9", text)

    def test_planted_signal_picture(self):
        split = {"matching": {"cases": 7, "weight_over_chance_mean": [2.5, 0.75],
                              "weight_over_chance_se": [0.5, None]},
                 "other": {"cases": 0, "weight_over_chance_mean": [None, None], "weight_over_chance_se": [None, None]},
                 "same_recency": {"matching_cases": 0, "other_cases": 0, "matching_mean": [None, None],
                                  "other_mean": [1.25, None]}}
        paths = plot_explain.draw_planted_signal({"search": split, "coupon": split}, 2,
                                                 os.path.join(self.dir, "signal"), "test")
        self.assertEqual(len(paths), 2)
        text = "".join(ET.parse(os.path.join(self.dir, "signal.svg")).getroot().itertext())
        for label in ("2.5", "0.8", "1.2", "matching, all (7)", "other, all (0)", "other, equal recency (0)",
                      "last coupon in the history", "head 1"):
            self.assertIn(label, text)

    def test_empty_history_is_refused(self):
        j = explanation()
        j["history"] = []
        with self.assertRaises(SystemExit) as e:
            plot_explain.draw(self.write(j))
        self.assertIn("history is empty", str(e.exception))


if __name__ == "__main__":
    unittest.main()

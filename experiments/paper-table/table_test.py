#!/usr/bin/env python3
"""Tests of the paper-table writer on small fake run directories."""
import csv
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paper_table  # noqa: E402
import run_table  # noqa: E402


def read(path):
    with open(path) as f:
        return f.read()


def fake_run(root, name, evals, params=1000, eps=500.0, summary=True):
    d = os.path.join(root, name)
    os.makedirs(d)
    with open(os.path.join(d, "metrics.jsonl"), "w") as f:
        for step, secs, valid, test in evals:
            line = {"step": step, "epoch": 1, "seconds": secs, "learning_rate": 1.0,
                    "train_loss": 0.5, "test": {"auc": test, "logloss": 0.6}}
            if valid is not None:
                line["valid"] = {"auc": valid}
            f.write(json.dumps(line) + "\n")
    if summary:
        with open(os.path.join(d, "summary.json"), "w") as f:
            json.dump({"params": {"total": params},
                       "train": {"examples_per_second": eps, "seconds": 10.0}}, f)
    return d


class TableWriterTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_selects_on_validation_and_reports_test_at_that_step(self):
        d = fake_run(self.root, "atrank", [(500, 10.0, 0.80, 0.79), (1000, 20.5, 0.85, 0.84),
                                           (1500, 31.0, 0.84, 0.86)], params=245458, eps=870.0)
        r = paper_table.summarize("atrank", d, "atrank", "max_steps=1500")
        self.assertEqual(r["selected_on"], "valid.auc")
        self.assertAlmostEqual(r["best_valid_auc"], 0.85)
        self.assertAlmostEqual(r["test_auc_at_best"], 0.84)
        self.assertEqual(r["best_step"], 1000)
        self.assertAlmostEqual(r["best_seconds"], 20.5)
        self.assertAlmostEqual(r["best_test_auc_any_step"], 0.86)
        self.assertEqual(r["final_step"], 1500)
        self.assertEqual(r["params"], 245458)
        self.assertAlmostEqual(r["train_examples_per_second"], 870.0)
        self.assertAlmostEqual(r["paper_electronics_auc_approx"], 0.89)
        self.assertEqual(len(r["curve"]), 3)

    def test_without_validation_selects_on_test_and_ties_keep_the_first(self):
        d = fake_run(self.root, "bpr", [(1, 1.0, None, 0.70), (2, 2.0, None, 0.75), (3, 3.0, None, 0.75)])
        r = paper_table.summarize("bpr", d)
        self.assertEqual(r["selected_on"], "test.auc")
        self.assertIsNone(r["best_valid_auc"])
        self.assertEqual(r["best_step"], 2)
        self.assertAlmostEqual(r["paper_electronics_auc_approx"], 0.80)

    def test_missing_or_empty_run_gives_no_row(self):
        os.makedirs(os.path.join(self.root, "empty"))
        self.assertIsNone(paper_table.summarize("x", os.path.join(self.root, "empty")))
        self.assertIsNone(paper_table.summarize("x", os.path.join(self.root, "absent")))

    def test_writes_markdown_csv_and_svg(self):
        rows = [
            paper_table.summarize("bpr", fake_run(self.root, "bpr", [(1, 1.0, 0.7, 0.69)]), "bpr", "epochs=50"),
            paper_table.summarize("atrank-1-head", fake_run(
                self.root, "atrank-1-head", [(500, 5.0, 0.8, 0.81), (1000, 9.0, 0.82, 0.83)], summary=False),
                None, "max_steps=1000"),
            None,  # a method that produced nothing is left out
        ]
        out = os.path.join(self.root, "out")
        os.makedirs(out)
        kept = paper_table.write_all(rows, out, "Paper comparison on test", ["a note"])
        self.assertEqual(len(kept), 2)
        md = read(os.path.join(out, "table.md"))
        self.assertIn("| bpr | 0.7000 | 0.6900 | 1 |", md)
        self.assertIn("~0.80", md)
        self.assertIn("approximate", md)
        self.assertIn("a note", md)
        line = [l for l in md.splitlines() if l.startswith("| atrank-1-head")][0]
        self.assertTrue(line.rstrip().endswith("|  |"), line)  # no paper figure for an ablation
        with open(os.path.join(out, "table.csv")) as f:
            table = list(csv.DictReader(f))
        self.assertEqual([t["method"] for t in table], ["bpr", "atrank-1-head"])
        self.assertEqual(table[1]["best_step"], "1000")
        self.assertEqual(table[1]["params"], "")  # no summary.json
        self.assertEqual(table[0]["paper_electronics_auc_approx"], "0.8")
        svg = read(os.path.join(out, "auc_time.svg"))
        self.assertTrue(svg.startswith("<svg"))
        self.assertEqual(svg.count("<polyline"), 2)
        self.assertIn("atrank-1-head", svg)


class RunnerTest(unittest.TestCase):
    def test_every_method_has_a_budget_on_every_dataset(self):
        for kind, budgets in run_table.BUDGETS.items():
            for name, _, _, _ in run_table.METHODS:
                self.assertIn(run_table.family(name), budgets, (kind, name))

    def test_scale_multiplies_budgets_and_keeps_other_overrides(self):
        self.assertEqual(run_table.scaled("train.epochs=4", 0.5), "train.epochs=2")
        self.assertEqual(run_table.scaled("train.epochs=4", 0.1), "train.epochs=1")  # at least 1
        self.assertEqual(run_table.scaled("train.max_steps=6000", 3), "train.max_steps=18000")
        self.assertEqual(run_table.scaled("train.eval_every=0", 3), "train.eval_every=0")  # per epoch
        self.assertEqual(run_table.scaled("encoder.heads=1", 3), "encoder.heads=1")

    def test_data_block_is_replaced_in_every_paper_spec(self):
        root = run_table.ROOT
        ml = run_table.data_block(read(os.path.join(root, "specs", "movielens.toml")))
        ml = run_table.set_key(ml, "path", '"/somewhere/ml-100k"')
        ml = run_table.set_key(ml, "history_cap", "50")
        self.assertIn('path = "/somewhere/ml-100k"', ml)
        self.assertIn("history_cap = 50", ml)
        with tempfile.TemporaryDirectory() as d:
            for spec in ("bpr", "bilstm", "bilstm_att", "cnn", "atrank"):
                text = read(run_table.derived_spec(spec, ml, d))
                self.assertIn('source = "movielens"', text)
                self.assertNotIn('source = "amazon"', text)
                self.assertIn("[encoder]", text)


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Tests of the paper table (paper_table.py, run_table.py) on fake run
directories and a fake atrank binary."""
import contextlib
import csv
import io
import json
import os
import stat
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import paper_table  # noqa: E402
import run_table  # noqa: E402
from plot_runs_test import read, svg_ids, write_run  # noqa: E402


def fake_run(root, method, seed, evals, spread=None, collapsed=None, params=1000, eps=500.0, summary=True):
    """A finished run in root/method/seed-N: evals = [(step, seconds, valid auc, test auc)];
    spread = the test user_spread of every evaluation (None: not reported)."""
    lines = []
    for step, secs, valid, test in evals:
        e = {"step": step, "epoch": 1, "seconds": secs, "learning_rate": 1.0, "train_loss": 0.5,
             "test": {"auc": test, "logloss": 0.6}}
        if valid is not None:
            e["valid"] = {"auc": valid}
        if spread is not None:
            e["test"]["user_spread"] = spread
        lines.append(e)
    s = None
    if summary:
        s = {"params": {"total": params},
             "train": {"examples_per_second": eps, "seconds": 10.0, "steps": evals[-1][0], "epochs": 1.0}}
        if collapsed is not None:
            s["collapsed"] = collapsed
    return write_run(run_table.run_dir_of(root, method, seed), lines, s)


class TableWriterTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_one_run_selects_on_validation_and_reports_test_at_that_step(self):
        d = fake_run(self.root, "atrank", 1, [(500, 10.0, 0.80, 0.79), (1000, 20.5, 0.85, 0.84),
                                              (1500, 31.0, 0.84, 0.86)], spread=0.07, params=245458, eps=870.0)
        r = paper_table.summarize_run("atrank", 1, d)
        self.assertEqual(r["selected_on"], "valid.auc")
        self.assertAlmostEqual(r["best_valid_auc"], 0.85)
        self.assertAlmostEqual(r["test_auc_at_best"], 0.84)
        self.assertEqual(r["best_step"], 1000)
        self.assertAlmostEqual(r["best_seconds"], 20.5)
        self.assertAlmostEqual(r["best_test_auc_any_step"], 0.86)
        self.assertEqual(r["final_step"], 1500)
        self.assertEqual(r["params"], 245458)
        self.assertAlmostEqual(r["train_examples_per_second"], 870.0)
        self.assertAlmostEqual(r["user_spread"], 0.07)
        self.assertIsNone(r["collapsed"])  # not reported: n/a

    def test_without_validation_selects_on_test_and_ties_keep_the_first(self):
        d = fake_run(self.root, "bpr", 1, [(1, 1.0, None, 0.70), (2, 2.0, None, 0.75), (3, 3.0, None, 0.75)])
        r = paper_table.summarize_run("bpr", 1, d)
        self.assertEqual(r["selected_on"], "test.auc")
        self.assertIsNone(r["best_valid_auc"])
        self.assertEqual(r["best_step"], 2)

    def test_unfinished_missing_or_empty_run_gives_no_row(self):
        os.makedirs(os.path.join(self.root, "empty"))
        self.assertIsNone(paper_table.summarize_run("x", 1, os.path.join(self.root, "empty")))
        self.assertIsNone(paper_table.summarize_run("x", 1, os.path.join(self.root, "absent")))
        training = fake_run(self.root, "x", 1, [(1, 1.0, 0.7, 0.7)], summary=False)
        self.assertIsNone(paper_table.summarize_run("x", 1, training))
        # Stopped by a signal: summary.json is there, but the run will continue (--resume).
        stopped = fake_run(self.root, "x", 2, [(1, 1.0, 0.7, 0.7)])
        with open(os.path.join(stopped, "summary.json")) as f:
            s = json.load(f)
        s["stop"] = {"reason": "signal", "step": 1}
        with open(os.path.join(stopped, "summary.json"), "w") as f:
            json.dump(s, f)
        self.assertFalse(paper_table.finished(stopped))
        self.assertIsNone(paper_table.summarize_run("x", 2, stopped))
        s["stop"]["reason"] = "early_stop"
        with open(os.path.join(stopped, "summary.json"), "w") as f:
            json.dump(s, f)
        self.assertTrue(paper_table.finished(stopped))
        self.assertIsNotNone(paper_table.summarize_run("x", 2, stopped))
        self.assertIsNone(paper_table.aggregate("x", [None, None], [1, 2]))

    def test_mean_and_standard_deviation_over_seeds_and_collapsed_runs_marked(self):
        runs = [paper_table.summarize_run("cnn", s, fake_run(self.root, "cnn", s, ev, spread=sp, collapsed=c))
                for s, ev, sp, c in [(1, [(10, 1.0, 0.80, 0.70), (20, 2.0, 0.90, 0.80)], 0.08, False),
                                     (2, [(10, 1.0, 0.70, 0.66), (20, 2.0, 0.70, 0.67)], 0.002, True),
                                     (3, [(10, 1.0, 0.90, 0.75), (20, 2.0, 0.80, 0.90)], 0.07, False)]]
        row = paper_table.aggregate("cnn", runs, [1, 2, 3], "cnn", "epochs=4")
        self.assertEqual(row["seeds"], "3/3")
        self.assertAlmostEqual(row["test_auc_at_best_mean"], (0.80 + 0.66 + 0.75) / 3)
        # sample standard deviation of 0.80, 0.66, 0.75
        self.assertAlmostEqual(row["test_auc_at_best_sd"], 0.0709460, places=6)
        self.assertAlmostEqual(row["best_test_auc_any_step_mean"], (0.80 + 0.67 + 0.90) / 3)
        self.assertAlmostEqual(row["best_valid_auc_mean"], (0.90 + 0.70 + 0.90) / 3)
        self.assertEqual(row["user_spread"], [0.08, 0.002, 0.07])
        self.assertTrue(row["collapsed"])
        self.assertEqual(row["collapsed_seeds"], [2])
        healthy = paper_table.aggregate("atrank", [paper_table.summarize_run(
            "atrank", 1, fake_run(self.root, "atrank", 1, [(10, 1.0, 0.8, 0.8)], spread=0.1, collapsed=False))],
            [1, 2], "atrank", "epochs=4")
        self.assertEqual(healthy["seeds"], "1/2")  # one seed of two finished
        self.assertIsNone(healthy["test_auc_at_best_sd"])
        self.assertFalse(healthy["collapsed"])
        old = paper_table.aggregate("bpr", [paper_table.summarize_run(
            "bpr", 1, fake_run(self.root, "bpr", 1, [(10, 1.0, 0.8, 0.8)]))], [1], "bpr", "epochs=50")
        self.assertEqual(old["user_spread"], [None])
        self.assertIsNone(old["collapsed"])

        out = os.path.join(self.root, "out")
        os.makedirs(out)
        kept = paper_table.write_all([row, healthy, old, None], out, "Paper comparison on test", ["a note"])
        self.assertEqual(len(kept), 3)
        md = read(os.path.join(out, "table.md"))
        line = [l for l in md.splitlines() if l.startswith("| cnn")][0]
        self.assertIn("cnn (collapsed run) | 3/3 | 0.8333 ± 0.1155 | 0.7367 ± 0.0709 | 0.7900 ± 0.1153 |", line)
        self.assertIn("| 0.0800, 0.0020, 0.0700 | **yes**: seed 2 |", line)
        self.assertIn("~0.88", line)
        line = [l for l in md.splitlines() if l.startswith("| atrank")][0]
        self.assertIn("| atrank | 1/2 | 0.8000 | 0.8000 | 0.8000 | 0.1000 | no |", line)
        line = [l for l in md.splitlines() if l.startswith("| bpr")][0]
        self.assertIn("| n/a | n/a |", line)
        self.assertIn("| cnn | 2 | 0.7000 | 0.6600 | 0.6700 | 0.0020 | **yes** |", md)  # the per-run table
        self.assertIn("a note", md)
        with open(os.path.join(out, "table.csv")) as f:
            table = list(csv.DictReader(f))
        self.assertEqual([t["method"] for t in table], ["cnn", "atrank", "bpr"])
        self.assertEqual(table[0]["collapsed"], "yes")
        self.assertEqual(table[0]["collapsed_seeds"], "2")
        self.assertEqual(table[0]["user_spread"], "0.08;0.002;0.07")
        self.assertEqual(table[2]["collapsed"], "")
        self.assertEqual(table[0]["paper_electronics_auc_approx"], "0.88")
        with open(os.path.join(out, "runs.csv")) as f:
            per_run = list(csv.DictReader(f))
        self.assertEqual([(r["method"], r["seed"]) for r in per_run],
                         [("cnn", "1"), ("cnn", "2"), ("cnn", "3"), ("atrank", "1"), ("bpr", "1")])
        # Pictures: every run a line (seeds of a method share its style), BPR left out of curves.png.
        ids = svg_ids(os.path.join(out, "auc_time.svg"))
        self.assertEqual(ids.count("line:cnn:test.auc"), 3)
        self.assertEqual(ids.count("line:bpr:test.auc"), 1)
        self.assertEqual(ids.count("best:cnn:test.auc"), 3)
        for f in ("auc_time.png", "curves.png"):
            self.assertGreater(os.path.getsize(os.path.join(out, f)), 10000, f)


FAKE_ATRANK = textwrap.dedent('''\
    #!{python}
    """Fake `atrank run`: logs its arguments; writes two evaluations, a
    checkpoint and summary.json, or stops after the first evaluation when
    FAKE_STOP names the method (an interrupted run: its summary.json says
    it stopped on a signal, as atrank's does)."""
    import json, os, sys
    args = sys.argv[1:]
    with open(os.environ["FAKE_LOG"], "a") as f:
        f.write(json.dumps(args) + "\\n")
    out = args[args.index("--out") + 1]
    sets = dict(args[i + 1].split("=", 1) for i, a in enumerate(args) if a == "--set")
    method = os.path.basename(os.path.dirname(out))
    seed = int(sets["train.seed"])
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "metrics.jsonl"), "a") as f:
        for step in (1, 2):
            if "--resume" in args and step == 1:
                continue
            auc = 0.6 + 0.1 * step + 0.01 * (seed % 10)
            f.write(json.dumps({{"step": step, "epoch": step, "seconds": step, "train_loss": 0.5,
                                "valid": {{"auc": auc}}, "test": {{"auc": auc - 0.02}}}}) + "\\n")
            open(os.path.join(out, "checkpoint.ckpt"), "w").close()
            if os.environ.get("FAKE_STOP") == method:
                with open(os.path.join(out, "summary.json"), "w") as f:
                    json.dump({{"params": {{"total": 10}}, "train": {{"steps": 1, "epochs": 1.0}},
                               "stop": {{"reason": "signal", "step": 1}}}}, f)
                sys.exit(3)
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump({{"params": {{"total": 10}}, "train": {{"steps": 2, "epochs": 2.0}},
                   "best": {{"step": 2, "selected_on": "valid.auc"}}, "stop": {{"reason": "budget", "step": 2}}}}, f)
''')


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

    def test_a_checkpoint_at_every_evaluation(self):
        self.assertEqual(run_table.with_checkpoints(["train.epochs=4", "train.eval_every=1000"]),
                         ["train.epochs=4", "train.eval_every=1000", "train.checkpoint_every=1000"])
        self.assertEqual(run_table.with_checkpoints(["train.epochs=50", "train.eval_every=0"]),
                         ["train.epochs=50", "train.eval_every=0"])  # per epoch: at the end only
        self.assertEqual(run_table.with_checkpoints([]), [])

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

    def test_seeds_resume_and_finished_runs_kept(self):
        with tempfile.TemporaryDirectory() as d:
            atrank = os.path.join(d, "atrank")
            with open(atrank, "w") as f:
                f.write(FAKE_ATRANK.format(python=sys.executable))
            os.chmod(atrank, os.stat(atrank).st_mode | stat.S_IXUSR)
            synth = os.path.join(d, "synth")
            os.makedirs(synth)
            open(os.path.join(synth, "events.csv"), "w").close()
            out, log = os.path.join(d, "out"), os.path.join(d, "log")
            os.environ["FAKE_LOG"] = log
            argv = ["--atrank", atrank, "--synthetic-dir", synth, "--out", out, "--only", "bpr,atrank",
                    "--seeds", "2", "--threads", "1"]

            def calls():
                with open(log) as f:
                    rows = [json.loads(l) for l in f]
                os.remove(log)
                return [(a[a.index("--out") + 1][len(out) + 1:], "--resume" in a,
                         [a[i + 1] for i, x in enumerate(a) if x == "--set" and a[i + 1].startswith("train.seed")])
                        for a in rows]

            os.environ["FAKE_STOP"] = "atrank"  # atrank is interrupted after its first evaluation
            with contextlib.redirect_stdout(io.StringIO()), self.assertRaisesRegex(SystemExit, "atrank seed 1234 failed"):
                run_table.main(argv)
            self.assertEqual(calls(), [("bpr/seed-1234", False, ["train.seed=1234"]), ("bpr/seed-1235", False, ["train.seed=1235"]),
                                       ("atrank/seed-1234", False, ["train.seed=1234"]),
                                       ("atrank/seed-1235", False, ["train.seed=1235"])])
            md = read(os.path.join(out, "table.md"))
            self.assertIn("| bpr | 2/2 |", md)
            self.assertNotIn("| atrank |", md)  # no finished run yet

            del os.environ["FAKE_STOP"]  # run again: bpr is kept, atrank continues from its checkpoints
            with contextlib.redirect_stdout(io.StringIO()):
                run_table.main(argv)
            self.assertEqual(calls(), [("atrank/seed-1234", True, ["train.seed=1234"]),
                                       ("atrank/seed-1235", True, ["train.seed=1235"])])
            md = read(os.path.join(out, "table.md"))
            self.assertIn("| atrank | 2/2 | 0.8450 ± 0.0071 | 0.8250 ± 0.0071 |", md)
            self.assertIn("Paper comparison on synthetic (2 model seeds)", md)

            with contextlib.redirect_stdout(io.StringIO()):
                run_table.main(argv + ["--seeds", "3"])  # one more seed: only the new runs
            self.assertEqual([c[0] for c in calls()], ["bpr/seed-1236", "atrank/seed-1236"])
            with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
                run_table.main(argv + ["--set", "train.seed=5"])
            with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
                run_table.main(argv + ["--only", "atrnk"])
            self.assertFalse(os.path.exists(log))


if __name__ == "__main__":
    unittest.main()

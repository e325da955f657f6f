#!/usr/bin/env python3
"""Tests of plot_runs.py on small fake run directories (the files `atrank run`
writes: metrics.jsonl, summary.json, spec.toml)."""
import contextlib
import io
import json
import os
import re
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot_runs  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


def write_run(path, evals, summary=None, spec=None):
    """A run directory: evals are metrics.jsonl lines (dicts), summary the
    summary.json object (None: still training), spec the spec.toml text."""
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "metrics.jsonl"), "w") as f:
        for e in evals:
            f.write(json.dumps(e) + "\n")
    if summary is not None:
        with open(os.path.join(path, "summary.json"), "w") as f:
            json.dump(summary, f)
    if spec is not None:
        with open(os.path.join(path, "spec.toml"), "w") as f:
            f.write(spec)
    return path


def evaluation(step, valid=None, test=None, loss=0.5, seconds=None, epoch=1):
    e = {"step": step, "epoch": epoch, "seconds": step / 100.0 if seconds is None else seconds,
         "learning_rate": 1.0, "train_loss": loss}
    if valid is not None:
        e["valid"] = valid
    if test is not None:
        e["test"] = test
    return e


def simple_run(path, aucs, best_step=None, steps_per_eval=100, valid=True):
    """One evaluation per entry of aucs = [(valid auc, test auc)]."""
    evals = [evaluation((i + 1) * steps_per_eval, {"auc": v} if valid else None, {"auc": t}, loss=1.0 / (i + 2))
             for i, (v, t) in enumerate(aucs)]
    steps = len(aucs) * steps_per_eval
    summary = {"train": {"steps": steps, "epochs": steps / 200.0},
               "best": {"step": best_step, "selected_on": "valid.auc" if valid else "test.auc"}}
    return write_run(path, evals, summary if best_step is not None else None)


def read(path):
    with open(path) as f:
        return f.read()


def svg_ids(path):
    """The ids of the groups in an SVG file, in document order."""
    return [g.get("id") for g in ET.parse(path).iter(SVG + "g") if g.get("id")]


def tick_texts(path, axis):
    """Tick label texts of every panel of an SVG written with svg.fonttype none."""
    out = []
    for g in ET.parse(path).iter(SVG + "g"):
        if re.fullmatch(axis + r"tick_\d+", g.get("id") or ""):
            out += ["".join(t.itertext()).strip() for t in g.iter(SVG + "text")]
    return out


class PlotTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def draw(self, paths, out, *args):
        with contextlib.redirect_stdout(io.StringIO()):
            plot_runs.main(list(paths) + ["--out", os.path.join(self.root, out)] + list(args))
        return os.path.join(self.root, out)

    def test_one_run_png_and_svg_with_the_selected_evaluation_marked(self):
        run = simple_run(os.path.join(self.root, "quick"), [(0.70, 0.69), (0.80, 0.78), (0.79, 0.81)],
                         best_step=200)
        png = self.draw([run], "curves.png")
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        import matplotlib.image
        pixels = matplotlib.image.imread(png)
        self.assertGreater(pixels.shape[1], 800)
        self.assertGreater(pixels[..., :3].std(), 0.05)  # not a blank canvas
        svg = self.draw([run], "curves.svg")
        ids = svg_ids(svg)
        for panel in ("loss", "valid.auc", "test.auc"):
            self.assertEqual(ids.count("line:quick:" + panel), 1, panel)
        self.assertEqual(ids.count("best:quick:valid.auc"), 1)
        self.assertEqual(ids.count("best:quick:test.auc"), 1)
        self.assertNotIn("best:quick:loss", ids)
        self.assertIn("0.7800", read(svg))  # the selected test value is printed by its star
        self.assertFalse(os.path.exists(svg + ".tmp"))

    def test_selected_evaluation_is_the_summary_best_or_the_first_maximum_while_training(self):
        done = plot_runs.Run(simple_run(os.path.join(self.root, "a"), [(0.7, 0.7), (0.9, 0.8), (0.8, 0.9)],
                                        best_step=300))
        self.assertEqual(done.selected(), 2)  # summary.json decides (e.g. a resumed run's record)
        training = plot_runs.Run(simple_run(os.path.join(self.root, "b"), [(0.7, 0.7), (0.9, 0.8), (0.9, 0.9)]))
        self.assertEqual(training.selected(), 1)  # first maximum of valid.auc, as the trainer keeps
        no_valid = plot_runs.Run(simple_run(os.path.join(self.root, "c"), [(0, 0.7), (0, 0.75)], valid=False))
        self.assertEqual(no_valid.selected_on(), "test.auc")
        self.assertEqual(no_valid.selected(), 1)

    def test_one_line_per_run_and_panel_and_a_legend_entry_per_label(self):
        runs = [simple_run(os.path.join(self.root, name), [(0.6 + k / 100, 0.6), (0.7, 0.7 + k / 100)], best_step=200)
                for k, name in enumerate(["atrank", "atrank-no-time", "atrank-1-head", "bilstm"])]
        svg = self.draw(runs, "ablations.svg", "--x", "seconds")
        ids = svg_ids(svg)
        for name in ["atrank", "atrank-no-time", "atrank-1-head", "bilstm"]:
            for panel in ("loss", "valid.auc", "test.auc"):
                self.assertEqual(ids.count("line:%s:%s" % (name, panel)), 1, (name, panel))
            self.assertEqual(ids.count("best:%s:test.auc" % name), 1)
        text = read(svg)
        self.assertIn("wall-clock seconds", text)
        self.assertIn("selected evaluation (best valid.auc)", text)

    def test_runs_sharing_a_label_share_a_style_and_one_legend_entry(self):
        seeds = [simple_run(os.path.join(self.root, "cnn", "seed-%d" % s), [(0.7, 0.7), (0.8, 0.8)], best_step=200)
                 for s in (1, 2, 3)]
        runs = [plot_runs.Run(p, "cnn") for p in seeds]
        out = os.path.join(self.root, "seeds.svg")
        drawn = plot_runs.plot(runs, out)
        self.assertEqual(drawn["test.auc"], 3)
        self.assertEqual(svg_ids(out).count("line:cnn:test.auc"), 3)
        legend = [g for g in ET.parse(out).iter(SVG + "g") if (g.get("id") or "").startswith("legend")]
        texts = ["".join(t.itertext()).strip() for g in legend for t in g.iter(SVG + "text")]
        self.assertEqual(texts.count("cnn"), 1)

    def test_labels_of_runs_with_the_same_folder_name_get_their_parent(self):
        a = simple_run(os.path.join(self.root, "x", "atrank"), [(0.7, 0.7)], best_step=100)
        b = simple_run(os.path.join(self.root, "y", "atrank"), [(0.7, 0.7)], best_step=100)
        ids = svg_ids(self.draw([a, b], "two.svg"))
        self.assertIn("line:x/atrank:test.auc", ids)
        self.assertIn("line:y/atrank:test.auc", ids)

    def test_multi_task_runs_get_one_row_of_panels_per_task(self):
        def m(base):
            return {"auc": base, "item.auc": base + 0.1, "query.auc": base - 0.1, "item.hr@10": 0.3}
        unified = write_run(os.path.join(self.root, "unified"),
                            [evaluation(100, m(0.6), m(0.55)), evaluation(200, m(0.7), m(0.65))],
                            {"train": {"steps": 200, "epochs": 2.0}, "best": {"step": 200, "selected_on": "valid.auc"}},
                            spec='[tasks.query]\ntarget = "query"\n[tasks.item]\ntarget = "item"\n')
        # A single-task run names its task only in spec.toml: it joins the item panels.
        single = write_run(os.path.join(self.root, "single-item"),
                           [evaluation(100, {"auc": 0.7}, {"auc": 0.68})],
                           {"train": {"steps": 100, "epochs": 1.0}, "best": {"step": 100, "selected_on": "valid.auc"}},
                           spec='[tasks.item]\ntarget = "item"\n')
        svg = self.draw([unified, single], "multi.svg", "--x", "epoch")
        ids = svg_ids(svg)
        for panel in ("valid.item.auc", "test.item.auc", "valid.query.auc", "test.query.auc"):
            self.assertEqual(ids.count("line:unified:" + panel), 1, panel)
            self.assertEqual(ids.count("best:unified:" + panel), 1, panel)
        self.assertEqual(ids.count("line:single-item:test.item.auc"), 1)
        panels = [i.split(":")[2] for i in ids if i.startswith("line:unified:")]
        self.assertEqual(panels, ["loss", "valid.query.auc", "test.query.auc", "valid.item.auc", "test.item.auc"])
        self.assertEqual(plot_runs.Run(single).tasks, ["item"])
        self.assertNotIn("line:single-item:test.query.auc", ids)
        text = read(svg)
        self.assertIn("item: test auc", text)
        self.assertIn("query: valid auc", text)
        # --metric TASK.METRIC and SPLIT.METRIC narrow the panels
        ids = svg_ids(self.draw([unified], "item.svg", "--metric", "test.item.auc"))
        self.assertEqual([i for i in ids if i.startswith("line:")], ["line:unified:loss", "line:unified:test.item.auc"])

    def test_epoch_axis_is_fractional_from_the_summary(self):
        run = plot_runs.Run(simple_run(os.path.join(self.root, "r"), [(0.7, 0.7)] * 4, best_step=100))
        self.assertEqual(run.xs("epoch"), [0.5, 1.0, 1.5, 2.0])  # 200 steps per epoch
        self.assertEqual(run.xs("step"), [100, 200, 300, 400])

    def test_tick_values_are_round(self):
        self.assertEqual(plot_runs.step_formatter(20000), "20k")
        self.assertEqual(plot_runs.step_formatter(1500), "1.5k")
        self.assertEqual(plot_runs.step_formatter(2500000), "2.5M")
        self.assertEqual(plot_runs.step_formatter(300), "300")
        aucs = [(0.6123 + i * 0.0371, 0.5987 + i * 0.0413) for i in range(7)]
        svg = self.draw([simple_run(os.path.join(self.root, "r"), aucs, best_step=700, steps_per_eval=3217)], "t.svg")
        xs, ys = tick_texts(svg, "x"), tick_texts(svg, "y")
        self.assertTrue(xs and ys)
        for t in xs:
            self.assertRegex(t, r"^\d+(\.\d)?k?$")
        for t in ys:
            self.assertRegex(t, r"^\d\.\d{1,3}$|^\d$")
            self.assertLessEqual(len(t.rstrip("0")), 5)

    def test_bad_input_is_refused_with_the_file_named(self):
        with self.assertRaisesRegex(plot_runs.RunError, "no metrics.jsonl"):
            plot_runs.Run(os.path.join(self.root, "absent"))
        bad = os.path.join(self.root, "bad")
        os.makedirs(bad)
        with open(os.path.join(bad, "metrics.jsonl"), "w") as f:
            f.write('{"step": 1}\n{"step": \n{"step": 3}\n')
        with self.assertRaisesRegex(plot_runs.RunError, r"bad/metrics.jsonl:2: not JSON"):
            plot_runs.Run(bad)
        with open(os.path.join(bad, "metrics.jsonl"), "w") as f:
            f.write('{"step": 1, "test": {"auc": 0.6}}\n{"step": 2, "te')  # being written
        self.assertEqual(len(plot_runs.Run(bad).evals), 1)
        empty = write_run(os.path.join(self.root, "empty"), [])
        with self.assertRaisesRegex(plot_runs.RunError, "no evaluation yet"):
            plot_runs.Run(empty)
        run = simple_run(os.path.join(self.root, "ok"), [(0.7, 0.7)], best_step=100)
        with contextlib.redirect_stderr(io.StringIO()):
            with self.assertRaises(SystemExit):
                self.draw([run], "curves.pdf")
        self.assertFalse(os.path.exists(os.path.join(self.root, "curves.pdf")))
        with self.assertRaisesRegex(SystemExit, "expected"):
            plot_runs.parse_metrics(["valid.item.auc.x"])
        with self.assertRaisesRegex(SystemExit, "cannot write"):
            plot_runs.plot([plot_runs.Run(run)], os.path.join(self.root, "no", "dir", "c.png"))


if __name__ == "__main__":
    unittest.main()

// score(): input lines -> requests -> candidate scores in blocks -> JSON lines.
#include "atrank/infer/score.hpp"

#include <ostream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "atrank/infer/files.hpp"
#include "atrank/train/checked_file.hpp"
#include "atrank/infer/history.hpp"
#include "atrank/infer/score_input.hpp"
#include "atrank/infer/scoring.hpp"
#include "atrank/tensor/gemm.hpp"

namespace atrank::infer {

void score(const ScoreOptions& o, std::ostream& out, std::ostream& log) {
  if (o.threads < 0) throw std::invalid_argument("--threads must be positive");
  const std::string bytes = read_bytes(o.input);
  TrainedRun run(o.run, o.from);
  run.require_history_encoder("atrank score");
  const ScoreSchema schema(run.ids, run.layout, /*candidates=*/true);
  std::vector<ScoreRequest> requests;
  const ScoreInputReport report = read_score_input(bytes, schema, 0, o.input, o.skip_bad_lines,
                                                   [&](ScoreRequest&& r) { requests.push_back(std::move(r)); });
  if (report.lines == 0) throw std::runtime_error(o.input + ": no input lines");

  set_blas_threads(1);  // threads split the lines; each product is small
  ScoringThreads<float> threads(int(o.threads > 0 ? o.threads : run.plan.spec.train.threads));
  std::vector<std::string> lines(requests.size());
  threads.run(std::int64_t(requests.size()), [&](std::int64_t i, ScoringScratch<float>& w) {
    const ScoreRequest& r = requests[std::size_t(i)];
    fill_batch(run.layout, input_history(run.layout, r.history, r.has_time, r.time), w.batch);
    w.scores.resize(r.candidates.size());
    score_candidates(run.model, w.tape, r.task, w.batch, r.candidates.data(), std::int64_t(r.candidates.size()),
                     w.scores.data());
    nlohmann::ordered_json j;  // keys in the order written
    j["line"] = r.line;
    if (!r.user.empty()) j["user"] = r.user;
    j["scores"] = w.scores;
    lines[std::size_t(i)] = j.dump() + "\n";
  });

  std::string text;
  for (const auto& l : lines) text += l;
  if (o.output.empty()) {
    out << text;
    out.flush();
  } else {
    train::write_file_atomically(o.output, text);
  }
  if (report.skipped > 0) {
    log << fmt::format("atrank: skipped {} bad line(s) of {} (--skip-bad-lines); first:\n", report.skipped, o.input);
    for (const auto& m : report.messages) log << "  " << m << "\n";
  }
  log << fmt::format("atrank: scored {} line(s) of {} (checkpoint {})\n", requests.size(), o.input, run.checkpoint);
}

}  // namespace atrank::infer

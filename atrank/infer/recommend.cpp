// recommend(): subjects (dataset users or input histories) -> catalogue scores -> top-K -> lines.
#include "atrank/infer/recommend.hpp"

#include <chrono>
#include <ctime>
#include <map>
#include <ostream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "atrank/data/dataset.hpp"
#include "atrank/data/fields.hpp"
#include "atrank/data/line_reader.hpp"
#include "atrank/infer/files.hpp"
#include "atrank/infer/history.hpp"
#include "atrank/infer/score_input.hpp"
#include "atrank/infer/scoring.hpp"
#include "atrank/infer/top_k.hpp"
#include "atrank/tensor/gemm.hpp"

namespace atrank::infer {

namespace {

// Someone to recommend for.
struct Subject {
  std::string label;    // the raw user id, or an input line's `user` (else its line number)
  std::int64_t line = 0;  // input line (--history), 0 for a dataset user
  int task = 0;
  UserHistory history;
};

// (raw id, where it was given) of every --user and every line of --users.
std::vector<std::pair<std::string, std::string>> requested_users(const RecommendOptions& o) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& u : o.users) out.emplace_back(u, "--user");
  if (o.users_file.empty()) return out;
  data::LineReader reader(o.users_file);
  std::string_view line;
  while (reader.next(line)) {
    const std::string_view id = data::trim(line);
    if (!id.empty()) out.emplace_back(std::string(id), o.users_file + ":" + std::to_string(reader.line_number()));
  }
  if (out.empty()) throw std::runtime_error(o.users_file + ": no user ids (one raw user id per line)");
  return out;
}

std::vector<Subject> dataset_subjects(const RecommendOptions& o, const TrainedRun& run, int task) {
  const auto requested = requested_users(o);
  const data::IdMap users = data::row_lookup(run.ids.vocab.original_ids.at("user"), "user");
  std::vector<std::int32_t> rows;
  for (const auto& [id, where] : requested) {
    const std::int32_t row = users.find(id);
    if (row < 0) throw std::runtime_error(where + ": unknown user \"" + id + "\" (not in the run's id map ids/user.tsv)");
    rows.push_back(row);
  }
  const data::Dataset data = data::Dataset::load(run.plan.spec);
  data::check_same_ids(run.ids.vocab, data.vocab(), run.dir);
  std::vector<Subject> out;
  for (std::size_t i = 0; i < rows.size(); ++i)
    out.push_back({requested[i].first, 0, task, dataset_history(data, rows[i])});
  return out;
}

std::vector<Subject> input_subjects(const RecommendOptions& o, const TrainedRun& run, int task) {
  run.require_history_encoder("--history");
  const ScoreSchema schema(run.ids, run.layout, /*candidates=*/false);
  std::vector<Subject> out;
  const ScoreInputReport report =
      read_score_input(read_bytes(o.history_file), schema, task, o.history_file, false, [&](ScoreRequest&& r) {
        const std::string label = r.user.empty() ? std::to_string(r.line) : r.user;
        out.push_back({label, r.line, r.task, input_history(run.layout, std::move(r.history), r.has_time, r.time)});
      });
  if (report.lines == 0) throw std::runtime_error(o.history_file + ": no input lines");
  return out;
}

std::string tsv_lines(const Subject& s, const std::vector<Ranked<float>>& top, const std::vector<std::string>& raw) {
  std::string out;
  const std::string user = data::escape_id(s.label);
  for (std::size_t r = 0; r < top.size(); ++r)
    out += fmt::format("{}\t{}\t{}\t{}\n", user, r + 1, data::escape_id(raw[std::size_t(top[r].row)]), top[r].score);
  return out;
}

std::string json_line(const Subject& s, const std::string& task, const std::vector<Ranked<float>>& top,
                      const std::vector<std::string>& raw) {
  nlohmann::ordered_json j;  // keys in the order written
  j["user"] = s.label;
  if (s.line > 0) j["line"] = s.line;
  j["task"] = task;
  j["recommendations"] = nlohmann::ordered_json::array();
  for (std::size_t r = 0; r < top.size(); ++r)
    j["recommendations"].push_back(
        {{"rank", r + 1}, {"object", raw[std::size_t(top[r].row)]}, {"score", top[r].score}});
  return j.dump() + "\n";
}

// CPU seconds of the whole process (every thread): unlike wall time, not
// inflated when other programs share the cores.
double process_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

}  // namespace

void recommend(const RecommendOptions& o, std::ostream& out, std::ostream& log) {
  if (o.k <= 0) throw std::invalid_argument("--k must be a positive number of objects, got " + std::to_string(o.k));
  const bool from_history = !o.history_file.empty();
  if (from_history && (!o.users.empty() || !o.users_file.empty()))
    throw std::invalid_argument("--history replaces --user and --users: give one or the other");
  if (!from_history && o.users.empty() && o.users_file.empty())
    throw std::invalid_argument("nothing to recommend for: give --user ID, --users FILE or --history FILE");
  if (o.threads < 0) throw std::invalid_argument("--threads must be positive");

  TrainedRun run(o.run, o.from);
  const int task = run.task(o.task);
  const std::vector<Subject> subjects = from_history ? input_subjects(o, run, task) : dataset_subjects(o, run, task);

  std::map<int, Catalogue<float>> catalogues;  // the tasks the subjects use
  autodiff::Tape<float> tape;
  for (const Subject& s : subjects)
    if (!catalogues.count(s.task)) catalogues.emplace(s.task, make_catalogue(run.model, tape, s.task, run.objects(s.task)));

  set_blas_threads(1);  // threads split the users; each product is small
  ScoringThreads<float> threads(int(o.threads > 0 ? o.threads : run.plan.spec.train.threads));
  std::vector<std::string> lines(subjects.size());
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = process_cpu_seconds();
  threads.run(std::int64_t(subjects.size()), [&](std::int64_t i, ScoringScratch<float>& w) {
    const Subject& s = subjects[std::size_t(i)];
    const Catalogue<float>& c = catalogues.at(s.task);
    const std::string& space = run.target_space(s.task);
    fill_batch(run.layout, s.history, w.batch);
    w.scores.resize(std::size_t(c.size));
    score_catalogue(run.model, w.tape, c, w.batch, w.scores.data());
    const std::vector<char> seen = o.exclude_seen ? seen_objects(run.layout, s.history, space, c.size) : std::vector<char>{};
    const auto top = top_k(w.scores.data(), c.size, o.k, seen);
    const auto& raw = run.ids.vocab.original_ids.at(space);
    lines[std::size_t(i)] = o.json ? json_line(s, run.layout.tasks[std::size_t(s.task)].name, top, raw) : tsv_lines(s, top, raw);
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_ms_per_user = 1e3 * (process_cpu_seconds() - cpu_start) / double(subjects.size());

  if (!o.json) out << "user\trank\tobject\tscore\n";
  for (const auto& l : lines) out << l;
  out.flush();
  std::int64_t objects = 0, events = 0;
  for (const auto& [k, c] : catalogues) objects = std::max(objects, c.size);
  for (const Subject& s : subjects) events += history_length(run.layout, s.history);
  log << fmt::format("atrank: recommended for {} user(s) among {} object(s) in {:.3f} s ({:.1f} users/s, {} thread(s), "
                     "mean history {:.1f} events, {:.1f} CPU ms per user, checkpoint {})\n",
                     subjects.size(), objects, seconds, double(subjects.size()) / std::max(seconds, 1e-9),
                     threads.size(), double(events) / double(subjects.size()), cpu_ms_per_user, run.checkpoint);
}

}  // namespace atrank::infer

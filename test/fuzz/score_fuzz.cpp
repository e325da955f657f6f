// The input of `atrank score` / `recommend --history` (JSON lines) -> read_score_input, against a
// fixed schema built once: behaviors click (items) and search (queries), one group each, tasks
// item and query; items i0, i1, i2 and 17, queries q0 and q1. ScoreInputError is the documented
// failure. Input: one byte of options (bit 0: candidates, as score, else none, as recommend; bit
// 3 with bit 0: candidates optional, as explain; bit 1: skip bad lines; bit 2: default task
// query), then the file. Every request handed on must hold only what the schema knows: rows inside
// their id map, a grouped behavior, a known task, candidates where required and none where not
// allowed, lines in order; every message names the source and a line of the input.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "atrank/infer/score_input.hpp"
#include "test/fuzz/fuzz_util.hpp"

using namespace atrank;

namespace {

const std::string kSource = "in.jsonl";

data::IdMaps id_maps() {
  data::IdMaps m;
  auto& v = m.vocab;
  v.original_ids["item"] = {"i0", "i1", "i2", "17"};
  v.original_ids["query"] = {"q0", "q1"};
  v.original_ids["user"] = {"u0"};
  v.behaviors = {"click", "search"};
  v.original_ids["behavior"] = v.behaviors;
  for (const auto& [space, raw] : v.original_ids) v.sizes[space] = std::int64_t(raw.size());
  m.behavior_space = {"item", "query"};
  return m;
}

data::Layout layout() {
  data::Layout l;
  l.groups = {{"item", "item", {0}, {2, 4}, 86400}, {"query", "query", {1}, {2}, 86400}};
  l.tasks = {{"item", 0}, {"query", 1}};
  return l;
}

const data::IdMaps kIds = id_maps();
const data::Layout kLayout = layout();
const infer::ScoreSchema kScoring(kIds, kLayout, true);
const infer::ScoreSchema kRecommending(kIds, kLayout, false);
const infer::ScoreSchema kExplaining(kIds, kLayout, true, /*candidates_required=*/false);

[[noreturn]] void broken(const char* what, std::int64_t line) {
  std::fprintf(stderr, "read_score_input: %s (line %lld)\n", what, static_cast<long long>(line));
  std::abort();
}

std::int64_t size_of(const std::string& space) { return kIds.vocab.sizes.at(space); }

// A message must be "in.jsonl:<line>: ..." with a line of the input.
void check_message(const std::string& message, std::int64_t lines) {
  if (message.compare(0, kSource.size() + 1, kSource + ":") != 0) broken("message without the source", 0);
  const std::int64_t line = std::atoll(message.c_str() + kSource.size() + 1);
  if (line < 1 || line > lines) broken("message names a line outside the input", line);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned options = data[0];
  const std::string_view text = fuzz::bytes(data + 1, size - 1);
  const infer::ScoreSchema& schema = !(options & 1) ? kRecommending : options & 8 ? kExplaining : kScoring;
  const bool skip = options & 2;
  const int default_task = options & 4 ? 1 : 0;
  std::int64_t lines = 1;  // lines of the input, as the reader counts them (a last one without \n too)
  for (const char c : text) lines += c == '\n';

  std::int64_t last = 0;
  const auto use = [&](infer::ScoreRequest&& r) {
    if (r.line <= last || r.line > lines) broken("request lines out of order", r.line);
    last = r.line;
    if (r.task < 0 || r.task >= schema.tasks()) broken("unknown task", r.line);
    for (const auto& e : r.history) {
      if (e.behavior < 0 || e.behavior >= 2 || !schema.in_a_group(e.behavior)) broken("bad behavior", r.line);
      if (e.object < 0 || e.object >= size_of(schema.space_of_behavior(e.behavior))) broken("bad object", r.line);
    }
    if (schema.requires_candidates() && r.candidates.empty()) broken("required candidates missing", r.line);
    if (!schema.wants_candidates() && !r.candidates.empty()) broken("candidates where they do not belong", r.line);
    for (const std::int32_t c : r.candidates)
      if (c < 0 || c >= size_of(schema.space_of_task(r.task))) broken("bad candidate", r.line);
  };
  try {
    const auto report = infer::read_score_input(text, schema, default_task, kSource, skip, use);
    if (report.skipped < 0 || report.skipped > report.lines || report.lines > lines) broken("bad report counts", 0);
    if (report.messages.size() != std::min<std::size_t>(std::size_t(report.skipped), report.kMaxMessages))
      broken("messages do not match the skipped lines", 0);
    for (const auto& m : report.messages) check_message(m, lines);
  } catch (const infer::ScoreInputError& e) {
    if (skip) broken("an error although bad lines are skipped", e.line());
    if (e.line() < 1 || e.line() > lines) broken("error names a line outside the input", e.line());
    check_message(e.what(), lines);
  }
  return 0;
}

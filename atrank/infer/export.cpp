// export_run(): tables as TSV + metadata, parameters as .npz, a manifest.
#include "atrank/infer/export.hpp"

#include <filesystem>
#include <ostream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "atrank/infer/files.hpp"
#include "atrank/train/checked_file.hpp"
#include "atrank/infer/npz.hpp"

namespace atrank::infer {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The label of each row of a group's time table: the gaps its bucket holds.
std::vector<std::string> bucket_labels(const spec::GroupPlan& g, std::int64_t rows, std::int64_t unit_seconds) {
  const auto& e = g.time.edges;
  const std::string unit = unit_seconds == 86400 ? " days" : unit_seconds == 3600 ? " hours"
                           : unit_seconds == 1   ? " seconds"
                                                 : " x " + std::to_string(unit_seconds) + " s";
  std::vector<std::string> out;
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto i = std::size_t(r);
    if (e.empty()) out.push_back("all gaps");
    else if (i == 0) out.push_back("gap < " + std::to_string(e[0]) + unit);
    else if (i < e.size()) out.push_back("gap " + std::to_string(e[i - 1]) + ".." + std::to_string(e[i] - 1) + unit);
    else out.push_back("gap >= " + std::to_string(e.back()) + unit);
  }
  return out;
}

// The raw id of each row of table i (rows beyond the id map, from a larger
// `vocab.<space>`, have none: "<row N>").
std::vector<std::string> row_labels(const TrainedRun& run, int i, std::int64_t rows) {
  const spec::TablePlan& t = run.plan.tables[std::size_t(i)];
  if (t.vocab == spec::kTimeBuckets)
    for (std::size_t g = 0; g < run.plan.groups.size(); ++g)
      if (run.plan.groups[g].time.table == i) return bucket_labels(run.plan.groups[g], rows, run.layout.groups[g].unit_seconds);
  std::vector<std::string> out;
  const auto it = run.ids.vocab.original_ids.find(t.vocab);
  for (std::int64_t r = 0; r < rows; ++r) {
    if (it != run.ids.vocab.original_ids.end() && r < std::int64_t(it->second.size()))
      out.push_back(data::escape_id(it->second[std::size_t(r)]));
    else
      out.push_back("<row " + std::to_string(r) + ">");
  }
  return out;
}

std::string vectors_tsv(const autodiff::EmbeddingTable<float>& t) {
  std::string out;
  for (std::int64_t r = 0; r < t.rows; ++r) {
    const float* v = t.row(r);
    for (std::int64_t j = 0; j < t.width; ++j) out += fmt::format(j ? "\t{}" : "{}", v[j]);
    out += '\n';
  }
  return out;
}

std::vector<std::int64_t> dims(const autodiff::Shape& s) { return {s.dims.begin(), s.dims.begin() + s.rank}; }

}  // namespace

void export_run(const ExportOptions& o, std::ostream& log) {
  if (o.out.empty()) throw std::invalid_argument("--out DIR is required");
  TrainedRun run(o.run, o.from);
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) throw std::runtime_error("cannot create " + o.out + ": " + ec.message());
  const fs::path dir(o.out);

  json manifest;
  manifest["format"] = 1;
  manifest["run"] = run.dir;
  manifest["checkpoint"] = fs::path(run.checkpoint).filename().string();
  manifest["step"] = run.step;
  manifest["spec_fingerprint"] = fmt::format("{:016x}", run.fingerprint);
  manifest["id_spaces"] = json::object();
  for (const auto& [space, n] : run.ids.vocab.sizes) manifest["id_spaces"][space] = n;
  manifest["parameters"] = json::array();
  manifest["tables"] = json::array();

  NpzWriter npz((dir / "model.npz").string());
  auto& arena = run.model.dense();
  for (const auto& s : arena.slices()) {
    npz.add(s.name, dims(s.shape), arena.values().data() + s.offset);
    manifest["parameters"].push_back(
        {{"name", s.name}, {"shape", dims(s.shape)}, {"section", "dense"}, {"offset", s.offset}});
  }
  const auto tables = run.model.tables();
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const auto& t = *tables[i];
    npz.add(t.name, {t.rows, t.width}, t.values.data());
    manifest["parameters"].push_back(
        {{"name", t.name}, {"shape", {t.rows, t.width}}, {"section", "table/" + t.name}, {"offset", 0}});
    std::string metadata;
    for (const auto& label : row_labels(run, int(i), t.rows)) metadata += label + "\n";
    train::write_file_atomically((dir / (t.name + ".tsv")).string(), vectors_tsv(t));
    train::write_file_atomically((dir / (t.name + ".metadata.tsv")).string(), metadata);
    manifest["tables"].push_back({{"name", t.name},
                                  {"id_space", run.plan.tables[i].vocab},
                                  {"rows", t.rows},
                                  {"width", t.width},
                                  {"vectors", t.name + ".tsv"},
                                  {"metadata", t.name + ".metadata.tsv"}});
  }
  npz.save();
  train::write_file_atomically((dir / "manifest.json").string(), manifest.dump(2) + "\n");
  log << fmt::format("atrank: exported {} parameter(s), {} table(s) of {} ({}) to {}\n",
                     manifest["parameters"].size(), tables.size(), run.dir, manifest["checkpoint"].get<std::string>(),
                     o.out);
}

}  // namespace atrank::infer

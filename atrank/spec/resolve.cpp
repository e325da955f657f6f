// Derived defaults, filled after parsing so that consumers read concrete values.
#include "atrank/spec/load.hpp"

namespace atrank::spec {

namespace {
std::string stem(const std::string& path) {
  std::string base = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const auto dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}
}  // namespace

void resolve(Spec& s) {
  if (s.name.empty()) s.name = stem(s.file);
  for (auto& a : s.data.attributes) {
    if (a.object_space.empty()) a.object_space = s.data.object_space;
    if (a.column.empty()) a.column = a.name;
    if (!a.path.empty() && a.object_column.empty()) a.object_column = a.object_space;
  }
  for (auto& t : s.tables)
    if (t.vocab.empty()) t.vocab = t.name;
  for (auto& g : s.groups) {
    const std::string path = "groups." + g.name + ".time";
    if (g.object.empty()) g.object = s.data.object_space;
    if (g.time.table.empty()) g.time.table = g.name + "_time";
    // Only an unwritten unit is inherited: a written 0 is an error (make_plan()), not "the default".
    if (g.time.unit_seconds == 0 && !s.origins.count(path + ".unit_seconds"))
      g.time.unit_seconds = s.data.time_unit_seconds;
    if (parse_choice<EdgesKind>(g.time.edges_kind) == EdgesKind::Log2) {
      // The authors' edges: 2, 4, ..., 2^count (make_plan() rejects counts outside 1..kMaxLog2Edges).
      g.time.edges.clear();
      if (g.time.count >= 1 && g.time.count <= kMaxLog2Edges) g.time.edges = bucket_edges(g.time);
    } else if (!s.origins.count(path + ".count")) {
      g.time.count = static_cast<std::int64_t>(g.time.edges.size());
    }
    if (g.projection.width == 0) g.projection.width = s.encoder.hidden;
  }
  for (auto& t : s.tasks)
    if (t.target.empty()) t.target = t.name;
}

}  // namespace atrank::spec

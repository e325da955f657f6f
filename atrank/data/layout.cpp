// Resolving spec groups and tasks to behavior ids, with errors that list the valid names.
#include "atrank/data/layout.hpp"

#include <algorithm>

#include "atrank/data/data_error.hpp"
#include "atrank/spec/plan.hpp"

namespace atrank::data {

namespace {
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s.empty() ? "(none)" : s;
}
}  // namespace

int Layout::group_index(const std::string& name) const {
  for (std::size_t g = 0; g < groups.size(); ++g)
    if (groups[g].name == name) return static_cast<int>(g);
  return -1;
}

Layout make_layout(const spec::Spec& spec, const Vocabulary& vocab,
                   const std::vector<std::string>& behavior_space) {
  Layout layout;
  layout.history_cap = spec.data.history_cap;
  if (layout.history_cap < 0) throw DataError("data.history_cap must be >= 0");

  std::vector<spec::GroupSpec> groups = spec.groups;
  if (groups.empty()) {
    spec::GroupSpec g;
    g.name = "history";
    g.object = spec.data.object_space;
    groups.push_back(g);
  }
  for (const auto& gs : groups) {
    Layout::Group g;
    g.name = gs.name;
    g.object_space = gs.object.empty() ? spec.data.object_space : gs.object;
    g.edges = spec::bucket_edges(gs.time);
    g.unit_seconds = gs.time.unit_seconds > 0 ? gs.time.unit_seconds : spec.data.time_unit_seconds;
    if (g.unit_seconds <= 0) throw DataError("data.time_unit_seconds must be positive");
    if (!std::is_sorted(g.edges.begin(), g.edges.end()))
      throw DataError("groups." + gs.name + ".time.edges must be ascending");
    if (gs.behaviors.empty()) {
      for (std::size_t b = 0; b < vocab.behaviors.size(); ++b)
        if (behavior_space[b] == g.object_space) g.behaviors.push_back(static_cast<std::int32_t>(b));
      if (g.behaviors.empty())
        throw DataError("group '" + gs.name + "': no behavior in the data has object space '" +
                        g.object_space + "' (behaviors: " + join(vocab.behaviors) + ")");
    }
    for (const auto& name : gs.behaviors) {
      auto it = std::find(vocab.behaviors.begin(), vocab.behaviors.end(), name);
      if (it == vocab.behaviors.end())
        throw DataError("group '" + gs.name + "': behavior '" + name +
                        "' does not occur in the data (behaviors: " + join(vocab.behaviors) + ")");
      const auto b = static_cast<std::int32_t>(it - vocab.behaviors.begin());
      if (behavior_space[b] != g.object_space)
        throw DataError("group '" + gs.name + "' has object space '" + g.object_space +
                        "' but behavior '" + name + "' has objects in '" + behavior_space[b] +
                        "' (set data.behavior_object_space or the group's object)");
      g.behaviors.push_back(b);
    }
    layout.groups.push_back(std::move(g));
  }

  if (spec.tasks.empty()) {
    layout.tasks.push_back({"task", 0});
  }
  for (const auto& ts : spec.tasks) {
    const int g = layout.group_index(ts.target);
    if (g < 0) {
      std::vector<std::string> names;
      for (const auto& x : layout.groups) names.push_back(x.name);
      throw DataError("task '" + ts.name + "': target group '" + ts.target +
                      "' does not exist (groups: " + join(names) + ")");
    }
    layout.tasks.push_back({ts.name, g});
  }
  return layout;
}

}  // namespace atrank::data

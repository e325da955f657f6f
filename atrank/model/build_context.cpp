// Vocabulary sizes and declared-table lookups for the interpreter.
#include "atrank/model/build_context.hpp"

#include <stdexcept>

namespace atrank::model {

std::int64_t vocab_size(const spec::Spec& spec, const data::Vocabulary& vocab,
                        const std::string& space, const std::string& user) {
  const std::int64_t from_data = vocab.size(space);
  auto it = spec.vocab.find(space);
  if (it != spec.vocab.end()) {
    if (it->second <= 0)
      throw std::invalid_argument("vocab." + space + " = " + std::to_string(it->second) +
                                  " must be positive");
    if (from_data > it->second)
      throw std::invalid_argument("vocab." + space + " = " + std::to_string(it->second) +
                                  " is smaller than the " + std::to_string(from_data) +
                                  " ids the data has in `" + space + "`");
    return it->second;
  }
  if (from_data > 0) return from_data;
  throw VocabularyUnknown("vocabulary size for `" + space + "` unknown (needed by " + user +
                              "): pass --set vocab." + space + "=N or make the data available",
                          space);
}

const spec::TableSpec* find_table(const spec::Spec& spec, const std::string& name) {
  for (const auto& t : spec.tables)
    if (t.name == name) return &t;
  return nullptr;
}

const spec::GroupSpec* find_group(const spec::Spec& spec, const std::string& name) {
  for (const auto& g : spec.groups)
    if (g.name == name) return &g;
  return nullptr;
}

int group_index(const spec::Spec& spec, const std::string& name) {
  for (std::size_t i = 0; i < spec.groups.size(); ++i)
    if (spec.groups[i].name == name) return int(i);
  return -1;
}

std::vector<std::int64_t> time_edges(const spec::TimeSpec& time) {
  if (!time.edges.empty() || time.edges_kind != "log2") return time.edges;
  std::vector<std::int64_t> e;
  for (std::int64_t i = 1; i <= time.count; ++i) e.push_back(std::int64_t(1) << i);
  return e;
}

namespace {
std::string declared_names(const spec::Spec& spec) {
  std::string s;
  for (const auto& t : spec.tables) s += (s.empty() ? "" : ", ") + t.name;
  return s.empty() ? "none" : s;
}
}  // namespace

template <class T>
int BuildContext<T>::use_table(const std::string& name, const std::string& user,
                               const std::string& space, std::int64_t width) {
  const spec::TableSpec* ts = find_table(spec, name);
  if (ts == nullptr)
    throw std::invalid_argument(user + " uses table `" + name +
                                "`, which is not declared in [[tables]] (declared: " +
                                declared_names(spec) + ")");
  if (!space.empty() && ts->vocab != space)
    throw std::invalid_argument(user + " looks up `" + space + "` ids in table `" + name +
                                "`, whose rows are `" + ts->vocab + "` ids");
  if (width > 0 && ts->width != width)
    throw std::invalid_argument(user + " needs table `" + name + "` " + std::to_string(width) +
                                " wide, but it is declared " + std::to_string(ts->width) +
                                " wide");
  const std::int64_t rows = vocab_size(spec, vocab, ts->vocab, "table `" + name + "`");
  return params.tables.use(name, ts->vocab, rows, ts->width, nn::parse_init(ts->init, ts->init_scale),
                           user);
}

template struct BuildContext<float>;
template struct BuildContext<double>;

}  // namespace atrank::model

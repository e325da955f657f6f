// to_toml: the resolved spec as TOML, in the order of the language's sections;
// parse_spec reads it back to an equal Spec.
#include <sstream>

#include "atrank/spec/load.hpp"
#include "atrank/spec/schema.hpp"

namespace atrank::spec {

namespace {
template <class T>
void write_fields(std::ostream& os, const T& v, const std::vector<Field<T>>& fields) {
  for (const auto& f : fields)
    if (const auto text = f.write(v)) os << emit_key(f.key) << " = " << *text << "\n";
}

std::string header(const std::string& section, const std::string& name) {
  return "\n[" + section + "." + emit_key(name) + "]\n";
}
}  // namespace

std::string to_toml(const Spec& s) {
  std::ostringstream os;
  os << "# Resolved atrank spec (defaults filled, overrides applied); `atrank` reads it as is.\n";
  write_fields(os, s, spec_fields());

  os << "\n[data]\n";
  write_fields(os, s.data, data_fields());
  for (const auto& a : s.data.attributes) {
    os << "\n[[data.attributes]]\n";
    write_fields(os, a, attribute_fields());
  }

  os << "\n[vocab]\n";
  for (const auto& [space, size] : s.vocab) os << emit_key(space) << " = " << size << "\n";

  for (const auto& t : s.tables) {
    os << header("tables", t.name);
    write_fields(os, t, table_fields());
  }
  for (const auto& g : s.groups) {
    os << header("groups", g.name);
    write_fields(os, g, group_fields());
    os << header("groups." + emit_key(g.name), "time");
    write_fields(os, g.time, time_fields());
    os << header("groups." + emit_key(g.name), "projection");
    write_fields(os, g.projection, projection_fields());
  }

  os << "\n[encoder]\n";
  write_fields(os, s.encoder, encoder_fields());
  for (const auto& t : s.tasks) {
    os << header("tasks", t.name);
    write_fields(os, t, task_fields());
  }
  os << "\n[train]\n";
  write_fields(os, s.train, train_fields());
  os << "\n[eval]\n";
  write_fields(os, s.eval, eval_fields());
  return os.str();
}

}  // namespace atrank::spec

// load_plan / parse_plan: text -> TOML tree -> overrides -> typed Spec -> resolve -> plan.
#include "atrank/spec/load.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "atrank/spec/document.hpp"
#include "atrank/spec/schema.hpp"

namespace atrank::spec {

Plan parse_plan(const std::string& toml_text, const std::string& name, const std::vector<std::string>& overrides) {
  Document doc = read_document(toml_text, name);
  apply_overrides(doc, overrides);
  Spec spec;
  spec.file = name;
  read_fields(At{&doc, &doc.root, "", &spec}, spec_fields(), spec);
  resolve(spec);
  return make_plan(spec);
}

Plan load_plan(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SpecError(path + ": cannot read the spec file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_plan(text.str(), path, overrides);
}

Spec parse_spec(const std::string& toml_text, const std::string& name, const std::vector<std::string>& overrides) {
  return parse_plan(toml_text, name, overrides).spec;
}

Spec load_spec(const std::string& path, const std::vector<std::string>& overrides) {
  return load_plan(path, overrides).spec;
}

}  // namespace atrank::spec

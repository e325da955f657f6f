// load_spec / parse_spec: text -> TOML tree -> overrides -> typed Spec -> resolve -> validate.
#include "atrank/spec/load.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "atrank/spec/document.hpp"
#include "atrank/spec/schema.hpp"

namespace atrank::spec {

Spec parse_spec(const std::string& toml_text, const std::string& name, const std::vector<std::string>& overrides) {
  Document doc = read_document(toml_text, name);
  apply_overrides(doc, overrides);
  Spec spec;
  spec.file = name;
  read_fields(At{&doc, &doc.root, "", &spec}, spec_fields(), spec);
  resolve(spec);
  validate(spec);
  return spec;
}

Spec load_spec(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SpecError(path + ": cannot read the spec file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_spec(text.str(), path, overrides);
}

}  // namespace atrank::spec

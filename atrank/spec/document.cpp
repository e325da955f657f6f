// Reading the TOML tree and locating its nodes for error messages.
#include "atrank/spec/document.hpp"

#include <sstream>

#include <fmt/format.h>

#include "atrank/spec/load.hpp"

namespace atrank::spec {

namespace {
const std::string kSetPrefix = "--set ";

std::string override_key(const Origin& o) {
  const std::string a = o.file.substr(kSetPrefix.size());
  const auto eq = a.find('=');
  std::string key = a.substr(0, eq);
  while (!key.empty() && key.back() == ' ') key.pop_back();
  while (!key.empty() && key.front() == ' ') key.erase(key.begin());
  return key;
}
}  // namespace

Origin override_origin(const std::string& assignment) {
  Origin o;
  o.file = kSetPrefix + assignment;
  return o;
}

bool is_override(const Origin& o) { return o.line == 0 && o.file.rfind(kSetPrefix, 0) == 0; }

std::string message(const Origin& origin, const std::string& path, const std::string& what) {
  std::string where = origin.str();
  if (where.empty()) where = "<spec>";
  if (path.empty() || (is_override(origin) && override_key(origin) == path)) return where + ": " + what;
  return where + ": " + path + ": " + what;
}

void fail(const Origin& origin, const std::string& path, const std::string& what) {
  throw SpecError(message(origin, path, what));
}

Origin Document::origin(const toml::node& node) const {
  if (auto it = set_by.find(&node); it != set_by.end()) return override_origin(it->second);
  Origin o;
  o.file = file;
  o.line = static_cast<int>(node.source().begin.line);
  o.column = static_cast<int>(node.source().begin.column);
  return o;
}

Origin Document::origin(const toml::key& key, const toml::node& value) const {
  if (set_by.count(&value) || key.source().begin.line == 0) return origin(value);
  Origin o;
  o.file = file;
  o.line = static_cast<int>(key.source().begin.line);
  o.column = static_cast<int>(key.source().begin.column);
  return o;
}

Document read_document(const std::string& text, const std::string& file) {
  Document doc;
  doc.file = file;
  try {
    doc.root = toml::parse(std::string_view(text), std::string_view(file));
  } catch (const toml::parse_error& e) {
    Origin o;
    o.file = file;
    o.line = static_cast<int>(e.source().begin.line);
    o.column = static_cast<int>(e.source().begin.column);
    throw SpecError(message(o, "", "TOML syntax error: " + std::string(e.description())));
  }
  return doc;
}

std::string describe(const toml::node& node) {
  std::ostringstream os;
  switch (node.type()) {
    case toml::node_type::string: os << "a string (\"" << node.as_string()->get() << "\")"; break;
    case toml::node_type::integer: os << "an integer (" << node.as_integer()->get() << ")"; break;
    case toml::node_type::floating_point: {
      std::string v = fmt::format("{}", node.as_floating_point()->get());
      if (v.find_first_of(".eEn") == std::string::npos) v += ".0";
      os << "a float (" << v << ")";
      break;
    }
    case toml::node_type::boolean: os << "a boolean (" << (node.as_boolean()->get() ? "true" : "false") << ")"; break;
    case toml::node_type::table: os << "a table"; break;
    case toml::node_type::array: os << "an array"; break;
    default: os << "a date/time"; break;
  }
  return os.str();
}

bool is_identifier(const std::string& s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace atrank::spec

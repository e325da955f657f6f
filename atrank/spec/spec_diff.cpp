#include "atrank/spec/spec_diff.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include <toml++/toml.h>

#include "atrank/spec/load.hpp"
#include "atrank/spec/schema.hpp"

namespace atrank::spec {

namespace {

// Every value of `node` under its key path: tables and arrays of tables are
// walked, other values (arrays of numbers or strings too) printed as TOML.
void flatten(const toml::node& node, const std::string& path, std::map<std::string, std::string>& out) {
  if (const toml::table* t = node.as_table()) {
    for (auto&& [k, v] : *t) flatten(v, path.empty() ? std::string(k.str()) : path + "." + std::string(k.str()), out);
    return;
  }
  if (const toml::array* a = node.as_array(); a && !a->empty() && a->is_array_of_tables()) {
    for (std::size_t i = 0; i < a->size(); ++i) flatten(*a->get(i), path + "[" + std::to_string(i) + "]", out);
    return;
  }
  if (const auto* text = node.as_string()) {
    out[path] = emit_value(text->get());  // "text", as the spec writes it
    return;
  }
  std::ostringstream text;
  node.visit([&text](const auto& v) { text << v; });
  out[path] = text.str();
}

std::map<std::string, std::string> keys_of(const Spec& spec) {
  std::map<std::string, std::string> out;
  flatten(toml::parse(to_toml(spec)), "", out);
  return out;
}

}  // namespace

std::vector<KeyDifference> differing_keys(const Spec& before, const Spec& after) {
  const auto a = keys_of(before), b = keys_of(after);
  std::vector<KeyDifference> out;
  for (const auto& [key, value] : a) {
    const auto it = b.find(key);
    if (it == b.end()) out.push_back({key, value, ""});
    else if (it->second != value) out.push_back({key, value, it->second});
  }
  for (const auto& [key, value] : b)
    if (!a.count(key)) out.push_back({key, "", value});
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.key < y.key; });
  return out;
}

}  // namespace atrank::spec

// --set key.path=value: edits the TOML tree before it is read, so overrides
// are type-checked, validated and reported exactly like the file's keys.
#include <cctype>

#include "atrank/spec/document.hpp"
#include "atrank/spec/load.hpp"

namespace atrank::spec {

namespace {

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// "a.b[2].c" -> {"a", "b", "2", "c"}; an empty segment is an error.
std::vector<std::string> split_path(const std::string& key, const Origin& where) {
  std::string normalized;
  for (const char c : key) {
    if (c == '[') normalized += '.';
    else if (c != ']') normalized += c;
  }
  std::vector<std::string> out;
  std::string cur;
  for (const char c : normalized + ".") {
    if (c != '.') {
      cur += c;
      continue;
    }
    if (cur.empty()) fail(where, "", "empty segment in key path `" + key + "`");
    out.push_back(trim(cur));
    cur.clear();
  }
  return out;
}

bool parse_index(const std::string& s, std::size_t& out) {
  if (s.empty() || s.size() > 9) return false;
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  out = static_cast<std::size_t>(std::stoul(s));
  return true;
}

// The value as TOML ("4", "[1, 2]", "{a = 1}", "\"x\"", "true"); text that is
// not a TOML value (a path, a bare word) is taken as a string.
toml::table parse_value(const std::string& text) {
  try {
    toml::table t = toml::parse(std::string_view("v = " + text));
    if (t.size() == 1 && t.contains("v")) return t;
  } catch (const toml::parse_error&) {
  }
  toml::table t;
  t.insert("v", text);
  return t;
}

void mark(Document& doc, const toml::node& node, const std::string& assignment) {
  doc.set_by[&node] = assignment;
  doc.raw_text.erase(&node);  // an address freed by an earlier override may be reused
  if (auto t = node.as_table())
    for (auto&& [k, v] : *t) mark(doc, v, assignment);
  if (auto a = node.as_array())
    for (auto&& v : *a) mark(doc, v, assignment);
}

}  // namespace

void apply_overrides(Document& doc, const std::vector<std::string>& overrides) {
  for (const auto& assignment : overrides) {
    const Origin where = override_origin(assignment);
    const auto eq = assignment.find('=');
    if (eq == std::string::npos) fail(where, "", "expected key.path=value (e.g. encoder.heads=4)");
    const std::string key = trim(assignment.substr(0, eq));
    const std::string text = trim(assignment.substr(eq + 1));
    if (key.empty()) fail(where, "", "expected key.path=value: the key is empty");
    const std::vector<std::string> segs = split_path(key, where);

    toml::node* cur = &doc.root;
    std::string prefix;
    for (std::size_t i = 0; i + 1 < segs.size(); ++i) {
      const std::string& seg = segs[i];
      if (auto t = cur->as_table()) {
        toml::node* child = t->get(seg);
        if (!child) {
          t->insert(seg, toml::table{});
          child = t->get(seg);
          doc.set_by[child] = assignment;
        }
        cur = child;
      } else if (auto a = cur->as_array()) {
        std::size_t idx = 0;
        if (!parse_index(seg, idx)) fail(where, prefix, "is an array: expected an element index, got `" + seg + "`");
        if (idx >= a->size())
          fail(where, prefix, "index " + seg + " out of range (the array has " + std::to_string(a->size()) + " elements)");
        cur = a->get(idx);
      } else {
        fail(where, prefix, "is " + describe(*cur) + ", not a table: cannot set `" + key + "`");
      }
      prefix += (prefix.empty() ? "" : ".") + seg;
    }

    toml::table parsed = parse_value(text);
    toml::node& value = *parsed.get("v");
    const std::string& last = segs.back();
    toml::node* placed = nullptr;
    if (auto t = cur->as_table()) {
      t->insert_or_assign(last, std::move(value));
      placed = t->get(last);
    } else if (auto a = cur->as_array()) {
      std::size_t idx = 0;
      if (!parse_index(last, idx)) fail(where, prefix, "is an array: expected an element index, got `" + last + "`");
      if (idx >= a->size())
        fail(where, prefix, "index " + last + " out of range (the array has " + std::to_string(a->size()) + " elements)");
      a->replace(a->cbegin() + static_cast<std::ptrdiff_t>(idx), std::move(value));
      placed = a->get(idx);
    } else {
      fail(where, prefix, "is " + describe(*cur) + ", not a table: cannot set `" + key + "`");
    }
    mark(doc, *placed, assignment);
    doc.raw_text[placed] = text;
  }
}

}  // namespace atrank::spec

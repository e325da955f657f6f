// The parsed TOML tree of a spec plus where each node came from (file
// position or a --set override), and the one error-message format:
// "file:line:col: key.path: what was expected".
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include <toml++/toml.h>

#include "atrank/spec/spec.hpp"

namespace atrank::spec {

// "origin: path: what"; an override naming exactly `path` already says it:
// "--set encoder.heads=x: expected an integer, got ...".
std::string message(const Origin& origin, const std::string& path, const std::string& what);
[[noreturn]] void fail(const Origin& origin, const std::string& path, const std::string& what);

// Origins of --set overrides: file = "--set key=value", line = 0.
Origin override_origin(const std::string& assignment);
bool is_override(const Origin& origin);

struct Document {
  std::string file;
  toml::table root;
  // Nodes created or replaced by an override -> "key=value" as given.
  std::unordered_map<const toml::node*, std::string> set_by;
  // The override's value node -> its text, so `--set data.path=2024` still reads as a string.
  std::unordered_map<const toml::node*, std::string> raw_text;

  Origin origin(const toml::node& node) const;
  Origin origin(const toml::key& key, const toml::node& value) const;  // where the key is written
};

// Parses TOML text; a syntax error becomes a SpecError "file:line:col: ...".
Document read_document(const std::string& text, const std::string& file);

// Applies "key.path=value" assignments (value parsed as TOML, else taken as a
// bare string); creates missing tables and keys. Unknown keys are reported
// later, by the reader, with the override as their origin.
void apply_overrides(Document& doc, const std::vector<std::string>& overrides);

// "a string (\"x\")", "an integer (3)", "a table", ... for type errors.
std::string describe(const toml::node& node);

// Keys, table/group/task names and id spaces: [A-Za-z0-9_-]+ (so dotted --set paths reach them).
bool is_identifier(const std::string& s);

}  // namespace atrank::spec

// The key schema of the spec language: for every TOML table, its keys, how
// each is read (exact types) into the typed Spec and how it is written back.
// Parsing (unknown keys, did-you-mean), to_toml and the README test share it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "atrank/spec/document.hpp"
#include "atrank/spec/spec.hpp"
#include "atrank/spec/suggest.hpp"

namespace atrank::spec {

// A node being read: the node, its key path ("groups.item.features[1]") and
// the spec whose `origins` records where each key was set.
struct At {
  const Document* doc;
  const toml::node* node;
  std::string path;
  Spec* spec;

  Origin origin() const { return doc->origin(*node); }
  [[noreturn]] void fail(const std::string& what) const { spec::fail(origin(), path, what); }
  At child(const toml::node& n, const std::string& key) const {
    return {doc, &n, path.empty() ? key : path + "." + key, spec};
  }
  At element(const toml::node& n, std::size_t i) const {
    return {doc, &n, path + "[" + std::to_string(i) + "]", spec};
  }
  void record() const {
    if (!path.empty()) spec->origins[path] = origin();
  }
};

// Exact reads: an integer is not a boolean, a float is not an integer; a float
// key accepts an integer literal (learning_rate = 1). A string key set by
// --set accepts any text (data.path=2024).
void read_into(std::int64_t& out, const At& at);
void read_into(int& out, const At& at);
void read_into(std::uint64_t& out, const At& at);
void read_into(double& out, const At& at);
void read_into(bool& out, const At& at);
void read_into(std::string& out, const At& at);
void read_into(std::optional<double>& out, const At& at);
void read_into(std::vector<std::string>& out, const At& at);
void read_into(std::vector<std::int64_t>& out, const At& at);

// TOML literals that read back to the same value (floats round-trip exactly).
std::string emit_value(std::int64_t v);
std::string emit_value(int v);
std::string emit_value(std::uint64_t v);
std::string emit_value(double v);
std::string emit_value(bool v);
std::string emit_value(const std::string& v);
std::string emit_value(const std::vector<std::string>& v);
std::string emit_value(const std::vector<std::int64_t>& v);
std::string emit_key(const std::string& key);  // bare if possible, else quoted

template <class S>
struct Field {
  std::string key;
  std::function<void(S&, const At&)> read;
  // The value as TOML text; nullopt: omitted, or written as its own [section].
  std::function<std::optional<std::string>(const S&)> write;
};

const std::vector<Field<Spec>>& spec_fields();
const std::vector<Field<DataSpec>>& data_fields();
const std::vector<Field<AttributeSpec>>& attribute_fields();
const std::vector<Field<TableSpec>>& table_fields();
const std::vector<Field<FeatureSpec>>& feature_fields();
const std::vector<Field<TimeSpec>>& time_fields();
const std::vector<Field<ProjectionSpec>>& projection_fields();
const std::vector<Field<GroupSpec>>& group_fields();
const std::vector<Field<EncoderSpec>>& encoder_fields();
const std::vector<Field<TaskSpec>>& task_fields();
const std::vector<Field<ScheduleStep>>& schedule_fields();
const std::vector<Field<EarlyStopSpec>>& early_stop_fields();
const std::vector<Field<TrainSpec>>& train_fields();
const std::vector<Field<EvalSpec>>& eval_fields();

// Every key of the language as a path with `*` for names and `[]` for array
// elements: "encoder.heads", "groups.*.time.encoding", "data.attributes[].column".
std::vector<std::string> all_key_paths();

// The entries of a table in the order they were written (overrides last).
std::vector<std::pair<const toml::key*, const toml::node*>> ordered_entries(const toml::table& t);

// Reads a table with the given schema: unknown keys are errors with a
// suggestion; every key read records its origin.
template <class S>
void read_fields(const At& at, const std::vector<Field<S>>& fields, S& out) {
  const toml::table* t = at.node->as_table();
  if (!t) at.fail("expected a table, got " + describe(*at.node));
  at.record();
  std::vector<std::string> keys;
  for (const auto& f : fields) keys.push_back(f.key);
  const auto entries = ordered_entries(*t);
  for (const auto& [k, v] : entries) {
    const std::string key(k->str());
    bool known = false;
    for (const auto& f : fields) known = known || f.key == key;
    if (!known) {
      const std::string hint = did_you_mean(key, keys);
      spec::fail(at.doc->origin(*k, *v), at.child(*v, key).path,
                 "unknown key" + (hint.empty() ? "; valid keys: " + join(keys) : hint));
    }
  }
  for (const auto& [k, v] : entries) {
    const std::string key(k->str());
    for (const auto& f : fields) {
      if (f.key != key) continue;
      const At child = at.child(*v, key);
      child.record();
      f.read(out, child);
    }
  }
}

}  // namespace atrank::spec

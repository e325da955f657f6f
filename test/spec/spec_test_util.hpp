// Helpers for the spec tests: a small valid spec, text edits, and checks that
// an error message names the file, line, key path and the expected choices.
#pragma once

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "atrank/spec/load.hpp"

namespace atrank::spec::test {

// A minimal valid spec (csv data with an item -> category attribute).
inline const std::string kBase = R"(name = "base"

[data]
source = "csv"
path = "events.csv"

[[data.attributes]]
name = "category"
object_space = "item"

[tables.item]
width = 64

[tables.category]
width = 64

[tables.item_bias]
vocab = "item"
width = 1
init = "zeros"

[groups.item]
features = ["item", { table = "category", through = "category" }]
time = { encoding = "one_hot", edges = "log2", count = 12 }

[encoder]
hidden = 128
heads = 8

[tasks.item]
bias_table = "item_bias"

[train]
learning_rate = 1.0
schedule = [{ step = 100, learning_rate = 0.1 }]
batch_size = 32
epochs = 10

[eval]
metrics = ["auc"]
)";

// `text` with the first `from` replaced by `to` (which must occur).
inline std::string edit(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  BOOST_REQUIRE_MESSAGE(pos != std::string::npos, "test bug: `" << from << "` not in the spec text");
  return text.replace(pos, from.size(), to);
}

// "test.toml:<line>:" of the first line containing `needle`.
inline std::string at_line(const std::string& text, const std::string& needle) {
  const auto pos = text.find(needle);
  BOOST_REQUIRE_MESSAGE(pos != std::string::npos, "test bug: `" << needle << "` not in the spec text");
  int line = 1;
  for (std::size_t i = 0; i < pos; ++i) line += text[i] == '\n';
  return "test.toml:" + std::to_string(line) + ":";
}

// The SpecError message of parsing `text` (fails the test if it parses).
inline std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse_spec(text, "test.toml", overrides);
  } catch (const SpecError& e) {
    BOOST_TEST_MESSAGE("error: " << e.what());
    return e.what();
  }
  BOOST_ERROR("expected a SpecError, the spec parsed");
  return "";
}

inline void check_has(const std::string& message, const std::vector<std::string>& parts) {
  for (const auto& p : parts)
    BOOST_CHECK_MESSAGE(message.find(p) != std::string::npos, "message `" << message << "` lacks `" << p << "`");
}

// Parses `text` (with overrides), expecting an error at the line of `needle`
// naming `parts`.
inline void expect_error(const std::string& text, const std::string& needle, const std::vector<std::string>& parts,
                         const std::vector<std::string>& overrides = {}) {
  const std::string msg = error_of(text, overrides);
  check_has(msg, {at_line(text, needle)});
  check_has(msg, parts);
}

}  // namespace atrank::spec::test

// A parser for Python literals (the Amazon meta files are Python dict reprs, not JSON):
// strings in either quote with escapes and u/b/r prefixes, numbers, True/False/None, lists, tuples, dicts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace atrank::data {

struct PyValue {
  enum class Kind { none, boolean, integer, real, string, list, tuple, dict };
  Kind kind = Kind::none;
  bool boolean = false;
  std::int64_t integer = 0;  // also set (saturated) for huge integers; `text` keeps the digits
  double real = 0;
  std::string text;          // string value (UTF-8), or the number as written
  std::vector<PyValue> items;            // list / tuple elements; dict keys
  std::vector<PyValue> values;           // dict values (values[i] belongs to items[i])

  bool is_string() const { return kind == Kind::string; }
  // Dict entry with string key `key`, or nullptr.
  const PyValue* get(std::string_view key) const;
};

// Thrown with the byte offset (0-based) where parsing failed and what was expected.
class PyLiteralError : public std::runtime_error {
 public:
  PyLiteralError(std::size_t offset, const std::string& what)
      : std::runtime_error(what), offset(offset) {}
  std::size_t offset;
};

// Parses exactly one literal (surrounding whitespace allowed).
PyValue parse_python_literal(std::string_view text);

// Parses a dict literal but materializes only the entries whose (string) keys are in `keep`;
// the other values are still checked for syntax but not built (the meta files carry long
// "related" lists nobody needs).
PyValue parse_python_dict(std::string_view text, const std::vector<std::string_view>& keep);

}  // namespace atrank::data

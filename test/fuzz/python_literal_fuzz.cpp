// One Amazon meta line -> parse_python_literal and parse_python_dict (the importer's call, which
// builds only the kept keys). PyLiteralError is the documented failure; both must agree on
// whether a dict is valid.
#include <cstdio>
#include <cstdlib>

#include "atrank/data/python_literal.hpp"
#include "test/fuzz/fuzz_util.hpp"

using namespace atrank::data;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = atrank::fuzz::bytes(data, size);
  bool full_ok = false, dict_ok = false;
  PyValue full;
  try {
    full = parse_python_literal(text);
    full_ok = true;
  } catch (const PyLiteralError&) {
  }
  try {
    parse_python_dict(text, {"asin", "categories", "brand"});
    dict_ok = true;
  } catch (const PyLiteralError&) {
  }
  if (dict_ok != (full_ok && full.kind == PyValue::Kind::dict)) {
    std::fprintf(stderr, "parse_python_dict %s what parse_python_literal %s\n", dict_ok ? "accepts" : "rejects",
                 full_ok ? "accepts" : "rejects");
    std::abort();
  }
  return 0;
}

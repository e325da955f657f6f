// The one exception type of the data layer: bad files, bad lines, bad options.
// Messages name the file (and line) so the user can fix the input without a debugger.
#pragma once

#include <stdexcept>
#include <string>

namespace atrank::data {

class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace atrank::data

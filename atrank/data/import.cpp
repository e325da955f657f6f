// Dispatch on DataSpec.source, with the list of valid sources in the error message.
#include "atrank/data/import.hpp"

#include <sys/stat.h>

#include "atrank/data/data_error.hpp"

namespace atrank::data {

namespace {
spec::DataSource source_of(const spec::DataSpec& data) {
  const auto source = spec::parse_choice<spec::DataSource>(data.source);
  if (!source) throw DataError("data.source: unknown source '" + data.source + "' (valid: amazon, csv, movielens)");
  return *source;
}
}  // namespace

std::string missing_path_message(const spec::DataSpec& data) {
  const auto source = spec::parse_choice<spec::DataSource>(data.source);
  std::string hint = " (set data.path in the spec or --set data.path=DIR)";
  if (source == spec::DataSource::Amazon)
    hint = ": get the Amazon files with `datasets/amazon/download.sh " +
           (data.amazon_category.empty() ? std::string("Electronics") : data.amazon_category) + " " + data.path +
           "` (see datasets/amazon/README.md), or --set data.path=DIR where they are";
  else if (source == spec::DataSource::Movielens)
    hint = ": point --set data.path=DIR at the folder holding u.data and u.item";
  return "data.path: " + data.path + " does not exist" + hint;
}

std::string data_dir(const spec::DataSpec& data) {
  if (data.path.empty()) throw DataError("data.path is empty: set it in the spec or with --set data.path=DIR");
  struct stat st {};
  // A missing folder (a directory source, or csv files named relative to it)
  // is reported as such, not as a missing file inside it.
  const bool folder = spec::parse_choice<spec::DataSource>(data.source) != spec::DataSource::Csv || !data.files.empty();
  if (folder && ::stat(data.path.c_str(), &st) != 0) throw DataError(missing_path_message(data));
  if (::stat(data.path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return data.path;
  const std::size_t slash = data.path.find_last_of('/');
  return slash == std::string::npos ? "." : data.path.substr(0, slash == 0 ? 1 : slash);
}

std::string resolve_path(const spec::DataSpec& data, const std::string& name) {
  if (!name.empty() && name[0] == '/') return name;
  const std::string dir = data_dir(data);
  return dir == "." ? name : dir + "/" + name;
}

EventLog import_events(const spec::DataSpec& data) {
  EventLog log;
  switch (source_of(data)) {
    case spec::DataSource::Amazon: log = import_amazon(data); break;
    case spec::DataSource::Csv: log = import_csv(data); break;
    case spec::DataSource::Movielens: log = import_movielens(data); break;
  }
  if (log.size() == 0) throw DataError("no events in " + data.path + " (empty input)");
  return log;
}

std::vector<std::string> input_files(const spec::DataSpec& data) {
  switch (source_of(data)) {
    case spec::DataSource::Amazon: return amazon_files(data);
    case spec::DataSource::Csv: return csv_files(data);
    case spec::DataSource::Movielens: return movielens_files(data);
  }
  return {};
}

}  // namespace atrank::data

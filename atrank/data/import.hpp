// Entry point of the importers: DataSpec.source picks amazon, csv or movielens.
// input_files() lists the files an import reads, so the cache can hash them before importing.
#pragma once

#include <string>
#include <vector>

#include "atrank/data/events.hpp"
#include "atrank/spec/choices.hpp"
#include "atrank/spec/spec.hpp"

namespace atrank::data {

// Reads the raw files into events with dense ids. Throws DataError.
EventLog import_events(const spec::DataSpec& data);

// Every file import_events(data) reads, in a fixed order (throws DataError if one is missing).
std::vector<std::string> input_files(const spec::DataSpec& data);

// The per-source importers (import_events dispatches to them).
EventLog import_amazon(const spec::DataSpec& data);
EventLog import_csv(const spec::DataSpec& data);
EventLog import_movielens(const spec::DataSpec& data);
std::vector<std::string> amazon_files(const spec::DataSpec& data);
std::vector<std::string> csv_files(const spec::DataSpec& data);
std::vector<std::string> movielens_files(const spec::DataSpec& data);

// "data.path: <path> does not exist" with a hint on how to get the source's files.
std::string missing_path_message(const spec::DataSpec& data);

// Directory that relative file names in `data` are resolved against: data.path when it is a
// directory, else its parent.
std::string data_dir(const spec::DataSpec& data);
// `name` if absolute, else data_dir/name.
std::string resolve_path(const spec::DataSpec& data, const std::string& name);

}  // namespace atrank::data

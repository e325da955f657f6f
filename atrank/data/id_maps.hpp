// The id maps a run directory keeps (ids/), so that inference reads raw ids
// without the data: for every id space the raw id of each row, for every
// object attribute the attribute row of each object, and each behavior's
// object space. Format (also in README, "What a run writes"):
//   ids/<space>.tsv              line i (from 0) = the raw id of row i
//   ids/behavior.tsv             line i = behavior i's name, a tab, its objects' id space
//   ids/<object>.<attribute>.tsv line i = the <attribute> row of <object> row i
// Raw ids are escaped: backslash, tab, newline and carriage return are
// written \\ \t \n \r. Space names are identifiers (no dot), so the two kinds
// of file names cannot be confused.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "atrank/data/batch.hpp"
#include "atrank/data/id_map.hpp"

namespace atrank::data {

struct IdMaps {
  Vocabulary vocab;                          // sizes, attribute maps, behaviors and original ids
  std::vector<std::string> behavior_space;   // behavior row -> its objects' id space
};

// Writes `dir` (normally RUN/ids) whole: into a sibling temporary directory
// first, which then replaces `dir`. Throws DataError naming the file that
// could not be written.
void write_id_maps(const Vocabulary& vocab, const std::vector<std::string>& behavior_space, const std::string& dir);

// Reads what write_id_maps wrote; throws DataError naming the file and line
// of anything malformed (a bad escape, an attribute row outside its space, a
// map whose length differs from its object space).
IdMaps read_id_maps(const std::string& dir);

// Throws DataError naming the first id space whose raw ids differ between the
// run's maps and the data loaded now (data changed since the run).
void check_same_ids(const Vocabulary& run, const Vocabulary& data, const std::string& run_dir);

// Raw id -> row of one id space (IdMap::find gives the row, or -1).
// Throws DataError naming `space` when a raw id repeats.
IdMap row_lookup(const std::vector<std::string>& raw_ids, const std::string& space);

// A raw id as the id files (and export's metadata files) write it.
std::string escape_id(std::string_view raw);

}  // namespace atrank::data

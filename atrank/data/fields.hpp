// Small text helpers shared by the delimited importers: field splitting (with CSV quotes),
// integers, unix or ISO-8601 timestamps, and the skip-or-fail policy for bad lines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "atrank/data/events.hpp"
#include "atrank/data/line_reader.hpp"
#include "atrank/spec/choices.hpp"

namespace atrank::data {

// Splits `line` at `delim`. Spaces and tabs around a field are trimmed (a tab only when it is
// not the delimiter). With `quotes`, a field that starts with '"' is quoted ("" inside = one
// quote) and keeps its content verbatim. Views point into `line` or into `scratch` (one string
// per field, for unescaped quotes). Returns false (with `problem`) on an unterminated quote.
bool split_fields(std::string_view line, char delim, std::vector<std::string_view>& fields,
                  std::vector<std::string>& scratch, std::string& problem, bool quotes = true);

// `s` without surrounding spaces and tabs (the rule for ids read from JSON and Python literals,
// as split_fields applies it to delimited fields).
std::string_view trim(std::string_view s);

// The rule for ids (users, objects, behaviors) of every source: `id` is trimmed of surrounding
// spaces and tabs, and must then be non-empty and hold no NUL byte. Otherwise false, with
// `problem` ("is empty", "holds a NUL byte ...") for the caller to prefix with the field's name.
bool check_id(std::string_view& id, std::string& problem);

bool parse_int64(std::string_view s, std::int64_t& out);

// A number of seconds given as a double (a JSON number), truncated; false for NaN, infinities
// and values beyond int64 (converting those is undefined behaviour).
bool truncate_seconds(double seconds, std::int64_t& out);

// "unix": integer seconds (a fractional part is truncated);
// "iso": YYYY-MM-DD, optionally followed by 'T' or ' ' and HH:MM[:SS[.fff]] and 'Z', read as UTC.
bool parse_time(std::string_view s, spec::TimeFormat format, std::int64_t& seconds);

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

// The spec's bad-line policy: throws DataError("file:line: problem") unless `skip`, in which
// case the line is counted as "skipped_lines" and its message kept for the report.
void bad_line(const LineReader& reader, const std::string& problem, bool skip,
              ImportReport& report);

// Character of the spec's delimiter ("," "\t" "tab" "\\t" or any single character).
char delimiter_char(const std::string& delimiter);

}  // namespace atrank::data

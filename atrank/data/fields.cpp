// Field splitting and number/time parsing for CSV/TSV importers, without locale or allocation
// in the common case (unquoted fields are views into the line).
#include "atrank/data/fields.hpp"

#include <algorithm>
#include <cmath>

#include "atrank/data/data_error.hpp"

namespace atrank::data {

namespace {

// Spaces and tabs around a field are not part of it (a tab only when it is not the delimiter).
bool blank(char c, char delim) { return (c == ' ' || c == '\t') && c != delim; }

std::size_t skip_blanks(std::string_view line, std::size_t p, char delim) {
  while (p < line.size() && blank(line[p], delim)) ++p;
  return p;
}

std::string_view trim_right(std::string_view s, char delim) {
  while (!s.empty() && blank(s.back(), delim)) s.remove_suffix(1);
  return s;
}

// The quoted field starting at line[p] == '"' into `out`; returns the position after the closing
// quote, or npos (with `problem`) when it is unterminated.
std::size_t read_quoted(std::string_view line, std::size_t p, std::string& out, std::size_t index,
                        std::string& problem) {
  out.clear();
  std::size_t q = p + 1;
  for (;;) {
    if (q >= line.size()) {
      problem = "unterminated quote in field " + std::to_string(index + 1);
      return std::string_view::npos;
    }
    if (line[q] == '"') {
      if (q + 1 < line.size() && line[q + 1] == '"') {
        out += '"';
        q += 2;
        continue;
      }
      return q + 1;
    }
    out += line[q++];
  }
}

}  // namespace

bool split_fields(std::string_view line, char delim, std::vector<std::string_view>& fields,
                  std::vector<std::string>& scratch, std::string& problem, bool quotes) {
  fields.clear();
  // Size the scratch strings before any view points into them: growing the vector later
  // would move short strings (their bytes live inside the object) and dangle earlier views.
  if (line.find('"') != std::string_view::npos) {
    const std::size_t bound = static_cast<std::size_t>(std::count(line.begin(), line.end(), delim)) + 1;
    if (scratch.size() < bound) scratch.resize(bound);
  }
  std::size_t p = 0;
  for (;;) {
    p = skip_blanks(line, p, delim);
    if (quotes && p < line.size() && line[p] == '"') {
      const std::size_t index = fields.size();
      std::size_t q = read_quoted(line, p, scratch[index], index, problem);
      if (q == std::string_view::npos) return false;
      fields.emplace_back(scratch[index]);
      q = skip_blanks(line, q, delim);
      if (q == line.size()) return true;
      if (line[q] != delim) {
        problem = "text after the closing quote of field " + std::to_string(index + 1);
        return false;
      }
      p = q + 1;
      continue;
    }
    const std::size_t e = line.find(delim, p);
    if (e == std::string_view::npos) {
      fields.push_back(trim_right(line.substr(p), delim));
      return true;
    }
    fields.push_back(trim_right(line.substr(p, e - p), delim));
    p = e + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool check_id(std::string_view& id, std::string& problem) {
  id = trim(id);
  if (id.empty()) {
    problem = "is empty";
    return false;
  }
  if (const std::size_t nul = id.find('\0'); nul != std::string_view::npos) {
    problem = "holds a NUL byte (byte " + std::to_string(nul + 1) + " of the id)";
    return false;
  }
  return true;
}

bool truncate_seconds(double seconds, std::int64_t& out) {
  constexpr double kLimit = 9.2e18;  // just inside int64 (9.22e18)
  if (!(std::fabs(seconds) < kLimit)) return false;
  out = static_cast<std::int64_t>(seconds);
  return true;
}

bool parse_int64(std::string_view s, std::int64_t& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return false;
  bool neg = false;
  std::size_t i = 0;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) return false;
  std::int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    if (v > (INT64_MAX - 9) / 10) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = neg ? -v : v;
  return true;
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

namespace {
constexpr std::int64_t kSecondsPerDay = 86400, kSecondsPerHour = 3600, kSecondsPerMinute = 60;

bool digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}
}  // namespace

bool parse_time(std::string_view s, spec::TimeFormat format, std::int64_t& seconds) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (format == spec::TimeFormat::Unix) {
    const std::size_t dot = s.find('.');
    if (dot != std::string_view::npos) {
      for (std::size_t i = dot + 1; i < s.size(); ++i)
        if (s[i] < '0' || s[i] > '9') return false;
      s = s.substr(0, dot);
    }
    return parse_int64(s, seconds);
  }
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  std::size_t p = 10;
  if (p < s.size() && (s[p] == 'T' || s[p] == ' ')) {
    if (!digits(s, p + 1, 2, h) || p + 3 >= s.size() || s[p + 3] != ':' || !digits(s, p + 4, 2, mi))
      return false;
    p += 6;
    if (p < s.size() && s[p] == ':') {
      if (!digits(s, p + 1, 2, se)) return false;
      p += 3;
      if (p < s.size() && s[p] == '.') {
        ++p;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
      }
    }
    if (h > 23 || mi > 59 || se > 60) return false;
  }
  if (p < s.size() && s[p] == 'Z') ++p;
  if (p != s.size()) return false;
  seconds = days_from_civil(y, mo, d) * kSecondsPerDay + h * kSecondsPerHour + mi * kSecondsPerMinute + se;
  return true;
}

void bad_line(const LineReader& reader, const std::string& problem, bool skip,
              ImportReport& report) {
  std::string message = reader.where() + problem;
  if (!skip) throw DataError(message + " (set data.skip_bad_lines = true to skip such lines)");
  report.add("skipped_lines");
  report.message(std::move(message));
}

char delimiter_char(const std::string& delimiter) {
  const auto c = spec::delimiter_char(delimiter);
  if (!c) throw DataError("data.delimiter: expected one character (or \"tab\"), got '" + delimiter + "'");
  return *c;
}

}  // namespace atrank::data

// Retention by modification time: a cache write creates the file, a cache hit touches it, so
// the oldest time is the least recently used file.
#include "atrank/data/cache_files.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

namespace atrank::data {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSuffix = ".atrank-data";
constexpr std::size_t kKeyDigits = 32;

bool is_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// "<key>.atrank-data"
bool is_cache_name(const std::string& name) {
  const std::string suffix = kSuffix;
  return name.size() == kKeyDigits + suffix.size() && name.compare(kKeyDigits, suffix.size(), suffix) == 0 &&
         is_hex(name.substr(0, kKeyDigits));
}

// "<key>.atrank-data.tmp.<pid>" of a process that no longer runs (BlobWriter::write_atomic).
bool is_orphan_temp(const std::string& name) {
  const std::string mark = std::string(kSuffix) + ".tmp.";
  if (name.size() <= kKeyDigits + mark.size() || name.compare(kKeyDigits, mark.size(), mark) != 0 ||
      !is_hex(name.substr(0, kKeyDigits)))
    return false;
  const std::string pid = name.substr(kKeyDigits + mark.size());
  if (pid.empty() || pid.size() > 9 || !std::all_of(pid.begin(), pid.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  return ::kill(static_cast<pid_t>(std::stol(pid)), 0) != 0 && errno == ESRCH;
}

}  // namespace

std::string cache_file(const spec::Spec& spec, const CacheKey& key) {
  const std::string dir = spec.data.cache_dir.empty() ? ".cache/atrank" : spec.data.cache_dir;
  return dir + "/" + key.hex() + kSuffix;
}

void mark_used(const std::string& path) { ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0); }

std::vector<std::string> prune_cache_dir(const std::string& dir, const std::string& current, std::size_t keep) {
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  std::vector<std::string> removed;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    const std::string name = entry.path().filename().string();
    std::error_code e;
    if (is_orphan_temp(name)) {
      if (fs::remove(entry.path(), e)) removed.push_back(entry.path().string());
      continue;
    }
    if (!is_cache_name(name) || fs::equivalent(entry.path(), current, e)) continue;
    const auto time = fs::last_write_time(entry.path(), e);
    if (!e) files.emplace_back(time, entry.path());
  }
  const std::size_t others = keep > 0 ? keep - 1 : 0;  // `current` is one of the kept files
  if (files.size() <= others) return removed;
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = others; i < files.size(); ++i)
    if (fs::remove(files[i].second, ec) && !ec) removed.push_back(files[i].second.string());
  return removed;
}

}  // namespace atrank::data

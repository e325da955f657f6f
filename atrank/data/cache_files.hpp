// Where cache files live and how many stay: <cache_dir>/<key>.atrank-data, at most
// kCacheFilesKept per cache directory (the least recently used beyond that are removed when a
// new one is written; a load marks its file as used).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "atrank/data/cache_key.hpp"
#include "atrank/spec/spec.hpp"

namespace atrank::data {

constexpr std::size_t kCacheFilesKept = 8;

// <cache_dir>/<key>.atrank-data
std::string cache_file(const spec::Spec& spec, const CacheKey& key);

// Sets the file's modification time to now (the retention order); failures are ignored (a
// read-only cache directory still serves its files).
void mark_used(const std::string& path);

// Removes the cache files (<32 hex digits>.atrank-data) of `dir` beyond the `keep` most
// recently used ones, never `current`, and the temporary files of writers that no longer run.
// Nothing else in the directory is touched. Returns the removed paths.
std::vector<std::string> prune_cache_dir(const std::string& dir, const std::string& current, std::size_t keep);

}  // namespace atrank::data

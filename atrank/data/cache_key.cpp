// Cache key: the spec's data-relevant values as length-prefixed "key=value" lines (read through
// the schema's writers, so they are the TOML text of each value), then the input files.
#include "atrank/data/cache_key.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "atrank/data/data_error.hpp"
#include "atrank/data/examples.hpp"
#include "atrank/data/import.hpp"
#include "atrank/data/line_reader.hpp"
#include "atrank/spec/schema.hpp"

namespace atrank::data {

namespace {

// Bumped whenever the prepared arrays or the report change (old cache files are then ignored).
constexpr const char* kFormat = "atrank-prepared-v3";
constexpr std::size_t kReadChunk = std::size_t{1} << 20;

void describe(std::string& s, const std::string& key, const std::string& value) {
  s += key;
  s += '=';
  s += std::to_string(value.size());  // length-prefixed: no value can forge another key
  s += ':';
  s += value;
  s += '\n';
}

bool excluded(const std::string& key) {
  for (const auto& e : cache_key_exclusions())
    if (key == e.key) return true;
  return false;
}

// Every field of `fields` as "prefix.key=<TOML value>".
template <class S>
void describe_fields(std::string& s, const std::string& prefix, const S& value,
                     const std::vector<spec::Field<S>>& fields) {
  for (const auto& f : fields) {
    if (prefix == "data." && excluded(f.key)) continue;
    if (const auto text = f.write(value)) describe(s, prefix + f.key, *text);
  }
}

void hash_file(XXH3_state_t* state, const std::string& path) {
  require_file(path, "input file");
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw DataError("cannot read " + path + ": " + std::strerror(errno));
  std::vector<char> buf(kReadChunk);
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      throw DataError("cannot read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    XXH3_128bits_update(state, buf.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
}

}  // namespace

const std::vector<KeyExclusion>& cache_key_exclusions() {
  static const std::vector<KeyExclusion> e = {
      {"path", "the input files are hashed by name and content, wherever they are"},
      {"cache_dir", "where the cache lives, not what it holds"},
      {"history_cap", "applied when batches are gathered"},
      {"time_unit_seconds", "applied when batches are gathered (time buckets)"},
      {"synthetic", "only decides whether missing data is generated; generated files are hashed"},
  };
  return e;
}

std::string CacheKey::hex() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(hi),
                static_cast<unsigned long long>(lo));
  return buf;
}

std::string data_description(const spec::Spec& spec) {
  std::string s;
  describe(s, "format", kFormat);
  // data.attributes is a table array, written by the schema as [[data.attributes]] sections:
  // described element by element below.
  describe_fields(s, "data.", spec.data, spec::data_fields());
  for (std::size_t i = 0; i < spec.data.attributes.size(); ++i)
    describe_fields(s, "data.attributes[" + std::to_string(i) + "].", spec.data.attributes[i],
                    spec::attribute_fields());
  for (const auto& g : spec.groups) {
    describe(s, "group", g.name);
    describe(s, "group.object", g.object);
    for (const auto& b : g.behaviors) describe(s, "group.behavior", b);
  }
  for (const auto& t : spec.tasks) {
    describe(s, "task", t.name);
    describe(s, "task.target", t.target);
  }
  // What the example builder really uses (1 unless a ranking metric is asked for).
  describe(s, "eval.negatives", std::to_string(build_options(spec).eval_negatives));
  return s;
}

CacheKey cache_key(const spec::Spec& spec) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  const std::string text = data_description(spec);
  XXH3_128bits_update(state, text.data(), text.size());
  try {
    for (const auto& f : input_files(spec.data)) {
      const std::string base = f.substr(f.find_last_of('/') + 1);
      XXH3_128bits_update(state, base.data(), base.size() + 1);  // with the terminating NUL
      hash_file(state, f);
    }
  } catch (...) {
    XXH3_freeState(state);
    throw;
  }
  const XXH128_hash_t h = XXH3_128bits_digest(state);
  XXH3_freeState(state);
  return {h.low64, h.high64};
}

}  // namespace atrank::data

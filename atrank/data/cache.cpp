// Cache key computation and (de)serialization of prepared data. Arrays are stored raw (native
// endianness: the cache is a local speed-up, not an exchange format); the vocabulary and the
// report are small length-prefixed records decoded at load.
#include "atrank/data/cache.hpp"

#include "atrank/data/examples.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "atrank/data/data_error.hpp"
#include "atrank/data/import.hpp"
#include "atrank/data/line_reader.hpp"

namespace atrank::data {

namespace {

// Bumped whenever the prepared arrays or the report change (old cache files are then ignored).
constexpr const char* kFormat = "atrank-prepared-v2";

class ByteWriter {
 public:
  void u64(std::uint64_t v) { raw(&v, sizeof v); }
  void str(const std::string& s) {
    u64(s.size());
    raw(s.data(), s.size());
  }
  void strs(const std::vector<std::string>& v) {
    u64(v.size());
    for (const auto& s : v) str(s);
  }
  void i32s(const std::vector<std::int32_t>& v) {
    u64(v.size());
    raw(v.data(), v.size() * sizeof(std::int32_t));
  }
  const std::vector<char>& bytes() const { return b_; }

 private:
  void raw(const void* p, std::size_t n) {
    b_.insert(b_.end(), static_cast<const char*>(p), static_cast<const char*>(p) + n);
  }
  std::vector<char> b_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view b) : b_(b) {}
  std::uint64_t u64() {
    std::uint64_t v;
    raw(&v, sizeof v);
    return v;
  }
  std::string str() {
    const std::uint64_t n = u64();
    need(n);
    std::string s(b_.substr(p_, n));
    p_ += n;
    return s;
  }
  std::vector<std::string> strs() {
    std::vector<std::string> v(u64());
    for (auto& s : v) s = str();
    return v;
  }
  std::vector<std::int32_t> i32s() {
    std::vector<std::int32_t> v(u64());
    raw(v.data(), v.size() * sizeof(std::int32_t));
    return v;
  }

 private:
  void need(std::uint64_t n) const {
    if (p_ + n > b_.size()) throw DataError("data cache file is corrupt (short record)");
  }
  void raw(void* out, std::size_t n) {
    need(n);
    if (n) std::memcpy(out, b_.data() + p_, n);  // n = 0: out may be null
    p_ += n;
  }
  std::string_view b_;
  std::size_t p_ = 0;
};

void describe(std::string& s, const std::string& key, const std::string& value) {
  s += key;
  s += '=';
  s += std::to_string(value.size());  // length-prefixed: no value can forge another key
  s += ':';
  s += value;
  s += '\n';
}

void hash_file(XXH3_state_t* state, const std::string& path) {
  require_file(path, "input file");
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw DataError("cannot read " + path + ": " + std::strerror(errno));
  std::vector<char> buf(std::size_t{1} << 20);
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

std::string CacheKey::hex() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(hi),
                static_cast<unsigned long long>(lo));
  return buf;
}

std::string data_description(const spec::Spec& spec) {
  const spec::DataSpec& d = spec.data;
  std::string s;
  describe(s, "format", kFormat);
  describe(s, "source", d.source);
  describe(s, "amazon_category", d.amazon_category);
  for (const auto& f : d.files) describe(s, "file", f);
  describe(s, "delimiter", d.delimiter);
  describe(s, "header", d.header ? "1" : "0");
  for (const auto& c : d.columns) describe(s, "column", c);
  describe(s, "user_column", d.user_column);
  describe(s, "object_column", d.object_column);
  describe(s, "behavior_column", d.behavior_column);
  describe(s, "time_column", d.time_column);
  describe(s, "time_format", d.time_format);
  describe(s, "default_behavior", d.default_behavior);
  describe(s, "liked_threshold", std::to_string(d.liked_threshold));
  for (const auto& a : d.attributes) {
    describe(s, "attribute", a.name);
    describe(s, "attribute.object_space", a.object_space);
    describe(s, "attribute.path", a.path);
    describe(s, "attribute.object_column", a.object_column);
    describe(s, "attribute.column", a.column);
  }
  describe(s, "object_space", d.object_space);
  for (const auto& [b, space] : d.behavior_object_space) describe(s, "behavior_object_space." + b, space);
  describe(s, "split", d.split);
  describe(s, "seed", std::to_string(d.seed));
  describe(s, "skip_bad_lines", d.skip_bad_lines ? "1" : "0");
  describe(s, "min_events", std::to_string(d.min_events));
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

std::string cache_file(const spec::Spec& spec, const CacheKey& key) {
  std::string dir = spec.data.cache_dir.empty() ? ".cache/atrank" : spec.data.cache_dir;
  return dir + "/" + key.hex() + ".atrank-data";
}

void write_prepared(const PreparedData& data, BlobWriter& out) {
  ByteWriter meta;
  const Vocabulary& v = data.vocab;
  meta.u64(v.sizes.size());
  for (const auto& [name, size] : v.sizes) {
    meta.str(name);
    meta.u64(static_cast<std::uint64_t>(size));
  }
  meta.u64(v.attributes.size());
  for (const auto& [space, attrs] : v.attributes) {
    meta.str(space);
    meta.u64(attrs.size());
    for (const auto& [name, values] : attrs) {
      meta.str(name);
      meta.i32s(values);
    }
  }
  meta.strs(v.behaviors);
  meta.u64(v.original_ids.size());
  for (const auto& [space, ids] : v.original_ids) {
    meta.str(space);
    meta.strs(ids);
  }
  meta.strs(data.behavior_space);
  meta.strs(data.group_names);
  const ImportReport& r = data.report;
  meta.strs(r.files);
  meta.u64(r.counts.size());
  for (const auto& [k, n] : r.counts) {
    meta.str(k);
    meta.u64(static_cast<std::uint64_t>(n));
  }
  meta.strs(r.messages);
  for (const auto& c : data.splits) meta.u64(static_cast<std::uint64_t>(c.candidates_per_case));
  out.add_copy("meta", meta.bytes());

  for (std::size_t g = 0; g < data.groups.size(); ++g) {
    const std::string p = "g" + std::to_string(g) + ".";
    const auto& s = data.groups[g];
    out.add(p + "offsets", s.offsets);
    out.add(p + "objects", s.objects);
    out.add(p + "behaviors", s.behaviors);
    out.add(p + "times", s.times);
  }
  for (int i = 0; i < kSplits; ++i) {
    const std::string p = std::string(split_name(static_cast<Split>(i))) + ".";
    const auto& c = data.splits[i];
    out.add(p + "users", c.users);
    out.add(p + "tasks", c.tasks);
    out.add(p + "times", c.times);
    out.add(p + "ends", c.ends);
    out.add(p + "candidates", c.candidates);
  }
}

PreparedViews read_prepared(const Blob& blob) {
  PreparedViews out;
  ByteReader meta(blob.bytes("meta"));
  Vocabulary& v = out.vocab;
  for (std::uint64_t n = meta.u64(); n > 0; --n) {
    std::string name = meta.str();
    v.sizes[name] = static_cast<std::int64_t>(meta.u64());
  }
  for (std::uint64_t n = meta.u64(); n > 0; --n) {
    auto& attrs = v.attributes[meta.str()];
    for (std::uint64_t m = meta.u64(); m > 0; --m) {
      std::string name = meta.str();
      attrs[name] = meta.i32s();
    }
  }
  v.behaviors = meta.strs();
  for (std::uint64_t n = meta.u64(); n > 0; --n) {
    std::string space = meta.str();
    v.original_ids[space] = meta.strs();
  }
  out.behavior_space = meta.strs();
  out.group_names = meta.strs();
  out.report.files = meta.strs();
  for (std::uint64_t n = meta.u64(); n > 0; --n) {
    std::string k = meta.str();
    out.report.counts[k] = static_cast<std::int64_t>(meta.u64());
  }
  out.report.messages = meta.strs();
  std::int64_t k[kSplits];
  for (auto& x : k) x = static_cast<std::int64_t>(meta.u64());

  for (std::size_t g = 0; g < out.group_names.size(); ++g) {
    const std::string p = "g" + std::to_string(g) + ".";
    SequencesView s;
    s.offsets = blob.array<std::int64_t>(p + "offsets");
    s.objects = blob.array<std::int32_t>(p + "objects");
    s.behaviors = blob.array<std::int32_t>(p + "behaviors");
    s.times = blob.array<std::int64_t>(p + "times");
    out.groups.push_back(s);
  }
  for (int i = 0; i < kSplits; ++i) {
    const std::string p = std::string(split_name(static_cast<Split>(i))) + ".";
    CasesView& c = out.splits[i];
    c.users = blob.array<std::int32_t>(p + "users");
    c.tasks = blob.array<std::int32_t>(p + "tasks");
    c.times = blob.array<std::int64_t>(p + "times");
    c.ends = blob.array<std::int32_t>(p + "ends");
    c.candidates = blob.array<std::int32_t>(p + "candidates");
    c.candidates_per_case = k[i];
  }
  return out;
}

}  // namespace atrank::data

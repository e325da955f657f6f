// (De)serialization of prepared data. Arrays are stored raw (native endianness: the cache is a
// local speed-up, not an exchange format); the vocabulary and the report are small
// length-prefixed records decoded at load, with every length checked against what is left.
#include "atrank/data/cache.hpp"

#include <cstring>
#include <stdexcept>

#include "atrank/data/data_error.hpp"

namespace atrank::data {

namespace {

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
  std::vector<char> take() { return std::move(b_); }

 private:
  void raw(const void* p, std::size_t n) {
    b_.insert(b_.end(), static_cast<const char*>(p), static_cast<const char*>(p) + n);
  }
  std::vector<char> b_;
};

// Reads what ByteWriter wrote; a length that exceeds the remaining bytes is an error before
// anything is allocated for it.
class ByteReader {
 public:
  explicit ByteReader(std::string_view b) : b_(b) {}
  std::uint64_t u64() {
    std::uint64_t v;
    raw(&v, sizeof v);
    return v;
  }
  // A count of records of at least `min_bytes` each.
  std::uint64_t count(std::size_t min_bytes) {
    const std::uint64_t n = u64();
    if (n > left() / min_bytes) short_record();
    return n;
  }
  std::string str() {
    const std::uint64_t n = count(1);
    std::string s(b_.substr(p_, n));
    p_ += n;
    return s;
  }
  std::vector<std::string> strs() {
    std::vector<std::string> v(count(sizeof(std::uint64_t)));
    for (auto& s : v) s = str();
    return v;
  }
  std::vector<std::int32_t> i32s() {
    std::vector<std::int32_t> v(count(sizeof(std::int32_t)));
    raw(v.data(), v.size() * sizeof(std::int32_t));
    return v;
  }

 private:
  std::size_t left() const { return b_.size() - p_; }
  [[noreturn]] static void short_record() { throw DataError("data cache file is corrupt (short record)"); }
  void raw(void* out, std::size_t n) {
    if (n > left()) short_record();
    if (n) std::memcpy(out, b_.data() + p_, n);  // n = 0: out may be null
    p_ += n;
  }
  std::string_view b_;
  std::size_t p_ = 0;
};

void write_vocabulary(const Vocabulary& v, ByteWriter& meta) {
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
}

Vocabulary read_vocabulary(ByteReader& meta) {
  constexpr std::size_t kMinRecord = sizeof(std::uint64_t);  // a length prefix
  Vocabulary v;
  for (std::uint64_t n = meta.count(kMinRecord); n > 0; --n) {
    std::string name = meta.str();
    v.sizes[name] = static_cast<std::int64_t>(meta.u64());
  }
  for (std::uint64_t n = meta.count(kMinRecord); n > 0; --n) {
    auto& attrs = v.attributes[meta.str()];
    for (std::uint64_t m = meta.count(kMinRecord); m > 0; --m) {
      std::string name = meta.str();
      attrs[name] = meta.i32s();
    }
  }
  v.behaviors = meta.strs();
  for (std::uint64_t n = meta.count(kMinRecord); n > 0; --n) {
    std::string space = meta.str();
    v.original_ids[space] = meta.strs();
  }
  return v;
}

void write_report(const ImportReport& r, ByteWriter& meta) {
  meta.strs(r.files);
  meta.u64(r.counts.size());
  for (const auto& [k, n] : r.counts) {
    meta.str(k);
    meta.u64(static_cast<std::uint64_t>(n));
  }
  meta.strs(r.messages);
}

ImportReport read_report(ByteReader& meta) {
  ImportReport r;
  r.files = meta.strs();
  for (std::uint64_t n = meta.count(sizeof(std::uint64_t)); n > 0; --n) {
    std::string k = meta.str();
    r.counts[k] = static_cast<std::int64_t>(meta.u64());
  }
  r.messages = meta.strs();
  return r;
}

std::string group_prefix(std::size_t g) { return "g" + std::to_string(g) + "."; }
std::string split_prefix(int i) { return std::string(split_name(static_cast<Split>(i))) + "."; }

[[noreturn]] void broken(const std::string& what) {
  throw DataError("data cache file is inconsistent: " + what);
}

// Every value of `a` in [0, size).
template <class T>
void check_ids(Span<T> a, std::int64_t size, const std::string& what) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] < 0 || a[i] >= size) broken(what + " holds id " + std::to_string(a[i]) + " outside [0, " + std::to_string(size) + ")");
}

void check_sequences(const SequencesView& s, std::size_t g, std::int64_t users, std::int64_t objects,
                     std::int64_t behaviors) {
  const std::string p = group_prefix(g);
  if (static_cast<std::int64_t>(s.offsets.size()) != users + 1) broken(p + "offsets has the wrong length");
  if (s.behaviors.size() != s.objects.size() || s.times.size() != s.objects.size())
    broken(p + "objects, behaviors and times differ in length");
  if (s.offsets[0] != 0 || s.offsets[static_cast<std::size_t>(users)] != static_cast<std::int64_t>(s.objects.size()))
    broken(p + "offsets do not span the sequence");
  for (std::int64_t u = 0; u < users; ++u)
    if (s.offsets[u + 1] < s.offsets[u]) broken(p + "offsets are not ascending");
  check_ids(s.objects, objects, p + "objects");
  check_ids(s.behaviors, behaviors, p + "behaviors");
}

void check_cases(const PreparedViews& v, int i, const Layout& layout, std::int64_t users) {
  const CasesView& c = v.splits[i];
  const std::string p = split_prefix(i);
  if (c.candidates_per_case < 1) broken(p + "candidates per case is not positive");
  const std::size_t n = c.users.size(), G = layout.groups.size();
  const auto K = static_cast<std::size_t>(c.candidates_per_case);
  if (c.tasks.size() != n || c.times.size() != n || c.ends.size() != n * G || c.candidates.size() / K != n ||
      c.candidates.size() % K != 0)
    broken(p + "arrays differ in length");
  check_ids(c.users, users, p + "users");
  check_ids(c.tasks, static_cast<std::int64_t>(layout.tasks.size()), p + "tasks");
  std::vector<std::int64_t> target_space;  // per task
  for (const auto& t : layout.tasks) target_space.push_back(v.vocab.size(layout.groups[t.group].object_space));
  for (std::size_t k = 0; k < n; ++k) {
    const auto u = static_cast<std::size_t>(c.users[k]);
    for (std::size_t g = 0; g < G; ++g) {
      const SequencesView& s = v.groups[g];
      const std::int32_t end = c.ends[k * G + g];
      if (end < 0 || end > s.offsets[u + 1] - s.offsets[u]) broken(p + "ends reach beyond a user's history");
    }
    const std::int64_t space = target_space[static_cast<std::size_t>(c.tasks[k])];
    for (std::size_t j = 0; j < K; ++j) {
      const std::int32_t id = c.candidates[k * K + j];
      if (id < 0 || id >= space) broken(p + "candidates hold an id outside the target space");
    }
  }
}

void check_attributes(const Vocabulary& v) {
  for (const auto& [space, attrs] : v.attributes)
    for (const auto& [name, values] : attrs) {
      if (static_cast<std::int64_t>(values.size()) != v.size(space))
        broken("attribute " + space + "." + name + " does not cover the space");
      check_ids(Span<std::int32_t>{values.data(), values.size()}, v.size(name), "attribute " + space + "." + name);
    }
}

}  // namespace

namespace {

// The "meta" section: vocabulary, behavior spaces, group names, report, candidates per case.
std::vector<char> encode_meta(const Vocabulary& vocab, const std::vector<std::string>& behavior_space,
                              const std::vector<std::string>& group_names, const ImportReport& report,
                              const std::int64_t (&candidates_per_case)[kSplits]) {
  ByteWriter meta;
  write_vocabulary(vocab, meta);
  meta.strs(behavior_space);
  meta.strs(group_names);
  write_report(report, meta);
  for (const std::int64_t k : candidates_per_case) meta.u64(static_cast<std::uint64_t>(k));
  return meta.take();
}

// Receives the examples of the writing run and appends them to the file's sections, which lie
// in write_prepared's order: meta, per group offsets/objects/behaviors/times, per split
// users/tasks/times/ends/candidates.
class FileSink : public ExampleSink {
 public:
  static constexpr std::size_t kGroupArrays = 4, kSplitArrays = 5;

  FileSink(BlobStreamWriter& out, std::size_t groups) : out_(out), offsets_(groups, 0) {
    for (std::size_t g = 0; g < groups; ++g) out_.append(group_section(g), &offsets_[g], sizeof offsets_[g]);
  }

  void add_user(const UserExamples& user) override {
    for (std::size_t g = 0; g < user.groups.size(); ++g) {
      const PreparedData::Sequences& s = user.groups[g];
      const std::size_t at = group_section(g);
      offsets_[g] += static_cast<std::int64_t>(s.objects.size());
      out_.append(at, &offsets_[g], sizeof offsets_[g]);
      out_.append(at + 1, s.objects);
      out_.append(at + 2, s.behaviors);
      out_.append(at + 3, s.times);
    }
    for (int i = 0; i < kSplits; ++i) {
      const PreparedData::Cases& c = user.splits[i];
      const std::size_t at = split_section(i, user.groups.size());
      out_.append(at, c.users);
      out_.append(at + 1, c.tasks);
      out_.append(at + 2, c.times);
      out_.append(at + 3, c.ends);
      out_.append(at + 4, c.candidates);
    }
  }

  // Section index of group g's offsets (its other arrays follow), and of split i's users.
  static std::size_t group_section(std::size_t g) { return 1 + g * kGroupArrays; }
  static std::size_t split_section(int i, std::size_t groups) {
    return 1 + groups * kGroupArrays + static_cast<std::size_t>(i) * kSplitArrays;
  }

 private:
  BlobStreamWriter& out_;
  std::vector<std::int64_t> offsets_;  // per group: events written so far
};

}  // namespace

void write_prepared(const PreparedData& data, BlobWriter& out) {
  std::int64_t candidates_per_case[kSplits];
  for (int i = 0; i < kSplits; ++i) candidates_per_case[i] = data.splits[i].candidates_per_case;
  out.add_copy("meta",
               encode_meta(data.vocab, data.behavior_space, data.group_names, data.report, candidates_per_case));

  for (std::size_t g = 0; g < data.groups.size(); ++g) {
    const std::string p = group_prefix(g);
    const auto& s = data.groups[g];
    out.add(p + "offsets", s.offsets);
    out.add(p + "objects", s.objects);
    out.add(p + "behaviors", s.behaviors);
    out.add(p + "times", s.times);
  }
  for (int i = 0; i < kSplits; ++i) {
    const std::string p = split_prefix(i);
    const auto& c = data.splits[i];
    out.add(p + "users", c.users);
    out.add(p + "tasks", c.tasks);
    out.add(p + "times", c.times);
    out.add(p + "ends", c.ends);
    out.add(p + "candidates", c.candidates);
  }
}

void write_prepared_file(const std::string& path, std::uint64_t key_lo, std::uint64_t key_hi, const EventLog& log,
                         const Layout& layout, const BuildOptions& options, const PreparedSizes& sizes,
                         const ImportReport& report) {
  const std::size_t G = layout.groups.size();
  std::vector<std::string> group_names;
  for (const auto& g : layout.groups) group_names.push_back(g.name);
  std::int64_t K[kSplits];
  for (int i = 0; i < kSplits; ++i) K[i] = candidates_per_case(static_cast<Split>(i), options);
  std::vector<char> meta = encode_meta(log.vocab, log.behavior_space, group_names, report, K);

  auto bytes = [](std::int64_t n, std::size_t element) { return static_cast<std::uint64_t>(n) * element; };
  std::vector<BlobStreamWriter::SectionSize> sections{{"meta", meta.size()}};
  for (std::size_t g = 0; g < G; ++g) {
    const std::string p = group_prefix(g);
    const std::int64_t n = sizes.group_events[g];
    sections.push_back({p + "offsets", bytes(sizes.users + 1, sizeof(std::int64_t))});
    sections.push_back({p + "objects", bytes(n, sizeof(std::int32_t))});
    sections.push_back({p + "behaviors", bytes(n, sizeof(std::int32_t))});
    sections.push_back({p + "times", bytes(n, sizeof(std::int64_t))});
  }
  for (int i = 0; i < kSplits; ++i) {
    const std::string p = split_prefix(i);
    const std::int64_t n = sizes.cases[i];
    sections.push_back({p + "users", bytes(n, sizeof(std::int32_t))});
    sections.push_back({p + "tasks", bytes(n, sizeof(std::int32_t))});
    sections.push_back({p + "times", bytes(n, sizeof(std::int64_t))});
    sections.push_back({p + "ends", bytes(n * static_cast<std::int64_t>(G), sizeof(std::int32_t))});
    sections.push_back({p + "candidates", bytes(n * K[i], sizeof(std::int32_t))});
  }

  BlobStreamWriter out(path, sections, key_lo, key_hi);
  out.append(0, meta);
  FileSink sink(out, G);
  ImportReport again = log.report;
  build_examples(log, layout, options, sink, again);
  if (again.counts != report.counts)
    throw std::logic_error("example building is not deterministic: the writing run's report differs");
  out.commit();
}

PreparedViews read_prepared(const Blob& blob) {
  PreparedViews out;
  ByteReader meta(blob.bytes("meta"));
  out.vocab = read_vocabulary(meta);
  out.behavior_space = meta.strs();
  out.group_names = meta.strs();
  out.report = read_report(meta);
  for (auto& c : out.splits) c.candidates_per_case = static_cast<std::int64_t>(meta.u64());
  // make_layout() reads the space of every behavior.
  if (out.behavior_space.size() != out.vocab.behaviors.size()) broken("behaviors and their spaces differ in number");

  for (std::size_t g = 0; g < out.group_names.size(); ++g) {
    const std::string p = group_prefix(g);
    SequencesView s;
    s.offsets = blob.array<std::int64_t>(p + "offsets");
    s.objects = blob.array<std::int32_t>(p + "objects");
    s.behaviors = blob.array<std::int32_t>(p + "behaviors");
    s.times = blob.array<std::int64_t>(p + "times");
    out.groups.push_back(s);
  }
  for (int i = 0; i < kSplits; ++i) {
    const std::string p = split_prefix(i);
    CasesView& c = out.splits[i];
    c.users = blob.array<std::int32_t>(p + "users");
    c.tasks = blob.array<std::int32_t>(p + "tasks");
    c.times = blob.array<std::int64_t>(p + "times");
    c.ends = blob.array<std::int32_t>(p + "ends");
    c.candidates = blob.array<std::int32_t>(p + "candidates");
  }
  return out;
}

void check_prepared(const PreparedViews& v, const Layout& layout) {
  if (v.groups.size() != layout.groups.size()) broken("its groups differ from the spec's");
  const std::int64_t users = v.vocab.size("user");
  if (users < 0) broken("negative number of users");
  const auto behaviors = static_cast<std::int64_t>(v.vocab.behaviors.size());
  check_attributes(v.vocab);
  for (std::size_t g = 0; g < v.groups.size(); ++g)
    check_sequences(v.groups[g], g, users, v.vocab.size(layout.groups[g].object_space), behaviors);
  for (int i = 0; i < kSplits; ++i) check_cases(v, i, layout, users);
}

}  // namespace atrank::data

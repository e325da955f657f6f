// Checkpoint format: "ATRANKCK" | u32 version | u64 fingerprint | u32 count |
// count x (u32 name length, name, u64 size, bytes) | u64 xxh64 of all before.
#include "atrank/train/checkpoint.hpp"

#include <xxhash.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "atrank/train/checked_file.hpp"

namespace atrank::train {
namespace {

constexpr char kMagic[8] = {'A', 'T', 'R', 'A', 'N', 'K', 'C', 'K'};
constexpr std::uint32_t kVersion = 1;

template <class T>
void append(std::string& out, T x) {
  out.append(reinterpret_cast<const char*>(&x), sizeof(T));
}

// Reads a T at `pos` of the sections, which end at `end` (before the checksum); lengths are
// compared with what is left, never added to `pos`, so a huge length cannot wrap around.
template <class T>
T take(const std::string& in, std::size_t& pos, std::size_t end, const std::string& path) {
  if (sizeof(T) > end - pos) throw CheckpointError(path + ": checkpoint is truncated");
  T x;
  std::memcpy(&x, in.data() + pos, sizeof(T));
  pos += sizeof(T);
  return x;
}

}  // namespace

void Checkpoint::put_bytes(const std::string& name, const void* data, std::size_t bytes) {
  sections_[name].assign(static_cast<const char*>(data), bytes);
}

const std::string& Checkpoint::bytes(const std::string& name) const {
  auto it = sections_.find(name);
  if (it == sections_.end()) throw CheckpointError("checkpoint has no section `" + name + "`");
  return it->second;
}

void Checkpoint::save(const std::string& path) const {
  std::string out(kMagic, sizeof(kMagic));
  append(out, kVersion);
  append(out, spec_fingerprint);
  append(out, std::uint32_t(sections_.size()));
  for (const auto& [name, data] : sections_) {
    append(out, std::uint32_t(name.size()));
    out += name;
    append(out, std::uint64_t(data.size()));
    out += data;
  }
  append(out, std::uint64_t(XXH64(out.data(), out.size(), 0)));

  write_file_atomically(path, out);
}

Checkpoint Checkpoint::load(const std::string& path, std::uint64_t expected_fingerprint) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw CheckpointError("cannot open checkpoint " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  const std::string in = ss.str();
  if (in.size() < sizeof(kMagic) || std::memcmp(in.data(), kMagic, sizeof(kMagic)) != 0)
    throw CheckpointError(path + ": not an atrank checkpoint");
  if (in.size() < sizeof(kMagic) + 4 + 8 + 4 + 8) throw CheckpointError(path + ": checkpoint is truncated");
  std::uint64_t stored;
  std::memcpy(&stored, in.data() + in.size() - 8, 8);
  if (XXH64(in.data(), in.size() - 8, 0) != stored)
    throw CheckpointError(path + ": checkpoint is corrupt (checksum mismatch); delete it or resume from another");
  const std::size_t end = in.size() - 8;
  std::size_t pos = sizeof(kMagic);
  const auto version = take<std::uint32_t>(in, pos, end, path);
  if (version != kVersion)
    throw CheckpointError(path + ": checkpoint version " + std::to_string(version) +
                          " is not supported (expected " + std::to_string(kVersion) + ")");
  Checkpoint c;
  c.spec_fingerprint = take<std::uint64_t>(in, pos, end, path);
  if (expected_fingerprint != 0 && c.spec_fingerprint != expected_fingerprint) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "checkpoint is for a different spec (fingerprint %016llx, this spec %016llx)",
                  (unsigned long long)c.spec_fingerprint, (unsigned long long)expected_fingerprint);
    throw CheckpointError(path + ": " + buf);
  }
  const auto count = take<std::uint32_t>(in, pos, end, path);
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto name_len = take<std::uint32_t>(in, pos, end, path);
    if (name_len > end - pos) throw CheckpointError(path + ": checkpoint is truncated");
    std::string name = in.substr(pos, name_len);
    pos += name_len;
    const auto size = take<std::uint64_t>(in, pos, end, path);
    if (size > end - pos) throw CheckpointError(path + ": checkpoint is truncated");
    c.sections_[name] = in.substr(pos, size);
    pos += size;
  }
  return c;
}

}  // namespace atrank::train

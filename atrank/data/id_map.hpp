// Interns original id strings ("A2SUAM1J3GNN3B", "1511544070") into dense ids.
// Ids are provisional (first-seen order) until sorted_order() gives the authors' sorted remap.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace atrank::data {

class IdMap {
 public:
  // Id of `s`, adding it if new.
  std::int32_t intern(std::string_view s);
  // Id of `s`, or -1.
  std::int32_t find(std::string_view s) const;
  std::string_view name(std::int32_t id) const {
    return std::string_view(arena_.data() + starts_[id], starts_[id + 1] - starts_[id]);
  }
  std::int32_t size() const { return static_cast<std::int32_t>(starts_.size() - 1); }

  // Final position of every provisional id when ids are sorted by their original string, or
  // numerically when every string is an integer (so "2" < "10", and MovieLens 1..N keep their order).
  std::vector<std::int32_t> sorted_order() const;
  // Same, restricted to `keep[id] != 0`; dropped ids map to -1.
  std::vector<std::int32_t> sorted_order(const std::vector<char>& keep) const;

 private:
  // A slot holds an id and the high half of its string's hash, so that a probe rejects other
  // strings without touching their bytes (a lookup in a table of millions: one cache miss
  // fewer per probe).
  struct Slot {
    std::int32_t id = -1;  // -1 = empty
    std::uint32_t tag = 0;
  };
  static std::uint32_t tag_of(std::uint64_t hash) { return static_cast<std::uint32_t>(hash >> 32); }
  void rehash(std::size_t slots);
  std::vector<char> arena_;                   // all strings back to back
  std::vector<std::uint64_t> starts_{0};      // string i is arena_[starts_[i], starts_[i+1])
  std::vector<Slot> slots_;                   // open addressing
};

}  // namespace atrank::data

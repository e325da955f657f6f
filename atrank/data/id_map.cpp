// Open-addressing string interner (strings live in one arena: no allocation per id) and the
// sorted remap the authors' remap.py applies to every id space.
#include "atrank/data/id_map.hpp"

#include <xxhash.h>

#include <algorithm>
#include <numeric>

namespace atrank::data {

namespace {
constexpr std::size_t kMinSlots = 64;
// Longest digit string sorted numerically (any 18 digits fit a long long).
constexpr std::size_t kMaxNumericDigits = 18;

std::uint64_t hash_of(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

// Integer value of `s` if it is all digits (optionally signed) and fits, for the numeric sort.
bool as_integer(std::string_view s, long long& out) {
  if (s.empty() || s.size() > kMaxNumericDigits) return false;
  std::size_t i = (s[0] == '-') ? 1 : 0;
  if (i == s.size()) return false;
  long long v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = s[0] == '-' ? -v : v;
  return true;
}
}  // namespace

void IdMap::rehash(std::size_t slots) {
  slots_.assign(slots, Slot{});
  const std::size_t mask = slots - 1;
  for (std::int32_t id = 0; id < size(); ++id) {
    const std::uint64_t h = hash_of(name(id));
    std::size_t p = h & mask;
    while (slots_[p].id >= 0) p = (p + 1) & mask;
    slots_[p] = {id, tag_of(h)};
  }
}

std::int32_t IdMap::find(std::string_view s) const {
  if (slots_.empty()) return -1;
  const std::uint64_t h = hash_of(s);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t p = h & mask;; p = (p + 1) & mask) {
    const Slot slot = slots_[p];
    if (slot.id < 0) return -1;
    if (slot.tag == tag_of(h) && name(slot.id) == s) return slot.id;
  }
}

std::int32_t IdMap::intern(std::string_view s) {
  if ((size() + 1) * 2 > static_cast<std::int64_t>(slots_.size()))
    rehash(std::max<std::size_t>(kMinSlots, slots_.size() * 2));
  const std::uint64_t h = hash_of(s);
  const std::size_t mask = slots_.size() - 1;
  std::size_t p = h & mask;
  for (;; p = (p + 1) & mask) {
    const Slot slot = slots_[p];
    if (slot.id < 0) break;
    if (slot.tag == tag_of(h) && name(slot.id) == s) return slot.id;
  }
  const std::int32_t id = size();
  arena_.insert(arena_.end(), s.begin(), s.end());
  starts_.push_back(arena_.size());
  slots_[p] = {id, tag_of(h)};
  return id;
}

std::vector<std::int32_t> IdMap::sorted_order() const {
  return sorted_order(std::vector<char>(static_cast<std::size_t>(size()), 1));
}

std::vector<std::int32_t> IdMap::sorted_order(const std::vector<char>& keep) const {
  std::vector<std::int32_t> ids;
  for (std::int32_t id = 0; id < size(); ++id)
    if (keep[id]) ids.push_back(id);
  std::vector<long long> numbers(static_cast<std::size_t>(size()), 0);
  bool numeric = true;
  for (std::int32_t id : ids) numeric = numeric && as_integer(name(id), numbers[id]);
  if (numeric) {
    std::sort(ids.begin(), ids.end(), [&](std::int32_t a, std::int32_t b) {
      return numbers[a] != numbers[b] ? numbers[a] < numbers[b] : name(a) < name(b);
    });
  } else {
    std::sort(ids.begin(), ids.end(),
              [&](std::int32_t a, std::int32_t b) { return name(a) < name(b); });
  }
  std::vector<std::int32_t> order(static_cast<std::size_t>(size()), -1);
  for (std::size_t i = 0; i < ids.size(); ++i) order[ids[i]] = static_cast<std::int32_t>(i);
  return order;
}

}  // namespace atrank::data

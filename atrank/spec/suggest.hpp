// Did-you-mean suggestions for unknown keys, values and names: the closest
// valid choice by edit distance (adjacent transpositions count as one edit).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace atrank::spec {

// Optimal-string-alignment distance: insertions, deletions, substitutions and
// adjacent transpositions ("haeds" -> "heads" is 1), compared case-insensitively.
std::size_t edit_distance(const std::string& a, const std::string& b);

// The choice closest to `word` if it is close enough to be a plausible typo
// (distance <= max(2, |word| / 3)), else "".
std::string closest(const std::string& word, const std::vector<std::string>& choices);

// " (did you mean `x`?)" or "" when nothing is close.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& choices);

// "a, b, c" (or "(none)").
std::string join(const std::vector<std::string>& choices);

}  // namespace atrank::spec

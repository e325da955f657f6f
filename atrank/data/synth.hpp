// Synthetic behavior data with learnable structure, written in the formats the csv importer
// reads (specs/quickstart.toml, specs/multi-behavior.toml). The generative story is in
// datasets/synthetic/README.md; this header lists the knobs.
#pragma once

#include <cstdint>
#include <string>

#include "atrank/spec/choices.hpp"

namespace atrank::data {

struct SynthOptions {
  spec::SyntheticKind kind = spec::SyntheticKind::Single;  // Single: items only; Multi: items, queries, coupons
  std::int64_t users = 1000;
  std::int64_t items = 2000;
  std::int64_t categories = 20;
  std::int64_t events = 20000;      // total over all behavior types
  std::int64_t behaviors = 1;       // single: item action types (1 = no behavior column)
  std::uint64_t seed = 1;
};

struct SynthSummary {
  std::int64_t users = 0, items = 0, categories = 0, events = 0;
  std::int64_t queries = 0, coupons = 0, shops = 0, brands = 0;  // multi only
  std::string files;  // written files, comma separated
};

// The generator's default sizes per kind: 2,000 users, 2,000 items (multi
// 3,000), 20 categories, 24,000 events (multi 60,000); `electronics` gives Amazon Electronics
// 5-core scale (192,403 users, 63,001 items, 801 categories, 1,689,188 events).
SynthOptions synth_defaults(spec::SyntheticKind kind, bool electronics = false);

// Writes into `dir` (created if needed):
//   single: events.csv (user,item,category,timestamp; + behavior before timestamp when
//           behaviors > 1) and items.csv (item,category);
//   multi:  events.csv (user,behavior,object,timestamp; behaviors pv/cart/fav/buy on items,
//           search on queries, coupon on coupons), items.csv (item,shop,category,brand),
//           coupons.csv (coupon,shop,category).
// Every user, item and category occurs in the events (counts are exact). Deterministic in seed.
SynthSummary write_synthetic(const std::string& dir, const SynthOptions& options);

}  // namespace atrank::data

// Synthetic behavior data with learnable structure, written in the formats the csv importer
// reads (specs/quickstart.toml, specs/multi-behavior.toml, specs/taobao-scale.toml). The
// generative story is in datasets/synthetic/README.md; this header lists the knobs.
#pragma once

#include <cstdint>
#include <string>

#include "atrank/spec/choices.hpp"

namespace atrank::data {

struct SynthOptions {
  // Single: items only; Multi: items, queries, coupons; Taobao: pv/cart/fav/buy on items over 9
  // days in Taobao UserBehavior's format (written as it is generated: any size fits)
  spec::SyntheticKind kind = spec::SyntheticKind::Single;
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

// Size presets: the kind's own defaults, Amazon Electronics 5-core or Taobao UserBehavior.
enum class SynthSize { kind_default, electronics, taobao };

// The generator's sizes for `kind`, times `scale` (counts rounded, at least 1):
//   kind_default: 2,000 users, 2,000 items (multi 3,000), 20 categories, 24,000 events (multi
//                 60,000); taobao kind: Taobao UserBehavior / 1000 (988 users, 4,162 items, 9
//                 categories, 100,151 events);
//   electronics:  192,403 users, 63,001 items, 801 categories, 1,689,188 events;
//   taobao:       987,994 users, 4,162,024 items, 9,439 categories, 100,150,807 events.
SynthOptions synth_defaults(spec::SyntheticKind kind, SynthSize size = SynthSize::kind_default, double scale = 1.0);

// Writes into `dir` (created if needed):
//   single: events.csv (user,item,category,timestamp; + behavior before timestamp when
//           behaviors > 1) and items.csv (item,category);
//   multi:  events.csv (user,behavior,object,timestamp; behaviors pv/cart/fav/buy on items,
//           search on queries, coupon on coupons), items.csv (item,shop,category,brand),
//           coupons.csv (coupon,shop,category);
//   taobao: UserBehavior.csv (user,item,category,behavior,timestamp without a header line, as
//           the official file), grouped by user in time order. Memory O(users + items), not
//           O(events): the events are generated twice (once to count item uses), never held.
// Every user, item and category occurs in the events (counts are exact). Deterministic in seed.
SynthSummary write_synthetic(const std::string& dir, const SynthOptions& options);

}  // namespace atrank::data

// Synthetic users whose next object depends on what they did recently, how long ago, and on
// slowly drifting long-term tastes (see datasets/synthetic/README.md for the story and the
// model ordering it implies). Generation is O(events); output is written with to_chars.
#include "atrank/data/synth.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "atrank/data/data_error.hpp"
#include "atrank/data/paths.hpp"
#include "atrank/data/rng.hpp"

namespace atrank::data {

namespace {

constexpr std::int64_t kClusterSize = 8;     // items per taste cluster
constexpr double kFirstDay = 10957;          // 2000-01-01
constexpr double kLastDay = 16071;           // 2014-01-01
// Taste dynamics (tuned so that recency and time gaps carry signal beyond long-term tastes;
// datasets/synthetic/check_signal.py measures it). After a gap of g days the user continues the
// current session with probability exp(-g / kSessionDays): same cluster (kStay) or a sibling
// cluster of the same category; otherwise a new session starts in a favorite category
// (kFavorite) or in any category (by popularity).
constexpr double kSessionDays = 30.0;
constexpr double kStay = 0.7;
constexpr double kFavorite = 0.6;
constexpr double kDrift = 0.1;               // P(one favorite category is replaced) per event

// Buffered CSV writer (fwrite of 1 MB blocks; numbers through to_chars).
class CsvOut {
 public:
  explicit CsvOut(const std::string& path) : path_(path), f_(std::fopen(path.c_str(), "wb")) {
    if (!f_) throw DataError("cannot write " + path + ": " + std::strerror(errno));
    buf_.reserve(kBlock + 256);
  }
  ~CsvOut() {
    if (f_) std::fclose(f_);
  }
  CsvOut& str(const char* s) {
    buf_.append(s);
    return *this;
  }
  CsvOut& num(std::int64_t v) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    buf_.append(tmp, r.ptr);
    return *this;
  }
  CsvOut& ch(char c) {
    buf_ += c;
    return *this;
  }
  void end_line() {
    buf_ += '\n';
    if (buf_.size() >= kBlock) flush();
  }
  void close() {
    flush();
    if (std::fclose(f_) != 0) throw DataError("cannot write " + path_);
    f_ = nullptr;
  }

 private:
  static constexpr std::size_t kBlock = std::size_t{1} << 20;
  void flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
      throw DataError("cannot write " + path_);
    buf_.clear();
  }
  std::string path_;
  std::FILE* f_;
  std::string buf_;
};

// Sampling from fixed weights by binary search over the cumulative sum.
class Weighted {
 public:
  explicit Weighted(const std::vector<double>& w) : cdf_(w.size()) {
    double s = 0;
    for (std::size_t i = 0; i < w.size(); ++i) cdf_[i] = s += w[i];
  }
  std::int64_t operator()(Rng& rng) const {
    const double u = rng.uniform() * cdf_.back();
    return std::min<std::int64_t>(static_cast<std::int64_t>(std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin()),
                                  static_cast<std::int64_t>(cdf_.size()) - 1);
  }

 private:
  std::vector<double> cdf_;
};

double exponential(Rng& rng, double mean) { return -mean * std::log(1.0 - rng.uniform()); }
double normal(Rng& rng) {
  const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// Items in categories and clusters; shops, brands, queries and coupons for the multi kind.
struct World {
  std::int64_t items = 0, categories = 0, clusters = 0;
  std::vector<std::int64_t> cat_cluster_begin;   // clusters of category c: [b[c], b[c+1])
  std::vector<std::int64_t> cluster_item_begin;  // items of cluster k: [b[k], b[k+1]) (internal ids)
  std::vector<std::int32_t> cluster_category;
  std::vector<std::int32_t> item_cluster;
  std::vector<std::int64_t> item_name;           // internal id -> written id (a permutation)
  std::vector<double> category_weight;
  // multi
  std::int64_t shops = 0, brands = 0, queries = 0, coupons = 0;
  std::vector<std::int32_t> item_shop, item_brand, shop_category;
  std::vector<std::vector<std::int32_t>> shop_items;
};

World make_world(const SynthOptions& o, Rng& rng) {
  World w;
  w.items = o.items;
  w.categories = o.categories;
  // Category sizes: Zipf-like popularity, at least one item each.
  w.category_weight.resize(static_cast<std::size_t>(o.categories));
  double total = 0;
  for (std::int64_t c = 0; c < o.categories; ++c) total += w.category_weight[c] = 1.0 / std::pow(c + 1.0, 0.7);
  std::vector<std::int64_t> size(static_cast<std::size_t>(o.categories), 1);
  std::int64_t left = o.items - o.categories;
  for (std::int64_t c = 0; c < o.categories; ++c) {
    const auto s = static_cast<std::int64_t>(static_cast<double>(o.items - o.categories) * w.category_weight[c] / total);
    size[c] += s;
    left -= s;
  }
  for (std::int64_t c = 0; left > 0; c = (c + 1) % o.categories, --left) ++size[c];
  // Clusters of about kClusterSize items inside each category.
  w.cat_cluster_begin.push_back(0);
  w.cluster_item_begin.push_back(0);
  std::int64_t item = 0;
  for (std::int64_t c = 0; c < o.categories; ++c) {
    const std::int64_t k = (size[c] + kClusterSize - 1) / kClusterSize;
    for (std::int64_t j = 0; j < k; ++j) {
      const std::int64_t n = size[c] / k + (j < size[c] % k ? 1 : 0);
      for (std::int64_t i = 0; i < n; ++i) w.item_cluster.push_back(static_cast<std::int32_t>(w.clusters));
      item += n;
      w.cluster_item_begin.push_back(item);
      w.cluster_category.push_back(static_cast<std::int32_t>(c));
      ++w.clusters;
    }
    w.cat_cluster_begin.push_back(w.clusters);
  }
  // Written ids are a random permutation, so ids carry no structure.
  w.item_name.resize(static_cast<std::size_t>(o.items));
  for (std::int64_t i = 0; i < o.items; ++i) w.item_name[i] = i;
  rng.shuffle(w.item_name.data(), w.item_name.size());

  if (o.kind == spec::SyntheticKind::Multi) {
    w.shops = std::max<std::int64_t>(2, o.items / 25);
    w.brands = std::max<std::int64_t>(2, o.items / 40);
    w.queries = w.clusters + std::max<std::int64_t>(1, w.clusters / 4);  // one per cluster plus unrelated ones
    w.coupons = 2 * w.shops;
    std::vector<std::int32_t> cluster_shop(static_cast<std::size_t>(w.clusters)),
        cluster_brand(static_cast<std::size_t>(w.clusters));
    w.shop_category.assign(static_cast<std::size_t>(w.shops), -1);
    for (std::int64_t k = 0; k < w.clusters; ++k) {
      cluster_shop[k] = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(w.shops)));
      cluster_brand[k] = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(w.brands)));
      if (w.shop_category[cluster_shop[k]] < 0) w.shop_category[cluster_shop[k]] = w.cluster_category[k];
    }
    for (auto& c : w.shop_category)
      if (c < 0) c = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(o.categories)));
    w.item_shop.resize(static_cast<std::size_t>(o.items));
    w.item_brand.resize(static_cast<std::size_t>(o.items));
    w.shop_items.resize(static_cast<std::size_t>(w.shops));
    for (std::int64_t i = 0; i < o.items; ++i) {
      const std::int32_t k = w.item_cluster[i];
      w.item_shop[i] = rng.uniform() < 0.85 ? cluster_shop[k]
                                            : static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(w.shops)));
      w.item_brand[i] = rng.uniform() < 0.7 ? cluster_brand[k]
                                            : static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(w.brands)));
      w.shop_items[w.item_shop[i]].push_back(static_cast<std::int32_t>(i));
    }
  }
  return w;
}

// An item of cluster k: popular ranks first (rank = size * u^1.6).
std::int32_t cluster_item(const World& w, std::int64_t k, Rng& rng) {
  const std::int64_t b = w.cluster_item_begin[k], n = w.cluster_item_begin[k + 1] - b;
  const auto r = static_cast<std::int64_t>(static_cast<double>(n) * std::pow(rng.uniform(), 1.6));
  return static_cast<std::int32_t>(b + std::min(r, n - 1));
}

std::int64_t random_cluster_of(const World& w, std::int64_t c, Rng& rng) {
  const std::int64_t b = w.cat_cluster_begin[c], n = w.cat_cluster_begin[c + 1] - b;
  return b + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(n)));
}

// Event counts per user: a floor (5, like Amazon's 5-core, if the total allows) plus a
// log-normal share of the rest; sums exactly to `events`.
std::vector<std::int64_t> events_per_user(const SynthOptions& o, Rng& rng) {
  const std::int64_t base = std::min<std::int64_t>(5, o.events / o.users);
  std::vector<double> w(static_cast<std::size_t>(o.users));
  double total = 0;
  for (auto& x : w) total += x = std::exp(1.1 * normal(rng));
  std::vector<std::int64_t> n(static_cast<std::size_t>(o.users), base);
  std::int64_t rest = o.events - base * o.users, given = 0;
  for (std::int64_t u = 0; u < o.users; ++u) {
    const auto e = static_cast<std::int64_t>(static_cast<double>(rest) * w[u] / total);
    n[u] += e;
    given += e;
  }
  for (std::int64_t left = rest - given; left > 0; --left) ++n[rng.below(static_cast<std::uint64_t>(o.users))];
  return n;
}

struct Event {
  std::int32_t user;
  std::int8_t type;      // single: behavior index; multi: 0..3 pv/cart/fav/buy, 4 search, 5 coupon
  std::int32_t object;   // internal item id, query id or coupon id
  std::int64_t time;
};

// Taste state of one user while generating.
struct Taste {
  std::int32_t favorites[3];
  std::int64_t cluster = -1;
  std::int32_t last_item = -1;
};

// Next cluster after a gap of `gap` days: continue the session (likely after a short gap) or
// start a new one from the (drifting) favorite categories.
void move(const World& w, const Weighted& category_pick, Taste& t, double gap, Rng& rng) {
  if (t.cluster >= 0 && rng.uniform() < std::exp(-gap / kSessionDays)) {
    if (rng.uniform() >= kStay) t.cluster = random_cluster_of(w, w.cluster_category[t.cluster], rng);
    return;
  }
  const std::int64_t c = rng.uniform() < kFavorite ? t.favorites[rng.below(3)] : category_pick(rng);
  t.cluster = random_cluster_of(w, c, rng);
}

void drift(const Weighted& category_pick, Taste& t, Rng& rng) {
  if (rng.uniform() >= kDrift) return;
  t.favorites[rng.below(3)] = static_cast<std::int32_t>(category_pick(rng));
}

// Every item occurs: an unused item replaces the item of a random event of its cluster whose
// item occurs more than once (keeps the cluster structure), else of any such event.
void cover_items(const World& w, std::vector<Event>& events, bool multi, Rng& rng) {
  std::vector<std::int64_t> uses(static_cast<std::size_t>(w.items), 0);
  std::vector<std::vector<std::int64_t>> by_cluster(static_cast<std::size_t>(w.clusters));
  std::vector<std::int64_t> item_events;
  for (std::size_t e = 0; e < events.size(); ++e) {
    if (multi && events[e].type >= 4) continue;
    ++uses[events[e].object];
    by_cluster[w.item_cluster[events[e].object]].push_back(static_cast<std::int64_t>(e));
    item_events.push_back(static_cast<std::int64_t>(e));
  }
  for (std::int64_t i = 0; i < w.items; ++i) {
    if (uses[i] > 0) continue;
    const auto& local = by_cluster[w.item_cluster[i]];
    bool done = false;
    for (int tries = 0; tries < 64 && !done; ++tries) {
      const bool own = tries < 16 && !local.empty();
      const std::int64_t e = own ? local[rng.below(local.size())] : item_events[rng.below(item_events.size())];
      if (uses[events[e].object] > 1) {
        --uses[events[e].object];
        events[e].object = static_cast<std::int32_t>(i);
        uses[i] = 1;
        done = true;
      }
    }
    if (!done) throw DataError("synth: too few events to use every item (raise --events)");
  }
}

}  // namespace

SynthSummary write_synthetic(const std::string& dir, const SynthOptions& o) {
  if (o.users < 1 || o.categories < 1 || o.items < o.categories)
    throw DataError("synth: need users >= 1 and items >= categories >= 1");
  if (o.events < 2 * o.users) throw DataError("synth: need at least 2 events per user (--events >= 2 * --users)");
  if (o.events < o.items) throw DataError("synth: need at least one event per item (--events >= --items)");
  if (o.behaviors < 1) throw DataError("synth: --behaviors must be >= 1");
  const bool multi = o.kind == spec::SyntheticKind::Multi;
  make_dirs(dir);

  Rng rng(derive_seed(o.seed, 0x73796e7468ULL));
  const World w = make_world(o, rng);
  const Weighted category_pick(w.category_weight);
  const std::vector<std::int64_t> counts = events_per_user(o, rng);
  std::vector<double> behavior_weight(static_cast<std::size_t>(o.behaviors));
  for (std::int64_t b = 0; b < o.behaviors; ++b) behavior_weight[b] = 1.0 / static_cast<double>(b + 1);
  const Weighted behavior_pick(behavior_weight);
  const Weighted item_action(std::vector<double>{0.70, 0.12, 0.08, 0.10});  // pv cart fav buy

  std::vector<Event> events;
  events.reserve(static_cast<std::size_t>(o.events));
  for (std::int64_t u = 0; u < o.users; ++u) {
    Rng ur(derive_seed(o.seed, static_cast<std::uint64_t>(u), 0x75736572ULL));
    Taste t;
    for (auto& f : t.favorites) f = static_cast<std::int32_t>(category_pick(ur));
    const std::int64_t n = counts[u];
    // Heavy users act more often, so that every history fits in ~10 years.
    const double scale = std::min(1.0, 3650.0 / (static_cast<double>(n) * 29.0));
    double day = kFirstDay + ur.uniform() * std::max(0.0, kLastDay - kFirstDay - static_cast<double>(n) * 29.0 * scale);
    std::int32_t coupon_shop = -1;
    int coupon_left = 0;
    for (std::int64_t j = 0; j < n; ++j) {
      const double r = ur.uniform();
      const double gap = j == 0 ? 0.0
                         : scale * (r < 0.55 ? exponential(ur, 1.5) : r < 0.85 ? exponential(ur, 20.0) : exponential(ur, 150.0));
      day += gap;
      drift(category_pick, t, ur);
      Event e{static_cast<std::int32_t>(u), 0, 0, static_cast<std::int64_t>(day * 86400.0)};
      const double kind = multi ? ur.uniform() : 0.0;
      if (multi && kind >= 0.65 && kind < 0.85) {
        // A search announces the user's next interest: its query belongs to the new cluster.
        move(w, category_pick, t, 1e9, ur);
        e.type = 4;
        e.object = ur.uniform() < 0.85 ? static_cast<std::int32_t>(t.cluster)
                                        : static_cast<std::int32_t>(w.clusters + static_cast<std::int64_t>(ur.below(static_cast<std::uint64_t>(w.queries - w.clusters))));
      } else if (multi && kind >= 0.85) {
        // A coupon of a shop makes the next few item events likely to come from that shop.
        const std::int32_t shop = (ur.uniform() < 0.6 && t.cluster >= 0)
                                      ? w.item_shop[cluster_item(w, t.cluster, ur)]
                                      : static_cast<std::int32_t>(ur.below(static_cast<std::uint64_t>(w.shops)));
        e.type = 5;
        e.object = shop + static_cast<std::int32_t>(w.shops * static_cast<std::int64_t>(ur.below(2)));
        coupon_shop = shop;
        coupon_left = 3;
      } else {
        move(w, category_pick, t, gap, ur);
        std::int32_t item = cluster_item(w, t.cluster, ur);
        if (item == t.last_item) item = cluster_item(w, t.cluster, ur);
        if (multi && coupon_left > 0) {
          --coupon_left;
          const auto& shop_items = w.shop_items[coupon_shop];
          if (!shop_items.empty() && ur.uniform() < 0.5) {
            item = shop_items[ur.below(shop_items.size())];
            t.cluster = w.item_cluster[item];
          }
        }
        t.last_item = item;
        e.object = item;
        e.type = static_cast<std::int8_t>(multi ? item_action(ur) : (o.behaviors > 1 ? behavior_pick(ur) : 0));
      }
      events.push_back(e);
    }
  }
  cover_items(w, events, multi, rng);

  static const char* kSingleNames[] = {"buy", "view", "cart", "fav", "share", "rate", "click", "like"};
  static const char* kMultiNames[] = {"pv", "cart", "fav", "buy", "search", "coupon"};
  std::vector<std::string> single_names;
  for (std::int64_t b = 0; b < o.behaviors; ++b)
    single_names.push_back(b < 8 ? kSingleNames[b] : "b" + std::to_string(b));

  SynthSummary summary;
  {
    CsvOut out(dir + "/events.csv");
    if (multi) {
      out.str("user,behavior,object,timestamp").end_line();
    } else {
      out.str(o.behaviors > 1 ? "user,item,category,behavior,timestamp" : "user,item,category,timestamp").end_line();
    }
    for (const Event& e : events) {
      out.num(e.user).ch(',');
      if (multi) {
        out.str(kMultiNames[e.type]).ch(',');
        out.num(e.type < 4 ? w.item_name[e.object] : e.object).ch(',');
      } else {
        out.num(w.item_name[e.object]).ch(',').num(w.cluster_category[w.item_cluster[e.object]]).ch(',');
        if (o.behaviors > 1) out.str(single_names[e.type].c_str()).ch(',');
      }
      out.num(e.time).end_line();
    }
    out.close();
  }
  {
    CsvOut out(dir + "/items.csv");
    out.str(multi ? "item,shop,category,brand" : "item,category").end_line();
    std::vector<std::int64_t> by_name(static_cast<std::size_t>(w.items));
    for (std::int64_t i = 0; i < w.items; ++i) by_name[w.item_name[i]] = i;
    for (std::int64_t name = 0; name < w.items; ++name) {
      const std::int64_t i = by_name[name];
      out.num(name).ch(',');
      if (multi) out.num(w.item_shop[i]).ch(',');
      out.num(w.cluster_category[w.item_cluster[i]]);
      if (multi) out.ch(',').num(w.item_brand[i]);
      out.end_line();
    }
    out.close();
  }
  summary.files = dir + "/events.csv, " + dir + "/items.csv";
  if (multi) {
    CsvOut out(dir + "/coupons.csv");
    out.str("coupon,shop,category").end_line();
    for (std::int64_t c = 0; c < w.coupons; ++c)
      out.num(c).ch(',').num(c % w.shops).ch(',').num(w.shop_category[c % w.shops]).end_line();
    out.close();
    summary.files += ", " + dir + "/coupons.csv";
  }
  summary.users = o.users;
  summary.items = o.items;
  summary.categories = o.categories;
  summary.events = static_cast<std::int64_t>(events.size());
  summary.queries = w.queries;
  summary.coupons = w.coupons;
  summary.shops = w.shops;
  summary.brands = w.brands;
  return summary;
}

}  // namespace atrank::data

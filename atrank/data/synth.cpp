// Synthetic users whose next object depends on what they did recently, how long ago, and on
// slowly drifting long-term tastes (see datasets/synthetic/README.md for the story and the
// model ordering it implies). Generation is O(events); output is written with to_chars. The
// taobao kind streams: its memory does not grow with the number of events.
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
constexpr double kSecondsPerDay = 86400;
constexpr double kTwoPi = 6.283185307179586;
// Taste dynamics (tuned so that recency and time gaps carry signal beyond long-term tastes;
// datasets/synthetic/check_signal.py measures it). After a gap of g the user continues the
// current session with probability exp(-g / session): same cluster (kStay) or a sibling
// cluster of the same category; otherwise a new session starts in a favorite category
// (kFavorite) or in any category (by popularity).
constexpr double kStay = 0.7;
constexpr double kFavorite = 0.6;
constexpr double kDrift = 0.1;               // P(one favorite category is replaced) per event
constexpr int kFavorites = 3;                // favorite categories per user
// Gaps between events: short (P kShortShare), medium (up to kMediumUpTo cumulative) or long;
// their mean lengths are the timeline's.
constexpr double kShortShare = 0.55, kMediumUpTo = 0.85;

// When events happen (all lengths in days). Heavy users act more often, so that every history
// fits in ~history_days: a history of n events spans about n * days_per_event days unless
// compressed.
struct Timeline {
  double first_day, last_day;  // the data's time window
  double session_days;         // session continuation decays as exp(-gap / session_days)
  double short_gap, medium_gap, long_gap;
  double history_days, days_per_event;
  bool fit;  // squeeze a history that overruns last_day into [first_day, last_day)
};
constexpr double kMinute = 1.0 / 1440, kHour = 1.0 / 24;
constexpr double mean_gap(double short_gap, double medium_gap, double long_gap) {
  return kShortShare * short_gap + (kMediumUpTo - kShortShare) * medium_gap + (1 - kMediumUpTo) * long_gap;
}
// single and multi kinds: 2000-01-01 to 2014-01-01, gaps of days to months (like Amazon reviews).
constexpr Timeline kYears{10957, 16071, 30.0, 1.5, 20.0, 150.0, 3650.0, 29.0, false};
// taobao kind: 2017-11-25 00:00 to 2017-12-04 00:00 Beijing time (UTC+8), as Taobao UserBehavior;
// gaps of minutes (browsing), an hour or a day; sessions fade over hours.
constexpr Timeline kNineDays{17494.0 + 16 * kHour, 17503.0 + 16 * kHour, 2 * kHour, 3 * kMinute, kHour, 1.0, 8.5,
                             mean_gap(3 * kMinute, kHour, 1.0), true};
// Popularity: category sizes ~ 1 / (rank + 1)^kCategoryZipf; inside a cluster the item of rank
// size * u^kItemSkew (popular ranks first).
constexpr double kCategoryZipf = 0.7;
constexpr double kItemSkew = 1.6;
// Events per user: a floor (like Amazon's 5-core) plus a log-normal share of the rest.
constexpr std::int64_t kMinUserEvents = 5;
constexpr double kUserActivitySigma = 1.1;
// Multi kind: shop and brand counts, and how strongly a cluster keeps to its shop and brand.
constexpr std::int64_t kItemsPerShop = 25, kItemsPerBrand = 40;
constexpr double kClusterShop = 0.85, kClusterBrand = 0.7;
// Multi kind: event type shares (item action below kSearchFrom, search below kCouponFrom, then
// coupon); a search names the new session's cluster with P kRelatedQuery; a coupon comes from the
// current cluster's shop with P kCouponOfCluster and pulls each of the next kCouponReach item
// events to its shop with P kCouponPull.
constexpr double kSearchFrom = 0.65, kCouponFrom = 0.85;
constexpr double kRelatedQuery = 0.85;
constexpr double kCouponOfCluster = 0.6;
constexpr int kCouponReach = 3;
constexpr double kCouponPull = 0.5;
constexpr std::int64_t kCouponsPerShop = 2;
// Event types of the multi and taobao kinds (Event::type) and their names in the files.
enum MultiType : std::int8_t { kPv = 0, kCart, kFav, kBuy, kSearch, kCoupon };
constexpr int kItemActions = 4;  // pv, cart, fav, buy act on items
const char* const kMultiNames[] = {"pv", "cart", "fav", "buy", "search", "coupon"};
const std::vector<double> kItemActionWeights = {0.70, 0.12, 0.08, 0.10};  // pv cart fav buy
// taobao kind: Taobao UserBehavior's counts of pv, cart, fav, buy (89.6%, 5.5%, 2.9%, 2.0%); a
// cart, fav or buy is of one of the user's last kRecentItems items with P kActOnRecent (people
// buy what they have just looked at).
const std::vector<double> kTaobaoActionWeights = {89716264, 5530446, 2888258, 2015839};
constexpr int kRecentItems = 4;
constexpr double kActOnRecent = 0.5;
// Size presets.
struct Sizes {
  std::int64_t users, items, categories, events;
};
constexpr Sizes kElectronics{192403, 63001, 801, 1689188};   // Amazon Electronics 5-core (the authors' data)
constexpr Sizes kTaobao{987994, 4162024, 9439, 100150807};  // Taobao UserBehavior (Tianchi dataset 649)
constexpr double kTaobaoKindScale = 0.001;                  // the taobao kind's default size
const char* const kSingleNames[] = {"buy", "view", "cart", "fav", "share", "rate", "click", "like"};
constexpr std::int64_t kSingleNamed = 8;
// Seed streams: the world (and item coverage), each user, the taobao kind's streamed coverage.
constexpr std::uint64_t kWorldStream = 0x73796e7468ULL;  // "synth"
constexpr std::uint64_t kUserStream = 0x75736572ULL;     // "user"
constexpr std::uint64_t kCoverStream = 0x636f766572ULL;  // "cover"
// Covering unused items: tries per item, the first ones inside the item's own cluster.
constexpr int kCoverTries = 64, kCoverOwnClusterTries = 16;

// Buffered CSV writer (fwrite of 1 MB blocks; numbers through to_chars).
class CsvOut {
 public:
  explicit CsvOut(const std::string& path) : path_(path), f_(std::fopen(path.c_str(), "wb")) {
    if (!f_) throw DataError("cannot write " + path + ": " + std::strerror(errno));
    buf_.reserve(kBlock + kLineSlack);
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
  static constexpr std::size_t kLineSlack = 256;  // one more line fits without reallocating
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
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
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

// Category sizes: Zipf-like popularity, at least one item each, summing to o.items.
std::vector<std::int64_t> category_sizes(const SynthOptions& o, World& w) {
  w.category_weight.resize(static_cast<std::size_t>(o.categories));
  double total = 0;
  for (std::int64_t c = 0; c < o.categories; ++c)
    total += w.category_weight[c] = 1.0 / std::pow(c + 1.0, kCategoryZipf);
  std::vector<std::int64_t> size(static_cast<std::size_t>(o.categories), 1);
  std::int64_t left = o.items - o.categories;
  for (std::int64_t c = 0; c < o.categories; ++c) {
    const auto s = static_cast<std::int64_t>(static_cast<double>(o.items - o.categories) * w.category_weight[c] / total);
    size[c] += s;
    left -= s;
  }
  for (std::int64_t c = 0; left > 0; c = (c + 1) % o.categories, --left) ++size[c];
  return size;
}

// Clusters of about kClusterSize items inside each category.
void make_clusters(const std::vector<std::int64_t>& size, World& w) {
  w.cat_cluster_begin.push_back(0);
  w.cluster_item_begin.push_back(0);
  std::int64_t item = 0;
  for (std::size_t c = 0; c < size.size(); ++c) {
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
}

// Shops and brands (each cluster mostly keeps to one of each), queries and coupons.
void add_shops(const SynthOptions& o, World& w, Rng& rng) {
  auto below = [&rng](std::int64_t n) { return static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(n))); };
  w.shops = std::max<std::int64_t>(2, o.items / kItemsPerShop);
  w.brands = std::max<std::int64_t>(2, o.items / kItemsPerBrand);
  w.queries = w.clusters + std::max<std::int64_t>(1, w.clusters / 4);  // one per cluster plus unrelated ones
  w.coupons = kCouponsPerShop * w.shops;
  std::vector<std::int32_t> cluster_shop(static_cast<std::size_t>(w.clusters)),
      cluster_brand(static_cast<std::size_t>(w.clusters));
  w.shop_category.assign(static_cast<std::size_t>(w.shops), -1);
  for (std::int64_t k = 0; k < w.clusters; ++k) {
    cluster_shop[k] = below(w.shops);
    cluster_brand[k] = below(w.brands);
    if (w.shop_category[cluster_shop[k]] < 0) w.shop_category[cluster_shop[k]] = w.cluster_category[k];
  }
  for (auto& c : w.shop_category)
    if (c < 0) c = below(o.categories);
  w.item_shop.resize(static_cast<std::size_t>(o.items));
  w.item_brand.resize(static_cast<std::size_t>(o.items));
  w.shop_items.resize(static_cast<std::size_t>(w.shops));
  for (std::int64_t i = 0; i < o.items; ++i) {
    const std::int32_t k = w.item_cluster[i];
    w.item_shop[i] = rng.uniform() < kClusterShop ? cluster_shop[k] : below(w.shops);
    w.item_brand[i] = rng.uniform() < kClusterBrand ? cluster_brand[k] : below(w.brands);
    w.shop_items[w.item_shop[i]].push_back(static_cast<std::int32_t>(i));
  }
}

World make_world(const SynthOptions& o, Rng& rng) {
  World w;
  w.items = o.items;
  w.categories = o.categories;
  make_clusters(category_sizes(o, w), w);
  // Written ids are a random permutation, so ids carry no structure.
  w.item_name.resize(static_cast<std::size_t>(o.items));
  for (std::int64_t i = 0; i < o.items; ++i) w.item_name[i] = i;
  rng.shuffle(w.item_name.data(), w.item_name.size());
  if (o.kind == spec::SyntheticKind::Multi) add_shops(o, w, rng);
  return w;
}

// An item of cluster k: popular ranks first.
std::int32_t cluster_item(const World& w, std::int64_t k, Rng& rng) {
  const std::int64_t b = w.cluster_item_begin[k], n = w.cluster_item_begin[k + 1] - b;
  const auto r = static_cast<std::int64_t>(static_cast<double>(n) * std::pow(rng.uniform(), kItemSkew));
  return static_cast<std::int32_t>(b + std::min(r, n - 1));
}

std::int64_t random_cluster_of(const World& w, std::int64_t c, Rng& rng) {
  const std::int64_t b = w.cat_cluster_begin[c], n = w.cat_cluster_begin[c + 1] - b;
  return b + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(n)));
}

// Event counts per user: a floor (kMinUserEvents if the total allows) plus a log-normal share
// of the rest; sums exactly to `events`.
std::vector<std::int64_t> events_per_user(const SynthOptions& o, Rng& rng) {
  const std::int64_t base = std::min<std::int64_t>(kMinUserEvents, o.events / o.users);
  std::vector<double> w(static_cast<std::size_t>(o.users));
  double total = 0;
  for (auto& x : w) total += x = std::exp(kUserActivitySigma * normal(rng));
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
  std::int8_t type;      // single: behavior index; multi: a MultiType
  std::int32_t object;   // internal item id, query id or coupon id
  std::int64_t time;
};

// The shared samplers of one generation.
struct Pickers {
  Weighted category;     // by popularity
  Weighted behavior;     // single kind: behavior b with weight 1 / (b + 1)
  Weighted item_action;  // multi and taobao kinds: pv, cart, fav, buy
};

std::vector<double> behavior_weights(std::int64_t behaviors) {
  std::vector<double> w(static_cast<std::size_t>(behaviors));
  for (std::int64_t b = 0; b < behaviors; ++b) w[b] = 1.0 / static_cast<double>(b + 1);
  return w;
}

// One user's events: taste state (drifting favorites, current cluster, recent items), time,
// coupon effect.
class UserEvents {
 public:
  UserEvents(const World& w, const Pickers& pick, const SynthOptions& o, std::int64_t u)
      : w_(w), pick_(pick), o_(o), multi_(o.kind == spec::SyntheticKind::Multi),
        taobao_(o.kind == spec::SyntheticKind::Taobao), time_(taobao_ ? kNineDays : kYears),
        user_(static_cast<std::int32_t>(u)),
        rng_(derive_seed(o.seed, static_cast<std::uint64_t>(u), kUserStream)) {
    for (auto& f : favorites_) f = static_cast<std::int32_t>(pick_.category(rng_));
  }

  // Appends the user's n events to `out`, in time order.
  void generate(std::int64_t n, std::vector<Event>& out) {
    const double scale = std::min(1.0, time_.history_days / (static_cast<double>(n) * time_.days_per_event));
    const double span = std::max(0.0, time_.last_day - time_.first_day -
                                          static_cast<double>(n) * time_.days_per_event * scale);
    day_ = time_.first_day + rng_.uniform() * span;
    const std::size_t from = out.size();
    for (std::int64_t j = 0; j < n; ++j) out.push_back(next(j == 0, scale));
    if (time_.fit) fit_window(out.data() + from, out.data() + out.size());
  }

 private:
  // A history longer than the window is squeezed into it (gaps keep their proportions); one
  // that runs past its end moves back.
  void fit_window(Event* first, Event* last) const {
    if (first == last) return;
    const auto begin = static_cast<std::int64_t>(time_.first_day * kSecondsPerDay);
    const auto end = static_cast<std::int64_t>(time_.last_day * kSecondsPerDay);  // exclusive
    const std::int64_t t0 = first->time, length = (last - 1)->time - t0, room = end - 1 - begin;
    const double squeeze = length > room ? static_cast<double>(room) / static_cast<double>(length) : 1.0;
    auto squeezed = [&](std::int64_t gap) { return static_cast<std::int64_t>(static_cast<double>(gap) * squeeze); };
    const std::int64_t start = std::max(begin, std::min(t0, end - 1 - squeezed(length)));
    for (Event* e = first; e != last; ++e) e->time = start + squeezed(e->time - t0);
  }

  Event next(bool first, double scale) {
    const double r = rng_.uniform();
    const double gap = first ? 0.0
                             : scale * (r < kShortShare ? exponential(rng_, time_.short_gap)
                                        : r < kMediumUpTo ? exponential(rng_, time_.medium_gap)
                                                          : exponential(rng_, time_.long_gap));
    day_ += gap;
    drift();
    Event e{user_, 0, 0, static_cast<std::int64_t>(day_ * kSecondsPerDay)};
    const double kind = multi_ ? rng_.uniform() : 0.0;
    if (multi_ && kind >= kSearchFrom && kind < kCouponFrom) {
      search(e);
    } else if (multi_ && kind >= kCouponFrom) {
      coupon(e);
    } else {
      item(e, gap);
    }
    return e;
  }

  // A search announces the user's next interest: its query belongs to the new cluster.
  void search(Event& e) {
    move(std::numeric_limits<double>::infinity());
    e.type = kSearch;
    e.object = rng_.uniform() < kRelatedQuery
                   ? static_cast<std::int32_t>(cluster_)
                   : static_cast<std::int32_t>(w_.clusters + static_cast<std::int64_t>(rng_.below(
                                                                 static_cast<std::uint64_t>(w_.queries - w_.clusters))));
  }

  // A coupon of a shop makes the next few item events likely to come from that shop.
  void coupon(Event& e) {
    const std::int32_t shop = (rng_.uniform() < kCouponOfCluster && cluster_ >= 0)
                                  ? w_.item_shop[cluster_item(w_, cluster_, rng_)]
                                  : static_cast<std::int32_t>(rng_.below(static_cast<std::uint64_t>(w_.shops)));
    e.type = kCoupon;
    e.object = shop + static_cast<std::int32_t>(w_.shops * static_cast<std::int64_t>(rng_.below(kCouponsPerShop)));
    coupon_shop_ = shop;
    coupon_left_ = kCouponReach;
  }

  void item(Event& e, double gap) {
    move(gap);
    std::int32_t item = cluster_item(w_, cluster_, rng_);
    if (item == last_item_) item = cluster_item(w_, cluster_, rng_);
    if (multi_ && coupon_left_ > 0) {
      --coupon_left_;
      const auto& shop_items = w_.shop_items[coupon_shop_];
      if (!shop_items.empty() && rng_.uniform() < kCouponPull) {
        item = shop_items[rng_.below(shop_items.size())];
        cluster_ = w_.item_cluster[item];
      }
    }
    if (taobao_) {
      e.type = static_cast<std::int8_t>(pick_.item_action(rng_));
      if (e.type != kPv && recent_count_ > 0 && rng_.uniform() < kActOnRecent)
        item = recent_[rng_.below(static_cast<std::uint64_t>(recent_count_))];
      recent_[recent_next_] = item;
      recent_next_ = (recent_next_ + 1) % kRecentItems;
      recent_count_ = std::min(recent_count_ + 1, kRecentItems);
    } else {
      e.type = static_cast<std::int8_t>(multi_                ? pick_.item_action(rng_)
                                        : o_.behaviors > 1 ? pick_.behavior(rng_)
                                                           : 0);
    }
    last_item_ = item;
    e.object = item;
  }

  // Next cluster after a gap of `gap` days: continue the session (likely after a short gap) or
  // start a new one from the (drifting) favorite categories.
  void move(double gap) {
    if (cluster_ >= 0 && rng_.uniform() < std::exp(-gap / time_.session_days)) {
      if (rng_.uniform() >= kStay) cluster_ = random_cluster_of(w_, w_.cluster_category[cluster_], rng_);
      return;
    }
    const std::int64_t c = rng_.uniform() < kFavorite ? favorites_[rng_.below(kFavorites)] : pick_.category(rng_);
    cluster_ = random_cluster_of(w_, c, rng_);
  }

  void drift() {
    if (rng_.uniform() >= kDrift) return;
    favorites_[rng_.below(kFavorites)] = static_cast<std::int32_t>(pick_.category(rng_));
  }

  const World& w_;
  const Pickers& pick_;
  const SynthOptions& o_;
  const bool multi_, taobao_;
  const Timeline& time_;
  const std::int32_t user_;
  Rng rng_;
  double day_ = 0;
  std::int32_t favorites_[kFavorites];
  std::int64_t cluster_ = -1;
  std::int32_t last_item_ = -1;
  std::int32_t recent_[kRecentItems];  // taobao kind: the last items (a ring)
  int recent_count_ = 0, recent_next_ = 0;
  std::int32_t coupon_shop_ = -1;
  int coupon_left_ = 0;
};

// Every item occurs: an unused item replaces the item of a random event of its cluster whose
// item occurs more than once (keeps the cluster structure), else of any such event.
void cover_items(const World& w, std::vector<Event>& events, bool multi, Rng& rng) {
  std::vector<std::int64_t> uses(static_cast<std::size_t>(w.items), 0);
  std::vector<std::vector<std::int64_t>> by_cluster(static_cast<std::size_t>(w.clusters));
  std::vector<std::int64_t> item_events;
  for (std::size_t e = 0; e < events.size(); ++e) {
    if (multi && events[e].type >= kItemActions) continue;
    ++uses[events[e].object];
    by_cluster[w.item_cluster[events[e].object]].push_back(static_cast<std::int64_t>(e));
    item_events.push_back(static_cast<std::int64_t>(e));
  }
  for (std::int64_t i = 0; i < w.items; ++i) {
    if (uses[i] > 0) continue;
    const auto& local = by_cluster[w.item_cluster[i]];
    bool done = false;
    for (int tries = 0; tries < kCoverTries && !done; ++tries) {
      const bool own = tries < kCoverOwnClusterTries && !local.empty();
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

// The taobao kind's item coverage without holding the events: pass 1 counts each item's uses;
// pass 2 regenerates the same events and hands every unused item to one repeat event (a later
// use of an already written item) of its own cluster, chosen uniformly by selection sampling;
// items of clusters with too few repeats go to repeat events of any cluster the same way.
class StreamCover {
 public:
  StreamCover(const World& w, const std::vector<std::int64_t>& uses, std::uint64_t seed)
      : w_(w), uses_(uses), seen_(uses.size(), 0), rng_(seed) {
    const auto clusters = static_cast<std::size_t>(w.clusters);
    need_.resize(clusters);
    repeats_.resize(clusters);
    next_.resize(clusters);
    for (std::int64_t k = 0; k < w.clusters; ++k) {
      std::int64_t events = 0, unused = 0;
      next_[k] = w.cluster_item_begin[k];
      for (std::int64_t i = w.cluster_item_begin[k]; i < w.cluster_item_begin[k + 1]; ++i) {
        events += uses[i];
        unused += uses[i] == 0;
      }
      repeats_[k] = events - (w.cluster_item_begin[k + 1] - w.cluster_item_begin[k] - unused);
      need_[k] = std::min(unused, repeats_[k]);
      other_repeats_ += repeats_[k] - need_[k];
      // The cluster's first need_[k] unused items stay in it; the others go anywhere.
      std::int64_t skip = need_[k];
      for (std::int64_t i = w.cluster_item_begin[k]; i < w.cluster_item_begin[k + 1]; ++i)
        if (uses[i] == 0 && skip-- <= 0) elsewhere_.push_back(static_cast<std::int32_t>(i));
    }
    if (static_cast<std::int64_t>(elsewhere_.size()) > other_repeats_)
      throw DataError("synth: too few events to use every item (raise --events)");
  }

  // The item to write for a generated event of `item`: itself, or an unused item it makes room for.
  std::int32_t operator()(std::int32_t item) {
    if (!seen_[item]) {
      seen_[item] = 1;
      return item;
    }
    const std::int32_t k = w_.item_cluster[item];
    const bool here = need_[k] > 0 && pick(repeats_[k], need_[k]);
    --repeats_[k];
    if (here) {
      --need_[k];
      while (uses_[next_[k]] > 0) ++next_[k];
      return static_cast<std::int32_t>(next_[k]++);
    }
    const auto left = static_cast<std::int64_t>(elsewhere_.size() - elsewhere_next_);
    const bool there = left > 0 && pick(other_repeats_, left);
    --other_repeats_;
    return there ? elsewhere_[elsewhere_next_++] : item;
  }

 private:
  // Selection sampling: take this one of `left` candidates with P wanted / left, so that exactly
  // `wanted` of them are taken, uniformly.
  bool pick(std::int64_t left, std::int64_t wanted) {
    return rng_.below(static_cast<std::uint64_t>(left)) < static_cast<std::uint64_t>(wanted);
  }

  const World& w_;
  const std::vector<std::int64_t>& uses_;  // pass 1's count per item
  std::vector<char> seen_;                 // items already written
  // Per cluster: unused items still to place in it, repeat events still to come, where the next
  // unused item may be.
  std::vector<std::int64_t> need_, repeats_, next_;
  std::vector<std::int32_t> elsewhere_;  // unused items placed in any cluster's repeat events
  std::size_t elsewhere_next_ = 0;
  std::int64_t other_repeats_ = 0;       // repeat events not taken by their own cluster, still to come
  Rng rng_;
};

// taobao kind: UserBehavior.csv, written user by user; memory O(users + items + one user's events).
void write_taobao(const std::string& path, const World& w, const Pickers& pick, const SynthOptions& o,
                  const std::vector<std::int64_t>& counts) {
  std::vector<Event> events;  // one user's
  std::vector<std::int64_t> uses(static_cast<std::size_t>(w.items), 0);
  for (std::int64_t u = 0; u < o.users; ++u) {
    events.clear();
    UserEvents(w, pick, o, u).generate(counts[u], events);
    for (const Event& e : events) ++uses[e.object];
  }
  StreamCover cover(w, uses, derive_seed(o.seed, kCoverStream));
  CsvOut out(path);
  for (std::int64_t u = 0; u < o.users; ++u) {
    events.clear();
    UserEvents(w, pick, o, u).generate(counts[u], events);
    for (const Event& e : events) {
      const std::int32_t item = cover(e.object);
      out.num(e.user + 1).ch(',').num(w.item_name[item] + 1).ch(',');
      out.num(w.cluster_category[w.item_cluster[item]] + 1).ch(',').str(kMultiNames[e.type]).ch(',');
      out.num(e.time).end_line();
    }
  }
  out.close();
}

void check_options(const SynthOptions& o) {
  if (o.users < 1 || o.categories < 1 || o.items < o.categories)
    throw DataError("synth: need users >= 1 and items >= categories >= 1");
  if (o.events < 2 * o.users) throw DataError("synth: need at least 2 events per user (--events >= 2 * --users)");
  if (o.events < o.items) throw DataError("synth: need at least one event per item (--events >= --items)");
  if (o.behaviors < 1) throw DataError("synth: --behaviors must be >= 1");
}

void write_events(const std::string& path, const World& w, const std::vector<Event>& events, const SynthOptions& o) {
  const bool multi = o.kind == spec::SyntheticKind::Multi;
  std::vector<std::string> single_names;
  for (std::int64_t b = 0; b < o.behaviors; ++b)
    single_names.push_back(b < kSingleNamed ? kSingleNames[b] : "b" + std::to_string(b));
  CsvOut out(path);
  if (multi) {
    out.str("user,behavior,object,timestamp").end_line();
  } else {
    out.str(o.behaviors > 1 ? "user,item,category,behavior,timestamp" : "user,item,category,timestamp").end_line();
  }
  for (const Event& e : events) {
    out.num(e.user).ch(',');
    if (multi) {
      out.str(kMultiNames[e.type]).ch(',');
      out.num(e.type < kItemActions ? w.item_name[e.object] : e.object).ch(',');
    } else {
      out.num(w.item_name[e.object]).ch(',').num(w.cluster_category[w.item_cluster[e.object]]).ch(',');
      if (o.behaviors > 1) out.str(single_names[e.type].c_str()).ch(',');
    }
    out.num(e.time).end_line();
  }
  out.close();
}

// items.csv in written-id order: item,category (multi: item,shop,category,brand).
void write_items(const std::string& path, const World& w, bool multi) {
  CsvOut out(path);
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

void write_coupons(const std::string& path, const World& w) {
  CsvOut out(path);
  out.str("coupon,shop,category").end_line();
  for (std::int64_t c = 0; c < w.coupons; ++c)
    out.num(c).ch(',').num(c % w.shops).ch(',').num(w.shop_category[c % w.shops]).end_line();
  out.close();
}

}  // namespace

SynthOptions synth_defaults(spec::SyntheticKind kind, SynthSize size, double scale) {
  const bool multi = kind == spec::SyntheticKind::Multi;
  if (size == SynthSize::kind_default && kind == spec::SyntheticKind::Taobao) {
    size = SynthSize::taobao;
    scale *= kTaobaoKindScale;
  }
  const Sizes n = size == SynthSize::electronics ? kElectronics
                  : size == SynthSize::taobao    ? kTaobao
                                                 : Sizes{2000, multi ? 3000 : 2000, 20, multi ? 60000 : 24000};
  SynthOptions o;
  o.kind = kind;
  o.users = n.users;
  o.items = n.items;
  o.categories = n.categories;
  o.events = n.events;
  if (scale != 1.0)
    for (std::int64_t* x : {&o.users, &o.items, &o.categories, &o.events})
      *x = std::max<std::int64_t>(1, std::llround(static_cast<double>(*x) * scale));
  return o;
}

SynthSummary write_synthetic(const std::string& dir, const SynthOptions& o) {
  check_options(o);
  const bool multi = o.kind == spec::SyntheticKind::Multi;
  make_dirs(dir);

  Rng rng(derive_seed(o.seed, kWorldStream));
  const World w = make_world(o, rng);
  const Pickers pick{Weighted(w.category_weight), Weighted(behavior_weights(o.behaviors)),
                     Weighted(o.kind == spec::SyntheticKind::Taobao ? kTaobaoActionWeights : kItemActionWeights)};
  const std::vector<std::int64_t> counts = events_per_user(o, rng);
  SynthSummary summary;
  if (o.kind == spec::SyntheticKind::Taobao) {
    write_taobao(dir + "/UserBehavior.csv", w, pick, o, counts);
    summary.files = dir + "/UserBehavior.csv";
  } else {
    std::vector<Event> events;
    events.reserve(static_cast<std::size_t>(o.events));
    for (std::int64_t u = 0; u < o.users; ++u) UserEvents(w, pick, o, u).generate(counts[u], events);
    cover_items(w, events, multi, rng);
    write_events(dir + "/events.csv", w, events, o);
    write_items(dir + "/items.csv", w, multi);
    summary.files = dir + "/events.csv, " + dir + "/items.csv";
  }
  if (multi) {
    write_coupons(dir + "/coupons.csv", w);
    summary.files += ", " + dir + "/coupons.csv";
  }
  summary.users = o.users;
  summary.items = o.items;
  summary.categories = o.categories;
  summary.events = o.events;
  summary.queries = w.queries;
  summary.coupons = w.coupons;
  summary.shops = w.shops;
  summary.brands = w.brands;
  return summary;
}

}  // namespace atrank::data

// Helpers for data tests: a temporary directory removed at scope exit, and writers for plain
// and gzip files, so no test depends on the real datasets.
#pragma once

#include <string>
#include <vector>

#include "atrank/spec/spec.hpp"

namespace atrank::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_text(const std::string& path, const std::string& text);
void write_gzip(const std::string& path, const std::string& text);

// A spec with one group "item" over all behaviors of `item`, one task "item", log2(12) edges.
spec::Spec single_group_spec(const std::string& cache_dir);

// single_group_spec over the multi kind's events file (`atrank data synth --kind multi`): the
// item group holds `item_behaviors`, searches are queries and coupons coupons.
spec::Spec multi_kind_spec(const std::string& events_csv, const std::string& cache_dir,
                           const std::vector<std::string>& item_behaviors = {"pv", "cart", "fav", "buy"});
// Adds a group `name` of `behaviors` on objects of space `name` (features: the object), or a
// task `name` on group `target`.
void add_group(spec::Spec& s, const std::string& name, const std::vector<std::string>& behaviors);
void add_task(spec::Spec& s, const std::string& name, const std::string& target);

// How specs/taobao.toml reads Taobao UserBehavior files: no header, five columns, the category
// from the events.
spec::DataSpec taobao_data(const std::string& path);

}  // namespace atrank::test

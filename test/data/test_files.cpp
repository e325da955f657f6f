// Temp directories and file writers for the data tests.
#include "test/data/test_files.hpp"

#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace atrank::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/atrank-data-test-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path);
}

void write_gzip(const std::string& path, const std::string& text) {
  gzFile f = gzopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
}

spec::Spec single_group_spec(const std::string& cache_dir) {
  spec::Spec s;
  s.name = "test";
  s.data.cache_dir = cache_dir;
  spec::GroupSpec g;
  g.name = "item";
  g.object = "item";
  for (std::int64_t e = 2; e <= 4096; e *= 2) g.time.edges.push_back(e);
  s.groups.push_back(g);
  spec::TaskSpec t;
  t.name = "item";
  t.target = "item";
  s.tasks.push_back(t);
  s.eval.negatives = 1;
  // A ranking metric, so that eval.negatives is what the example builder uses.
  s.eval.metrics = {"auc", "hr@10"};
  return s;
}

spec::Spec multi_kind_spec(const std::string& events_csv, const std::string& cache_dir,
                           const std::vector<std::string>& item_behaviors) {
  spec::Spec s = single_group_spec(cache_dir);
  s.data.path = events_csv;
  s.data.object_column = "object";
  s.data.behavior_column = "behavior";
  s.data.behavior_object_space = {{"search", "query"}, {"coupon", "coupon"}};
  s.groups[0].behaviors = item_behaviors;
  return s;
}

void add_group(spec::Spec& s, const std::string& name, const std::vector<std::string>& behaviors) {
  spec::GroupSpec g = s.groups[0];
  g.name = name;
  g.object = name;
  g.behaviors = behaviors;
  s.groups.push_back(g);
}

void add_task(spec::Spec& s, const std::string& name, const std::string& target) {
  spec::TaskSpec t;
  t.name = name;
  t.target = target;
  s.tasks.push_back(t);
}

spec::DataSpec taobao_data(const std::string& path) {
  spec::DataSpec d;
  d.source = "csv";
  d.path = path;
  d.header = false;
  d.columns = {"user", "item", "category", "behavior", "timestamp"};
  d.behavior_column = "behavior";
  spec::AttributeSpec a;
  a.name = "category";
  a.object_space = "item";
  a.column = "category";
  d.attributes = {a};
  return d;
}

}  // namespace atrank::test

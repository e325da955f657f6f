// What the tests of the binary's commands share: a tiny ATRank spec and a
// scratch directory holding it with tiny generated data.
#pragma once

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "test/cli/run_binary.hpp"

namespace atrank::test {

// A small ATRank spec over `data/events.csv` (relative to the working directory).
inline std::string tiny_spec(const std::string& data_lines = "path = \"data\"\nfiles = [\"events.csv\"]\n") {
  return "name = \"tiny\"\n[data]\nsource = \"csv\"\n" + data_lines +
         "[[data.attributes]]\nname = \"category\"\nobject_space = \"item\"\ncolumn = \"category\"\n"
         "[tables.item]\nwidth = 8\n[tables.category]\nwidth = 8\n"
         "[groups.item]\nobject = \"item\"\nfeatures = [\"item\", { table = \"category\", through = \"category\" }]\n"
         "time = { encoding = \"one_hot\", edges = \"log2\", count = 12, combine = \"concat\" }\n"
         "projection = { width = 16, activation = \"none\" }\n"
         "[encoder]\nkind = \"atrank\"\nhidden = 16\nheads = 2\nblocks = 1\nffn = 8\n"
         "[tasks.item]\ntarget = \"item\"\n"
         "[train]\nbatch_size = 32\nepochs = 1\nthreads = 1\n[eval]\nmetrics = [\"auc\"]\n";
}

// A scratch directory with tiny generated data in data/ and the spec in tiny.toml.
struct Workspace {
  Scratch dir;
  Workspace() {
    const Outcome r = run_atrank({"data", "synth", "--out", "data", "--users", "80", "--items", "120",
                                  "--categories", "6", "--events", "1200"},
                                 dir.path());
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
    write_text(dir.file("tiny.toml"), tiny_spec());
  }
  Outcome operator()(const std::vector<std::string>& args) const { return run_atrank(args, dir.path()); }
  std::string file(const std::string& name) const { return dir.file(name); }
};

}  // namespace atrank::test

#include "atrank/train/run_directory.hpp"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "atrank/train/checked_file.hpp"

namespace atrank::train {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLock = "run.lock";
constexpr const char* kReplaced = "replaced-";

// Local time as YYYYmmdd-HHMMSS.
std::string stamp() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", std::localtime(&now));
  return text;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::string default_run_dir(const std::string& spec_file) {
  return (fs::path("runs") / (fs::path(spec_file).stem().string() + "-" + stamp())).string();
}

std::string RunFiles::path(const std::string& name) const { return (fs::path(dir) / name).string(); }

std::vector<std::string> RunFiles::present() const {
  std::vector<std::string> out;
  for (const std::string name : {"spec.toml", "metrics.jsonl", "summary.json", "checkpoint.ckpt", "best.ckpt",
                                 "best-at-checkpoint.ckpt"})
    if (fs::exists(path(name))) out.push_back(name);
  return out;
}

void write_origin(const RunFiles& files) {
  const nlohmann::json origin = {{"working_directory", fs::current_path().string()}};
  write_file_atomically(files.origin(), origin.dump() + "\n");
}

spec::Spec with_run_paths(const RunFiles& files, spec::Spec spec) {
  std::error_code missing;
  if (!fs::exists(files.origin(), missing)) return spec;
  std::string dir;
  try {
    std::ifstream in(files.origin());
    dir = nlohmann::json::parse(in).at("working_directory").get<std::string>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(files.origin() + ": expected {\"working_directory\": \"DIR\"} (written by `atrank run`)");
  }
  for (std::string* p : {&spec.data.path, &spec.data.cache_dir})
    if (!p->empty() && fs::path(*p).is_relative()) *p = (fs::path(dir) / *p).lexically_normal().string();
  return spec;
}

void refuse_existing_run(const RunFiles& files, const std::string& resume) {
  const auto found = files.present();
  if (found.empty()) return;
  std::string ways = fs::exists(files.checkpoint()) ? "continue it with\n  " + resume + "\nor " : "";
  throw std::runtime_error("run directory " + files.dir + " already holds a run (" + join(found) + "); " + ways +
                           "start over with --force (its files move to " + files.dir +
                           "/replaced-<time>/, nothing is deleted), or choose another --out");
}

std::string set_aside_old_run(const RunFiles& files) {
  std::vector<fs::path> old;
  for (const auto& entry : fs::directory_iterator(files.dir)) {
    const std::string name = entry.path().filename().string();
    if (name != kLock && name.rfind(kReplaced, 0) != 0) old.push_back(entry.path());
  }
  if (old.empty()) return "";
  const std::string name = kReplaced + stamp();
  fs::path to = fs::path(files.dir) / name;
  for (int n = 2; fs::exists(to); ++n) to = fs::path(files.dir) / (name + "-" + std::to_string(n));
  fs::create_directory(to);
  for (const fs::path& p : old) fs::rename(p, to / p.filename());
  return to.string();
}

}  // namespace atrank::train

#include "atrank/train/metrics_log.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace atrank::train {

void MetricsLog::keep_until(const std::string& path, std::int64_t step, std::ostream& warnings) {
  if (!std::filesystem::exists(path)) return;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string kept;
  std::int64_t later = 0;
  std::size_t torn = 0;
  std::size_t line_no = 0;
  for (std::size_t begin = 0; begin < text.size();) {
    const std::size_t newline = text.find('\n', begin);
    const bool last = newline == std::string::npos || newline + 1 == text.size();
    const std::size_t end = newline == std::string::npos ? text.size() : newline;
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    ++line_no;
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    const bool whole = newline != std::string::npos && j.is_object() && j.contains("step") &&
                       j["step"].is_number_integer();
    if (!whole) {
      if (!last)
        throw std::runtime_error(fmt::format("{}:{}: not an evaluation line (a JSON object with a \"step\"); "
                                             "the file was edited: fix or remove the line",
                                             path, line_no));
      torn = line.size();
      continue;
    }
    if (j["step"].get<std::int64_t>() > step) {
      ++later;
      continue;
    }
    kept += line + "\n";
  }
  if (later == 0 && torn == 0) return;
  std::string what;
  if (later > 0)
    what = fmt::format("{} evaluation{} after step {}, the last the checkpoint knows of", later,
                       later == 1 ? "" : "s", step);
  if (torn > 0) what += fmt::format("{}a torn last line ({} bytes, a write cut short)", later > 0 ? ", and " : "", torn);
  warnings << "atrank: warning: " << path << ": dropped " << what << "\n";
  write_file_atomically(path, kept);
}

}  // namespace atrank::train

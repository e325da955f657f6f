// Text and JSON renderings of a model summary.
#include "atrank/model/summary_report.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

namespace atrank::model {

std::string with_commas(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

namespace {

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::string number(double x) { return fmt::format("{:g}", x); }

}  // namespace

namespace {

void encoder_text(std::ostringstream& o, const ModelSummary& s) {
  o << "encoder\n  " << spec::name_of(s.encoder);
  if (s.encoder == spec::EncoderKind::Atrank)
    o << ": hidden " << s.hidden << ", " << s.heads << " heads of " << (s.heads ? s.hidden / s.heads : 0)
      << ", " << s.num_blocks << (s.num_blocks == 1 ? " block" : " blocks") << " (self + vanilla attention)"
      << ", ffn " << s.ffn << ", dropout " << number(s.dropout) << ", Q/K/V " << s.qkv_activation
      << ", layer-norm eps " << number(s.layer_norm_eps);
  else
    o << ": hidden " << s.hidden;
}

void group_text(std::ostringstream& o, const GroupSummary& g) {
  o << "  " << g.name << "  (behaviors: " << (g.behaviors.empty() ? std::string("all") : join(g.behaviors, ", "))
    << "; objects: " << g.object << "; " << (g.attended ? "attended" : "target only, not attended") << ")\n";
  std::vector<std::string> f;
  for (const auto& x : g.features)
    f.push_back("`" + x.table + "` [" + (x.through.empty() ? g.object + " id" : g.object + " -> " + x.through) +
                ", " + std::to_string(x.width) + "]");
  o << "    features    " << join(f, " + ") << "\n";
  o << "    behavior    "
    << (g.behavior_table.empty() ? std::string("none")
                                 : "`" + g.behavior_table + "` [" + std::to_string(g.behavior_width) + "]")
    << "\n";
  o << "    time        " << g.time << " (this group's own)";
  if (g.time_width > 0) o << ", " << g.time_width << " wide";
  o << "\n";
  if (g.width > 0)
    o << "    projection  " << g.input_width << " -> " << g.width << " (" << g.projection_activation << "), "
      << with_commas(g.params) << " params\n";
  else
    o << "    projection  none: " << g.input_width << "-wide vectors go to the encoder\n";
}

void tables_text(std::ostringstream& o, const ModelSummary& s) {
  std::size_t wn = 4, ws = 5;
  for (const auto& t : s.tables) {
    wn = std::max(wn, t.name.size());
    ws = std::max(ws, (with_commas(t.rows) + " x " + std::to_string(t.width)).size());
  }
  o << "\ntables\n";
  o << fmt::format("  {:<{}}  {:>{}}  {:>11}  {:<14}  {}\n", "name", wn, "shape", ws, "params", "init", "users");
  for (const auto& t : s.tables)
    o << fmt::format("  {:<{}}  {:>{}}  {:>11}  {:<14}  {}\n", t.name, wn,
                     with_commas(t.rows) + " x " + std::to_string(t.width), ws, with_commas(t.params), t.init,
                     join(t.users, "; "));
}

void blocks_text(std::ostringstream& o, const ModelSummary& s) {
  std::size_t wb = 4, wk = 4;
  for (const auto& b : s.blocks) {
    wb = std::max(wb, b.name.size());
    wk = std::max(wk, b.kind.size());
  }
  o << "\nblocks\n";
  o << fmt::format("  {:<{}}  {:<{}}  {:>11}  {}\n", "name", wb, "kind", wk, "params", "detail");
  for (const auto& b : s.blocks)
    o << fmt::format("  {:<{}}  {:<{}}  {:>11}  {}\n", b.name, wb, b.kind, wk, with_commas(b.params), b.detail);
}

void tasks_text(std::ostringstream& o, const ModelSummary& s) {
  o << "\ntasks\n";
  for (const auto& t : s.tasks)
    o << "  " << t.name << ": target group `" << t.target << "` (" << t.target_width << " wide, "
      << (t.project_target ? "through the group's projection" : "not projected") << "), loss " << t.loss
      << ", l2 " << number(t.l2) << " on the output vectors, weight " << number(t.weight) << ", bias "
      << (t.bias_table.empty() ? std::string("none") : "`" + t.bias_table + "`") << "\n";
}

}  // namespace

std::string summary_text(const ModelSummary& s) {
  std::ostringstream o;
  encoder_text(o, s);
  o << "\n\ngroups\n";
  for (const auto& g : s.groups) group_text(o, g);
  tables_text(o, s);
  blocks_text(o, s);
  tasks_text(o, s);
  std::int64_t block_sum = 0;
  for (const auto& b : s.blocks) block_sum += b.params;
  o << "\ntrainable parameters\n";
  o << fmt::format("  {:<8} {:>11}\n", "tables", with_commas(s.table_params));
  o << fmt::format("  {:<8} {:>11}\n", "blocks", with_commas(block_sum));
  o << fmt::format("  {:<8} {:>11}\n", "total", with_commas(s.total_params));
  return o.str();
}

nlohmann::json summary_json(const ModelSummary& s) {
  using nlohmann::json;
  json j;
  j["encoder"] = {{"kind", spec::name_of(s.encoder)},       {"hidden", s.hidden},   {"heads", s.heads},
                  {"blocks", s.num_blocks},  {"ffn", s.ffn},         {"dropout", s.dropout},
                  {"qkv_activation", s.qkv_activation}, {"layer_norm_eps", s.layer_norm_eps}};
  json groups = json::array(), per_group = json::object();
  for (const auto& g : s.groups) {
    json f = json::array();
    for (const auto& x : g.features) f.push_back({{"table", x.table}, {"through", x.through}, {"width", x.width}});
    groups.push_back({{"name", g.name},
                      {"behaviors", g.behaviors},
                      {"object", g.object},
                      {"attended", g.attended},
                      {"features", f},
                      {"behavior_table", g.behavior_table},
                      {"behavior_width", g.behavior_width},
                      {"time", g.time},
                      {"time_table", g.time_table},
                      {"time_width", g.time_width},
                      {"input_width", g.input_width},
                      {"width", g.width},
                      {"projection_activation", g.projection_activation},
                      {"params", g.params}});
    per_group[g.name] = g.params;
  }
  j["groups"] = groups;
  json tables = json::array(), per_table = json::object();
  for (const auto& t : s.tables) {
    tables.push_back({{"name", t.name}, {"vocab", t.vocab}, {"rows", t.rows}, {"width", t.width},
                      {"init", t.init}, {"users", t.users}, {"params", t.params}});
    per_table[t.name] = t.params;
  }
  j["tables"] = tables;
  json blocks = json::array(), per_block = json::object();
  std::int64_t block_sum = 0;
  for (const auto& b : s.blocks) {
    blocks.push_back({{"name", b.name}, {"kind", b.kind}, {"detail", b.detail}, {"params", b.params}});
    per_block[b.name] = b.params;
    block_sum += b.params;
  }
  j["blocks"] = blocks;
  json tasks = json::array();
  for (const auto& t : s.tasks)
    tasks.push_back({{"name", t.name}, {"target", t.target}, {"loss", t.loss}, {"l2", t.l2},
                     {"weight", t.weight}, {"bias_table", t.bias_table},
                     {"project_target", t.project_target}, {"target_width", t.target_width}});
  j["tasks"] = tasks;
  j["params"] = {{"total", s.total_params}, {"tables", s.table_params}, {"dense", s.dense_params},
                 {"blocks", block_sum},     {"per_table", per_table},  {"per_block", per_block},
                 {"per_group", per_group}};
  return j;
}

}  // namespace atrank::model

// The planner behind make_plan(): checks a resolved spec section by section
// (values, ranges, cross-references, widths) while it fills the plan, then
// assembles what follows from several sections (group roles, the tables in
// creation order with their users). Every message names the origin of the
// offending key, its path, what was expected and the choices. Internal to spec/.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "atrank/spec/document.hpp"
#include "atrank/spec/plan.hpp"
#include "atrank/spec/suggest.hpp"

namespace atrank::spec {

class Planner {
 public:
  explicit Planner(Plan& plan) : s_(plan.spec), p_(plan) {}
  void run();

 private:
  const Spec& s_;
  Plan& p_;
  // Decided by the data section, read by later ones.
  DataSource source_ = DataSource::Csv;
  SplitScheme split_ = SplitScheme::Last;
  std::map<std::string, InitKind> inits_;  // declared table -> its initializer

  // ---- messages (plan_checks.cpp) ----
  Origin where(std::string path) const;
  std::string at(const std::string& path) const;  // "path at file:line:col"
  [[noreturn]] void fail(const std::string& path, const std::string& what) const;
  template <class E>
  E one_of(const std::string& path, const std::string& value,
           const std::vector<Choice<E>>& among = choices<E>()) const {
    if (const auto v = parse_choice(value, among)) return *v;
    const auto names = choice_names(among);
    fail(path, "unknown value \"" + value + "\"" + did_you_mean(value, names) + "; expected one of: " + join(names));
  }
  void positive(const std::string& path, std::int64_t v) const;
  void size(const std::string& path, std::int64_t v) const;  // positive, at most kMaxSize
  // Positive and at most `max` `noun`; `why` says what each one costs.
  void count(const std::string& path, std::int64_t v, std::int64_t max, const char* noun, const char* why) const;
  void non_negative(const std::string& path, std::int64_t v) const;
  void positive(const std::string& path, double v) const;
  void non_negative(const std::string& path, double v) const;
  void unit_interval(const std::string& path, double v) const;  // [0, 1)
  void identifier(const std::string& path, const std::string& v, const std::string& what) const;
  const TableSpec& table_ref(const std::string& path, const std::string& name) const;
  const GroupSpec& group_ref(const std::string& path, const std::string& name) const;

  // ---- names, data and vocabulary (plan_data.cpp) ----
  void names() const;
  void data();
  void csv_columns() const;
  void attributes() const;
  std::vector<std::string> object_spaces() const;
  std::vector<std::string> attributes_of(const std::string& space) const;
  bool attributes_known() const;
  std::vector<std::string> id_spaces() const;
  void vocab() const;

  // ---- tables, encoder and groups (plan_groups.cpp) ----
  void tables();
  void encoder();
  void groups();
  GroupPlan group(const GroupSpec& g, std::map<std::string, std::string>& behavior_owner,
                  std::map<std::string, const GroupSpec*>& time_owner);
  void behaviors(const GroupSpec& g, std::map<std::string, std::string>& owner) const;
  FeaturePlan feature(const GroupSpec& g, std::size_t i) const;
  TimePlan time(const GroupSpec& g, std::int64_t base) const;
  void time_edges(const GroupSpec& g) const;
  void shared_time_table(const GroupSpec& g, std::map<std::string, const GroupSpec*>& owner) const;
  std::string width_key(const GroupSpec& g) const;
  void group_widths() const;

  // ---- tasks, training and evaluation (plan_tasks.cpp) ----
  void tasks();
  void task_bias(const TaskSpec& t, const GroupSpec& g) const;
  void task_width(const TaskPlan& task, const GroupPlan& g) const;
  void train();
  void eval();
  void early_stop();

  // ---- what the model needs (plan_sizes.cpp) ----
  void memory() const;

  // ---- what follows from several sections (plan.cpp) ----
  void roles();
  void tables_in_creation_order();
  int use_table(const std::string& name, const std::string& user);
  int use_time_table(const GroupPlan& g);
  int use(TablePlan table);
  void encoder_widths();
};

}  // namespace atrank::spec

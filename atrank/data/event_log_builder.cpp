// Interning during import, one sorted remap at the end: importers stay single-pass and the
// final ids equal the authors' (sorted original strings) whatever order the files list them in.
#include "atrank/data/event_log_builder.hpp"

#include <algorithm>

namespace atrank::data {

EventLogBuilder::EventLogBuilder(std::string default_space,
                                 std::map<std::string, std::string> behavior_space)
    : default_space_(std::move(default_space)), behavior_space_(std::move(behavior_space)) {
  space_index(default_space_);
  for (const auto& [behavior, space] : behavior_space_) space_index(space);
}

int EventLogBuilder::space_index(const std::string& space) {
  for (std::size_t i = 0; i < space_names_.size(); ++i)
    if (space_names_[i] == space) return static_cast<int>(i);
  space_names_.push_back(space);
  objects_.push_back(std::make_unique<IdMap>());
  return static_cast<int>(space_names_.size() - 1);
}

int EventLogBuilder::space_of_behavior(std::int32_t behavior) {
  if (behavior < static_cast<std::int32_t>(behavior_to_space_.size()))
    return behavior_to_space_[behavior];
  const std::string name(behavior_names_.name(behavior));
  auto it = behavior_space_.find(name);
  const int s = space_index(it == behavior_space_.end() ? default_space_ : it->second);
  behavior_to_space_.push_back(s);
  return s;
}

void EventLogBuilder::add(std::string_view user, std::string_view behavior,
                          std::string_view object, std::int64_t time) {
  const std::int32_t b = behavior_names_.intern(behavior);
  const int s = space_of_behavior(b);
  // Files often group a user's rows (Taobao UserBehavior, the generator): the previous row's
  // user is not looked up again.
  if (last_user_id_ < 0 || user != last_user_) {
    last_user_id_ = users_.intern(user);
    last_user_.assign(user);
  }
  ev_user_.push_back(last_user_id_);
  ev_behavior_.push_back(b);
  ev_object_.push_back(objects_[s]->intern(object));
  ev_time_.push_back(time);
}

bool EventLogBuilder::has_object(const std::string& space, std::string_view object) const {
  for (std::size_t i = 0; i < space_names_.size(); ++i)
    if (space_names_[i] == space) return objects_[i]->find(object) >= 0;
  return false;
}

int EventLogBuilder::attribute(const std::string& space, const std::string& name) {
  for (std::size_t i = 0; i < tables_.size(); ++i)
    if (tables_[i]->space == space && tables_[i]->name == name) return static_cast<int>(i);
  auto t = std::make_unique<AttrTable>();
  t->space = space;
  t->name = name;
  tables_.push_back(std::move(t));
  values_[name];
  space_index(space);
  return static_cast<int>(tables_.size() - 1);
}

void EventLogBuilder::set_attribute(int table, std::string_view object, std::string_view value) {
  AttrTable& t = *tables_[table];
  if (value.empty()) return;
  IdMap& values = values_[t.name];
  const std::int32_t before = t.objects.size();
  const std::int32_t o = t.objects.intern(object);
  const std::int32_t v = values.intern(value);
  if (o == before) {
    t.values.push_back(v);
  } else if (t.values[o] != v) {
    report_.add("conflicts." + t.space + "." + t.name);
  }
}

namespace {

// Final ids of a map's provisional ids (sorted remap), and the original strings by final id.
std::vector<std::int32_t> remap(const IdMap& m, std::vector<std::string>& names) {
  std::vector<std::int32_t> order = m.sorted_order();
  names.resize(static_cast<std::size_t>(m.size()));
  for (std::int32_t id = 0; id < m.size(); ++id) names[order[id]] = std::string(m.name(id));
  return order;
}

}  // namespace

EventLog EventLogBuilder::finish() {
  EventLog log;
  Vocabulary& vocab = log.vocab;
  const std::vector<std::int32_t> user_order = remap(users_, vocab.original_ids["user"]);
  vocab.sizes["user"] = users_.size();

  // Behaviors sort by name; their ids index vocab.behaviors.
  const std::vector<std::int32_t> behavior_order = remap(behavior_names_, vocab.behaviors);
  vocab.sizes["behavior"] = behavior_names_.size();
  log.behavior_space.resize(behavior_names_.size());
  for (std::int32_t id = 0; id < behavior_names_.size(); ++id)
    log.behavior_space[behavior_order[id]] = space_names_[space_of_behavior(id)];
  vocab.original_ids["behavior"] = vocab.behaviors;

  std::vector<std::vector<std::int32_t>> object_order(space_names_.size());
  for (std::size_t s = 0; s < space_names_.size(); ++s) {
    object_order[s] = remap(*objects_[s], vocab.original_ids[space_names_[s]]);
    vocab.sizes[space_names_[s]] = objects_[s]->size();
  }
  finish_attributes(object_order, vocab);

  // Remapped in place: a second copy of the events would be the import's largest allocation.
  const std::size_t n = ev_user_.size();
  log.users = std::move(ev_user_);
  log.behaviors = std::move(ev_behavior_);
  log.objects = std::move(ev_object_);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t b = log.behaviors[i];
    log.users[i] = user_order[log.users[i]];
    log.behaviors[i] = behavior_order[b];
    log.objects[i] = object_order[behavior_to_space_[b]][log.objects[i]];
  }
  log.times = std::move(ev_time_);
  report_.counts["events"] = static_cast<std::int64_t>(n);
  log.report = std::move(report_);
  return log;
}

void EventLogBuilder::finish_attributes(const std::vector<std::vector<std::int32_t>>& object_order,
                                        Vocabulary& vocab) {
  // Attribute values: keep the values some kept object uses, sorted; unknown id = count.
  std::map<std::string, std::vector<char>> used;
  for (auto& [name, values] : values_) used[name].assign(values.size(), 0);
  // object_value[t][final object] = provisional value id or -1
  std::vector<std::vector<std::int32_t>> object_value(tables_.size());
  for (std::size_t t = 0; t < tables_.size(); ++t) {
    const AttrTable& table = *tables_[t];
    const int s = space_index(table.space);
    const IdMap& objects = *objects_[s];
    object_value[t].assign(objects.size(), -1);
    for (std::int32_t id = 0; id < objects.size(); ++id) {
      const std::int32_t a = table.objects.find(objects.name(id));
      if (a < 0) continue;
      object_value[t][object_order[s][id]] = table.values[a];
      used[table.name][table.values[a]] = 1;
    }
  }
  std::map<std::string, std::vector<std::int32_t>> value_order;
  for (auto& [name, values] : values_) {
    value_order[name] = values.sorted_order(used[name]);
    std::int32_t n = 0;
    for (char u : used[name]) n += u;
    vocab.sizes[name] = n + 1;  // + reserved unknown
    auto& names = vocab.original_ids[name];
    names.assign(static_cast<std::size_t>(n) + 1, std::string());
    for (std::int32_t id = 0; id < values.size(); ++id)
      if (used[name][id]) names[value_order[name][id]] = std::string(values.name(id));
    names[n] = "<unknown>";
  }
  for (std::size_t t = 0; t < tables_.size(); ++t) {
    const AttrTable& table = *tables_[t];
    const std::int32_t unknown = static_cast<std::int32_t>(vocab.sizes[table.name] - 1);
    auto& out = vocab.attributes[table.space][table.name];
    out.resize(object_value[t].size());
    std::int64_t missing = 0;
    for (std::size_t o = 0; o < out.size(); ++o) {
      const std::int32_t v = object_value[t][o];
      out[o] = v < 0 ? unknown : value_order[table.name][v];
      missing += v < 0;
    }
    if (missing) report_.add("missing." + table.space + "." + table.name, missing);
  }
}

}  // namespace atrank::data

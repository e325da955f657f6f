// Collects events and attributes with original string ids, then remaps every id space the way
// the authors' remap.py does (sorted original ids -> 0..N-1). Shared by all importers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "atrank/data/events.hpp"
#include "atrank/data/id_map.hpp"

namespace atrank::data {

class EventLogBuilder {
 public:
  // `default_space`: object space of behaviors not in `behavior_space` (DataSpec.object_space).
  EventLogBuilder(std::string default_space, std::map<std::string, std::string> behavior_space);

  void add(std::string_view user, std::string_view behavior, std::string_view object,
           std::int64_t time);

  // True when `object` occurred in an event of `space` (importers skip attributes of others early).
  bool has_object(const std::string& space, std::string_view object) const;

  // Handle of the attribute table space.attribute (created on first use; listed in the vocabulary
  // even if no object has a value, so the model's tables exist).
  int attribute(const std::string& space, const std::string& name);
  // Sets the attribute of `object`; the first value wins, later different values are counted
  // as "conflicts.<space>.<name>". Empty values count as missing.
  void set_attribute(int table, std::string_view object, std::string_view value);

  ImportReport& report() { return report_; }

  // Remaps ids and returns the log. Attributes keep only objects that have events; objects
  // without a value get the attribute's reserved unknown id (the last one), counted as
  // "missing.<space>.<name>".
  EventLog finish();

 private:
  struct AttrTable {
    std::string space, name;
    IdMap objects;                   // objects with a value (provisional ids)
    std::vector<std::int32_t> values;  // provisional value ids in values_[name]
  };
  int space_of_behavior(std::int32_t behavior);
  int space_index(const std::string& space);
  // Value ids and per-object values of every attribute table, after objects got final ids.
  void finish_attributes(const std::vector<std::vector<std::int32_t>>& object_order, Vocabulary& vocab);

  std::string default_space_;
  std::map<std::string, std::string> behavior_space_;
  IdMap users_, behavior_names_;
  std::string last_user_;          // the previous event's user and its id (-1: none yet)
  std::int32_t last_user_id_ = -1;
  std::vector<int> behavior_to_space_;      // provisional behavior id -> space index
  std::vector<std::string> space_names_;
  std::vector<std::unique_ptr<IdMap>> objects_;  // per space index
  std::map<std::string, IdMap> values_;     // attribute name -> value ids (shared by spaces)
  std::vector<std::unique_ptr<AttrTable>> tables_;
  std::vector<std::int32_t> ev_user_, ev_behavior_, ev_object_;
  std::vector<std::int64_t> ev_time_;
  ImportReport report_;
};

}  // namespace atrank::data

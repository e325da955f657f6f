// The interpreter: plan -> tables, groups, task heads, encoder, summary.
#include <new>
#include <stdexcept>
#include <string>

#include "atrank/model/build_context.hpp"
#include "atrank/model/model.hpp"

namespace atrank::model {

template <class T>
Model<T> Model<T>::build(const spec::Plan& plan, const data::Vocabulary& vocab) {
  // The data's id spaces may be larger than anything the spec said: estimate again before allocating.
  spec::check_training_memory(
      plan,
      [&](const std::string& space) {
        const auto it = plan.spec.vocab.find(space);
        return it != plan.spec.vocab.end() ? it->second : vocab.size(space);
      },
      spec::machine_memory(), sizeof(T));
  Model m;
  m.plan_ = plan;
  std::vector<BlockSummary> blocks;
  BuildContext<T> ctx{m.plan_, vocab, m.params_, blocks};
  const char* building = "the embedding tables";
  try {
    ctx.create_tables();
    building = "the groups";
    for (const auto& g : m.plan_.groups)  // spec order
      if (g.used()) m.groups_.push_back(GroupEmbedding<T>::make(ctx, g));
    m.add_tasks();
    building = "the encoder";
    m.encoder_ = make_encoder<T>(ctx);
  } catch (const std::exception& e) {
    // What the estimate does not see (allocator limits, fragmentation) still ends in a message
    // naming what was being built, not a bare std::bad_alloc or "vector::_M_fill_insert".
    if (!dynamic_cast<const std::bad_alloc*>(&e) && !dynamic_cast<const std::length_error*>(&e)) throw;
    throw std::runtime_error(std::string("out of memory building ") + building + " of the model of " +
                             plan.spec.file + " (" + std::to_string(m.params_.total_count()) +
                             " parameters allocated so far): " + e.what());
  }
  m.summarize(blocks);
  m.initialize(m.plan_.spec.train.seed);
  return m;
}

template <class T>
void Model<T>::add_tasks() {
  std::vector<int> position(plan_.groups.size(), -1);  // plan group -> index into groups_
  for (std::size_t i = 0; i < groups_.size(); ++i) position[std::size_t(groups_[i].plan.index)] = int(i);
  for (const auto& t : plan_.tasks) tasks_.push_back({t, position[std::size_t(t.group)]});
}

// The summary `atrank check` prints and runs log.
template <class T>
void Model<T>::summarize(const std::vector<BlockSummary>& blocks) {
  const spec::EncoderSpec& enc = plan_.spec.encoder;
  ModelSummary& s = summary_;
  s.encoder = plan_.encoder.kind;
  s.hidden = enc.hidden;
  s.heads = enc.heads;
  s.num_blocks = enc.blocks;
  s.ffn = enc.ffn;
  s.dropout = enc.dropout;
  s.qkv_activation = spec::name_of(plan_.encoder.qkv_activation);
  s.layer_norm_eps = enc.layer_norm_eps;
  for (const auto& g : groups_) s.groups.push_back(g.summary());
  for (int i = 0; i < params_.tables.size(); ++i) {
    const auto& info = params_.tables.info(i);
    const auto& tb = params_.tables.at(i);
    s.tables.push_back({info.name, info.vocab, tb.rows, tb.width, info.init.str(), info.users, tb.numel()});
  }
  s.blocks = blocks;
  for (const auto& t : plan_.tasks)
    s.tasks.push_back({t.name, plan_.groups[std::size_t(t.group)].name, spec::name_of(t.loss), t.l2, t.weight,
                       t.bias_table_name, t.project_target, t.target_width});
  s.table_params = params_.tables.numel();
  s.dense_params = params_.dense_count();
  s.total_params = params_.total_count();
}

template Model<float> Model<float>::build(const spec::Plan&, const data::Vocabulary&);
template Model<double> Model<double>::build(const spec::Plan&, const data::Vocabulary&);

}  // namespace atrank::model

// The interpreter: spec -> groups, shared tables, encoder, task heads, summary.
#include <algorithm>
#include <stdexcept>

#include "atrank/model/build_context.hpp"
#include "atrank/model/model.hpp"

namespace atrank::model {

namespace {

LossKind parse_loss(const spec::TaskSpec& t) {
  if (t.loss == "sigmoid_ce") return LossKind::SigmoidCrossEntropy;
  if (t.loss == "bpr") return LossKind::Bpr;
  throw std::invalid_argument("task `" + t.name + "`: loss `" + t.loss +
                              "` (valid: sigmoid_ce, bpr)");
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

template <class T>
Model<T> Model<T>::build(const spec::Spec& spec, const data::Vocabulary& vocab) {
  Model m;
  m.spec_ = spec;
  std::vector<BlockSummary> blocks;
  BuildContext<T> ctx{m.spec_, vocab, m.params_, blocks};
  const spec::EncoderSpec& enc = m.spec_.encoder;

  if (m.spec_.groups.empty()) throw std::invalid_argument("the spec declares no [[groups]]");
  if (m.spec_.tasks.empty()) throw std::invalid_argument("the spec declares no [[tasks]]");
  for (const auto& a : enc.attend)
    if (group_index(m.spec_, a) < 0)
      throw std::invalid_argument("encoder.attend names group `" + a + "`, which is not declared");
  for (const auto& t : m.spec_.tasks)
    if (group_index(m.spec_, t.target) < 0)
      throw std::invalid_argument("task `" + t.name + "` targets group `" + t.target +
                                  "`, which is not declared");

  // Which groups are part of the history, which need a projection.
  const bool history = encoder_uses_history(enc.kind);
  const std::size_t n = m.spec_.groups.size();
  std::vector<bool> attended(n, false), projected(n, false), targeted(n, false);
  for (std::size_t g = 0; g < n; ++g) {
    const std::string& name = m.spec_.groups[g].name;
    attended[g] = history && (enc.attend.empty() || contains(enc.attend, name));
    // projection.enabled = false: the concat goes to the encoder as it is
    // (the authors' Bi-LSTM baselines).
    projected[g] = attended[g] && m.spec_.groups[g].projection.enabled;
  }
  for (const auto& t : m.spec_.tasks) {
    const auto g = std::size_t(group_index(m.spec_, t.target));
    targeted[g] = true;
    if (t.project_target && !m.spec_.groups[g].projection.enabled)
      throw std::invalid_argument("task `" + t.name + "` projects its target through group `" +
                                  t.target + "`, which has no projection");
    if (t.project_target) projected[g] = true;
  }

  // Groups in spec order: tables are created (and shared) in this order.
  std::vector<int> position(n, -1);
  for (std::size_t g = 0; g < n; ++g) {
    if (!attended[g] && !targeted[g]) continue;
    position[g] = int(m.groups_.size());
    m.groups_.push_back(GroupEmbedding<T>::make(ctx, int(g), attended[g], projected[g], enc.hidden));
  }

  EncoderShape shape;
  for (const auto& g : m.groups_) {
    if (!g.attended) continue;
    if (shape.history_width == 0) shape.history_width = g.width;
    if (g.width != shape.history_width)
      throw std::invalid_argument("groups `" + m.groups_.front().name + "` and `" + g.name +
                                  "` are attended together but project to widths " +
                                  std::to_string(shape.history_width) + " and " +
                                  std::to_string(g.width) + "; they must be equal");
  }
  if (history && shape.history_width == 0)
    throw std::invalid_argument("encoder " + enc.kind + " attends over no group");

  // Task heads; every target vector must have the width the encoder scores against.
  std::string first_task;
  for (const auto& ts : m.spec_.tasks) {
    TaskHead h;
    h.name = ts.name;
    h.group = position[std::size_t(group_index(m.spec_, ts.target))];
    h.loss = parse_loss(ts);
    h.l2 = ts.l2;
    h.weight = ts.weight;
    h.project_target = ts.project_target;
    const auto& g = m.groups_[std::size_t(h.group)];
    const std::int64_t width = ts.project_target ? g.width : g.feature_width;
    if (shape.query_width == 0) {
      shape.query_width = width;
      first_task = ts.name;
    } else if (width != shape.query_width) {
      throw std::invalid_argument("tasks `" + first_task + "` and `" + ts.name +
                                  "` have target vectors of widths " +
                                  std::to_string(shape.query_width) + " and " +
                                  std::to_string(width) + "; one encoder needs one width");
    }
    for (const auto& f : g.features)
      m.params_.tables.add_user(f.table, "task `" + ts.name + "` target");
    if (!ts.bias_table.empty())
      h.bias_table = ctx.use_table(ts.bias_table, "task `" + ts.name + "` bias", g.object, 1);
    m.tasks_.push_back(h);
  }

  m.encoder_ = make_encoder<T>(enc.kind, ctx, shape);
  if (m.encoder_->out_width() != shape.query_width)
    throw std::invalid_argument("encoder " + enc.kind + " gives user vectors " +
                                std::to_string(m.encoder_->out_width()) +
                                " wide but target vectors are " +
                                std::to_string(shape.query_width) + " wide");

  // Summary for `atrank check` and run logs.
  ModelSummary& s = m.summary_;
  s.encoder = enc.kind;
  s.hidden = enc.hidden;
  s.heads = enc.heads;
  s.num_blocks = enc.blocks;
  s.ffn = enc.ffn;
  s.dropout = enc.dropout;
  s.qkv_activation = enc.qkv_activation;
  s.layer_norm_eps = enc.layer_norm_eps;
  for (const auto& g : m.groups_)
    s.groups.push_back(g.summary(m.spec_.groups[std::size_t(g.index)]));
  for (int i = 0; i < m.params_.tables.size(); ++i) {
    const auto& info = m.params_.tables.info(i);
    const auto& tb = m.params_.tables.at(i);
    s.tables.push_back({info.name, info.vocab, tb.rows, tb.width, info.init.str(), info.users,
                        tb.numel()});
  }
  s.blocks = blocks;
  for (std::size_t i = 0; i < m.tasks_.size(); ++i) {
    const auto& h = m.tasks_[i];
    const auto& ts = m.spec_.tasks[i];
    s.tasks.push_back({h.name, ts.target, ts.loss, h.l2, h.weight, ts.bias_table,
                       h.project_target, shape.query_width});
  }
  s.table_params = m.params_.tables.numel();
  s.dense_params = m.params_.dense_count();
  s.total_params = m.params_.total_count();

  m.initialize(m.spec_.train.seed);
  return m;
}

template Model<float> Model<float>::build(const spec::Spec&, const data::Vocabulary&);
template Model<double> Model<double>::build(const spec::Spec&, const data::Vocabulary&);

}  // namespace atrank::model

// The tape: an explicit object recording ops in execution order so backward()
// is one reverse walk. Memory of nodes is kept across clear() and reused.
#pragma once

#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <vector>

#include "atrank/autodiff/shape.hpp"

namespace atrank::autodiff {

template <class T> class Tape;
template <class T> struct Node;
template <class T> struct GradientShard;

// A handle to a node on a tape. Valid until the tape is cleared.
struct Var {
  int id = -1;
  bool valid() const { return id >= 0; }
};

template <class T>
using BackwardFn = void (*)(Tape<T>&, Node<T>&);

// One recorded op. Generic slots hold what each op's backward needs; which
// slot means what is documented next to the op that fills it.
template <class T>
struct Node {
  static constexpr int kMaxInputs = 4;

  Shape shape;
  T* value = nullptr;  // own_value.data() or external (parameter) memory
  T* grad = nullptr;   // own_grad.data() or external gradient memory
  bool requires_grad = false;
  BackwardFn<T> backward = nullptr;
  const char* op = "";

  std::array<int, kMaxInputs> in{-1, -1, -1, -1};
  std::array<std::int64_t, 4> iattr{};
  std::array<T, 2> fattr{};
  void* ext = nullptr;             // op-specific external object (e.g. an embedding table)
  std::vector<T> saved;            // forward values the backward needs
  std::vector<std::int32_t> index; // integer inputs (ids, lengths); never differentiated

  std::vector<T> own_value;
  std::vector<T> own_grad;
};

template <class T>
class Tape {
 public:
  // Forgets all nodes but keeps their buffers for the next batch.
  void clear() { size_ = 0; }
  int size() const { return size_; }
  // Forgets the nodes recorded after `mark` (a size() taken earlier) and keeps
  // the ones before: inference keeps a user's encoded history on the tape
  // while it scores block after block of candidates against it.
  void rewind(int mark) {
    if (mark < 0 || mark > size_) throw std::invalid_argument("tape: rewind to a mark beyond the tape");
    size_ = mark;
  }

  // A node owning its value buffer (uninitialised contents). If any input
  // requires a gradient, so does the new node.
  Var make(const Shape& shape, const char* op, std::initializer_list<Var> inputs = {}) {
    Node<T>& n = next_node();
    n.shape = shape;
    n.op = op;
    n.own_value.resize(static_cast<std::size_t>(shape.numel()));
    n.value = n.own_value.data();
    n.grad = nullptr;
    n.requires_grad = false;
    int k = 0;
    for (Var v : inputs) {
      if (k == Node<T>::kMaxInputs) throw std::logic_error("tape: too many inputs");
      n.in[k++] = v.id;
      n.requires_grad = n.requires_grad || node(v).requires_grad;
    }
    return Var{size_ - 1};
  }

  // A constant leaf (no gradient) holding a copy of data.
  Var constant(const Shape& shape, const T* data) {
    Var v = make(shape, "constant");
    std::copy(data, data + shape.numel(), node(v).value);
    return v;
  }

  // A leaf whose value and gradient live outside the tape (a dense parameter).
  // Gradients accumulate into `grad` with +=; the owner zeroes it between steps.
  Var external(const Shape& shape, T* value, T* grad, const char* name = "param") {
    Node<T>& n = next_node();
    n.shape = shape;
    n.op = name;
    n.value = value;
    n.grad = grad;
    n.requires_grad = grad != nullptr;
    return Var{size_ - 1};
  }

  // Where parameter gradients of this tape go: null (the default) = into the
  // parameters themselves; else into the shard's buffers, so that several
  // tapes can run backward at once over slices of one batch (data-parallel
  // training). Leaves put on the tape read it when they are recorded.
  void set_gradient_shard(GradientShard<T>* shard) { shard_ = shard; }
  GradientShard<T>* gradient_shard() const { return shard_; }

  Node<T>& node(Var v) { return nodes_[check(v)]; }
  const Node<T>& node(Var v) const { return nodes_[check(v)]; }
  Node<T>& node_at(int id) { return nodes_[id]; }
  const Shape& shape(Var v) const { return node(v).shape; }
  T* value(Var v) { return node(v).value; }
  const T* value(Var v) const { return node(v).value; }
  // Gradient buffer of v; null when v does not require a gradient.
  T* grad(Var v) { return node(v).grad; }
  bool requires_grad(Var v) const { return node(v).requires_grad; }
  // The gradient buffer of input k of node n, or null when it needs none.
  T* input_grad(Node<T>& n, int k) { return n.in[k] < 0 ? nullptr : nodes_[n.in[k]].grad; }
  const T* input_value(const Node<T>& n, int k) const { return nodes_[n.in[k]].value; }
  const Shape& input_shape(const Node<T>& n, int k) const { return nodes_[n.in[k]].shape; }

  // Seeds d(loss)/d(loss) = 1 and walks the tape backwards. The loss must be
  // a scalar (one element). Own gradient buffers are zeroed first; external
  // ones (parameters) are accumulated into.
  void backward(Var loss) {
    if (node(loss).shape.numel() != 1)
      throw std::invalid_argument("backward: loss must have one element, got shape " +
                                  node(loss).shape.str());
    const T one(1);
    backward_from(loss, &one);
  }

  // Backward with an arbitrary seed d(objective)/d(out) of out's shape
  // (used by gradient checks to reduce a tensor output with fixed weights).
  void backward_from(Var out, const T* seed) {
    for (int i = 0; i < size_; ++i) {
      Node<T>& n = nodes_[i];
      if (!n.requires_grad || n.backward == nullptr) continue;
      n.own_grad.assign(static_cast<std::size_t>(n.shape.numel()), T(0));
      n.grad = n.own_grad.data();
    }
    Node<T>& l = node(out);
    if (!l.requires_grad) return;
    for (std::int64_t i = 0; i < l.shape.numel(); ++i) l.grad[i] += seed[i];
    for (int i = out.id; i >= 0; --i) {
      Node<T>& n = nodes_[i];
      if (n.requires_grad && n.backward != nullptr) n.backward(*this, n);
    }
  }

 private:
  int check(Var v) const {
    if (v.id < 0 || v.id >= size_) throw std::out_of_range("tape: stale or invalid Var");
    return v.id;
  }
  Node<T>& next_node() {
    if (size_ == static_cast<int>(nodes_.size())) nodes_.emplace_back();
    Node<T>& n = nodes_[size_++];
    n.backward = nullptr;
    n.in = {-1, -1, -1, -1};
    n.iattr = {};
    n.fattr = {};
    n.ext = nullptr;
    n.saved.clear();
    n.index.clear();
    return n;
  }

  std::deque<Node<T>> nodes_;  // deque: node references stay valid as the tape grows
  int size_ = 0;
  GradientShard<T>* shard_ = nullptr;
};

}  // namespace atrank::autodiff

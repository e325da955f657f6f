// The tape: an explicit object recording ops in execution order so backward()
// is one reverse walk. Memory of nodes is kept across clear() and reused.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "atrank/autodiff/op_attrs.hpp"
#include "atrank/autodiff/shape.hpp"
#include "atrank/tensor/tensor.hpp"

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

// One recorded op: its output, the inputs it read, and what its backward
// needs (attributes, saved forward values, integer side data).
template <class T>
struct Node {
  Shape shape;
  T* value = nullptr;  // own_value.data() or external (parameter) memory
  T* grad = nullptr;   // own_grad.data() or external gradient memory
  bool requires_grad = false;
  BackwardFn<T> backward = nullptr;
  const char* op = "";

  std::vector<int> in;             // ids of the input nodes, in the op's order
  OpAttrs attrs;                   // the op's attribute struct (see the op's .cpp)
  std::vector<T> saved;            // forward values the backward needs
  std::vector<std::int32_t> index; // integer inputs (ids, lengths); never differentiated

  // Own buffers only grow: a slot reused for a smaller node keeps its size,
  // so a later larger node is not zero-filled again (std::vector::resize).
  std::vector<T> own_value;
  std::vector<T> own_grad;
  // During backward: no op has written this node's own gradient yet, so its
  // buffer holds stale values that count as zeros (see Tape::input_grad).
  bool grad_pending = false;
};

// Where an op writes the gradient of one of its inputs: add into `data`, or,
// when `overwrite`, store (the op is the first writer of a pending buffer).
template <class T>
struct GradTarget {
  T* data = nullptr;
  bool overwrite = false;
  explicit operator bool() const { return data != nullptr; }
};

// The attribute struct the op of node n stored (throws if n holds another op's).
template <class A, class T>
const A& attrs_of(const Node<T>& n) {
  return n.attrs.template get<A>();
}

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
    return make_from(shape, op, inputs.begin(), inputs.end());
  }
  Var make(const Shape& shape, const char* op, const std::vector<Var>& inputs) {
    return make_from(shape, op, inputs.begin(), inputs.end());
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
    n.grad_pending = false;
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
  const Shape& shape(Var v) const { return node(v).shape; }
  T* value(Var v) { return node(v).value; }
  const T* value(Var v) const { return node(v).value; }
  // Gradient buffer of v; null when v does not require a gradient.
  T* grad(Var v) {
    Node<T>& n = node(v);
    settle(n);
    return n.grad;
  }
  bool requires_grad(Var v) const { return node(v).requires_grad; }
  // xtensor views of v's value and gradient (no copy; valid until clear()).
  TensorView<T> tensor(Var v) { return tensor_view(value(v), tensor_shape(shape(v))); }
  TensorView<const T> tensor(Var v) const { return tensor_view(value(v), tensor_shape(shape(v))); }
  TensorView<T> grad_tensor(Var v) {
    if (grad(v) == nullptr) throw std::logic_error("tape: node has no gradient buffer");
    return tensor_view(grad(v), tensor_shape(shape(v)));
  }

  // The gradient buffer of input k of node n, to add into; null when the op
  // has no input k (an optional input left out) or the input needs no
  // gradient. Own buffers are zeroed here, by their first writer, rather
  // than all at once before backward: the zeros are still in cache when
  // they are added to.
  T* input_grad(Node<T>& n, std::size_t k) {
    if (k >= n.in.size()) return nullptr;
    Node<T>& in = nodes_[std::size_t(n.in[k])];
    settle(in);
    return in.grad;
  }

  // input_grad for an op that sets every element of input k's gradient at
  // once: the first writer of an own buffer stores instead of zeroing and
  // adding (one pass instead of two). The op must finish writing input k
  // before it asks for any other input's gradient (an input may appear twice).
  GradTarget<T> input_grad_target(Node<T>& n, std::size_t k) {
    if (k >= n.in.size()) return {};
    Node<T>& in = nodes_[std::size_t(n.in[k])];
    const bool overwrite = in.grad_pending;
    in.grad_pending = false;
    return {in.grad, overwrite};
  }
  const T* input_value(const Node<T>& n, std::size_t k) const {
    return nodes_[std::size_t(n.in[k])].value;
  }
  const Shape& input_shape(const Node<T>& n, std::size_t k) const {
    return nodes_[std::size_t(n.in[k])].shape;
  }

  // Seeds d(loss)/d(loss) = 1 and walks the tape backwards. The loss must be
  // a scalar (one element). Own gradient buffers start at zero (written or
  // zeroed by their first writer, see input_grad); external ones
  // (parameters) are accumulated into.
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
      grow(n.own_grad, n.shape.numel());
      n.grad = n.own_grad.data();
      n.grad_pending = true;
    }
    Node<T>& l = node(out);
    if (!l.requires_grad) return;
    settle(l);
    for (std::int64_t i = 0; i < l.shape.numel(); ++i) l.grad[i] += seed[i];
    for (int i = out.id; i >= 0; --i) {
      Node<T>& n = nodes_[i];
      if (!n.requires_grad || n.backward == nullptr) continue;
      settle(n);  // no consumer wrote it: a zero gradient
      n.backward(*this, n);
    }
  }

 private:
  int check(Var v) const {
    if (v.id < 0 || v.id >= size_) throw std::out_of_range("tape: stale or invalid Var");
    return v.id;
  }
  template <class It>
  Var make_from(const Shape& shape, const char* op, It first, It last) {
    Node<T>& n = next_node();
    n.shape = shape;
    n.op = op;
    grow(n.own_value, shape.numel());
    n.value = n.own_value.data();
    n.grad = nullptr;
    n.grad_pending = false;
    n.requires_grad = false;
    for (It v = first; v != last; ++v) {
      n.in.push_back(v->id);
      n.requires_grad = n.requires_grad || node(*v).requires_grad;
    }
    return Var{size_ - 1};
  }
  static void grow(std::vector<T>& buffer, std::int64_t numel) {
    if (buffer.size() < static_cast<std::size_t>(numel)) buffer.resize(static_cast<std::size_t>(numel));
  }
  // Zeroes a pending own gradient (one nobody has written yet).
  static void settle(Node<T>& n) {
    if (!n.grad_pending) return;
    std::fill(n.grad, n.grad + n.shape.numel(), T(0));
    n.grad_pending = false;
  }
  // The next node, reset; its buffers keep their capacity from earlier steps.
  Node<T>& next_node() {
    if (size_ == static_cast<int>(nodes_.size())) {
      nodes_.emplace_back();
      nodes_.back().in.reserve(4);  // enough for almost every op: one allocation per new node
    }
    Node<T>& n = nodes_[size_++];
    n.backward = nullptr;
    n.in.clear();
    n.attrs.clear();
    n.saved.clear();
    n.index.clear();
    return n;
  }

  std::deque<Node<T>> nodes_;  // deque: node references stay valid as the tape grows
  int size_ = 0;
  GradientShard<T>* shard_ = nullptr;
};

}  // namespace atrank::autodiff

// The attributes an op records on its tape node for backward (matmul's
// transpose flags, a slice's axis and start, the table a lookup read): one
// small struct per op, defined next to the op, stored inside the node.
#pragma once

#include <cstddef>
#include <new>
#include <stdexcept>
#include <type_traits>

namespace atrank::autodiff {

class OpAttrs {
 public:
  static constexpr std::size_t kCapacity = 32;

  // Stores `a` in place (no allocation: nodes are reused across steps).
  template <class A>
  void set(const A& a) {
    static_assert(std::is_trivially_copyable_v<A> && std::is_trivially_destructible_v<A>,
                  "op attributes are plain values");
    static_assert(sizeof(A) <= kCapacity && alignof(A) <= alignof(std::max_align_t),
                  "op attributes must fit OpAttrs::kCapacity");
    ::new (static_cast<void*>(bytes_)) A(a);
    type_ = type_id<A>();
  }

  // The attributes stored by set<A>; throws if the node holds another op's.
  template <class A>
  const A& get() const {
    if (type_ != type_id<A>()) throw std::logic_error("tape node: attributes of another op");
    return *std::launder(reinterpret_cast<const A*>(bytes_));
  }

  void clear() { type_ = nullptr; }

 private:
  // One distinct address per attribute type.
  template <class A>
  static const void* type_id() {
    static const char id = 0;
    return &id;
  }

  alignas(std::max_align_t) unsigned char bytes_[kCapacity];
  const void* type_ = nullptr;
};

}  // namespace atrank::autodiff

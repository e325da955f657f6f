// Small lists a forward pass builds every step (a group's feature parts, the
// batch's per-example loss weights), kept and refilled rather than allocated
// anew: after the first steps a training step allocates nothing for them.
#pragma once

namespace atrank::nn {

// An empty list of type V, the same one on every call from this thread and
// call site. Per thread: the slices of a batch run forward on several
// threads at once. Per call site (Site: any type naming it, e.g. a local
// `struct Parts`): one such list may still be in use while another is built.
// The list is valid until the next call with the same Site on this thread.
template <class Site, class V>
V& reused_list() {
  thread_local V list;
  list.clear();
  return list;
}

}  // namespace atrank::nn

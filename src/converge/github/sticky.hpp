// Keeping ONE GitHub item (a PR comment, an issue) for a key, through retries and
// lost answers. The rule: look before every create. A create whose answer was lost
// (GitHub wrote it, the response never came) is then found and edited instead of
// created again; a create that lands only after the look leaves a later copy,
// which the next look removes (the oldest item is the sticky one).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::github {

template <class Item>
struct StickyOps {
  std::function<Expected<std::vector<Item>>()> find;     // every item for the key, oldest first
  std::function<bool(const Item&)> current;               // already reads as wanted
  std::function<Expected<Item>(const Item&)> update;      // make it read as wanted
  std::function<Expected<Item>()> create;
  std::function<Expected<void>(const Item&)> remove;      // remove a duplicate
};

// The one item, created or updated to read as wanted. Error after `attempts`
// rounds, naming the last failed request.
template <class Item>
Expected<Item> keep_one(const StickyOps<Item>& ops, std::string_view what, int attempts = 4) {
  Error last = Error::runtime("no attempt made");
  for (int attempt = 0; attempt < attempts; ++attempt) {
    auto existing = ops.find();
    if (!existing) {
      last = existing.error();
      continue;
    }
    for (size_t i = 1; i < existing->size(); ++i)
      if (auto gone = ops.remove((*existing)[i]); !gone) last = gone.error();
    if (!existing->empty()) {
      const Item& sticky = existing->front();
      if (ops.current(sticky)) return sticky;
      auto updated = ops.update(sticky);
      if (updated) return *updated;
      last = updated.error();
      continue;
    }
    auto created = ops.create();
    if (created) return *created;
    last = created.error();  // the write may have happened: look again first
  }
  return fail(last.with_context("could not keep the " + std::string(what) + " after " + std::to_string(attempts) +
                                " attempts"));
}

}  // namespace converge::github

// Parsing JSON from outside within a budget: bytes, nesting depth and values built,
// so a hostile document ends as one Error instead of a stack overflow or an
// allocation of gigabytes. The parse is nlohmann's SAX parser (iterative) driving a
// builder that refuses duplicate keys (two readers could take different ones) and
// never builds the top-level members the caller does not read: what it skips (a
// plan's variables and prior state, which hold secrets in clear) never enters memory.
// A member that is a long array can be handed over element by element instead of
// built whole (`streamed`: a plan's resource_changes).
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "converge/util/error.hpp"

namespace converge::util {

struct JsonBudget {
  std::size_t max_bytes = 0;   // of the text
  int max_depth = 0;           // nested objects and arrays, skipped ones included
  std::size_t max_values = 0;  // values built (skipped members count as one)
  // Members of the root object that are built; every other member is parsed (so the
  // text must be valid JSON) but reads as null. Empty: all are built.
  std::vector<std::string_view> keep;
  // Built members of the root object whose arrays are read one element at a time: each
  // element, once complete, goes to `each` with the member's name and its index and is
  // dropped, so one element at a time is in memory; the member then reads as an empty
  // array. `each` returning an Error ends the parse with that Error as it is. A streamed
  // member that is not an array is built as any other.
  std::vector<std::string_view> streamed = {};
  std::function<Expected<void>(std::string_view member, std::size_t index, nlohmann::json&& element)> each = {};
};

// The document in `text`; Error (runtime) starting with `origin` for text that is not
// JSON ("<origin>:<line>:<column>: not valid JSON"), and for text over any budget or
// with a duplicate key, naming which. Never throws but std::bad_alloc.
Expected<nlohmann::json> parse_json_within(std::string_view text, std::string_view origin,
                                           const JsonBudget& budget);

}  // namespace converge::util

// Parsing JSON from outside within a budget: bytes, nesting depth and values built,
// so a hostile document ends as one Error instead of a stack overflow or an
// allocation of gigabytes. The parse is nlohmann's SAX parser (iterative) driving a
// builder that refuses duplicate keys (two readers could take different ones) and
// never builds the top-level members the caller does not read: what it skips (a
// plan's variables and prior state, which hold secrets in clear) never enters memory.
#pragma once

#include <cstddef>
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
};

// The document in `text`; Error (runtime) starting with `origin` for text that is not
// JSON ("<origin>:<line>:<column>: not valid JSON"), and for text over any budget or
// with a duplicate key, naming which. Never throws but std::bad_alloc.
Expected<nlohmann::json> parse_json_within(std::string_view text, std::string_view origin,
                                           const JsonBudget& budget);

}  // namespace converge::util

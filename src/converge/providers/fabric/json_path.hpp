// The JSONPath subset that fabric-cicd's key_value_replace uses (it evaluates find_key
// with jsonpath_ng.ext), on nlohmann::ordered_json (the order of an object's members
// is kept, as Python's json keeps it, so a rewritten part lists them as written):
//
//   $                      the root
//   .name  ['name'] ["n"]  a member (a bare name: letters, digits, _ - $ @)
//   .*  [*]                every member of an object, every element of an array
//   [2]  [-1]              an array element (negative counts from the end)
//   ..name  ..*  ..[0]     the same, at any depth (recursive descent)
//   [?(@.a.b == "X")]      the array elements for which the condition holds; also
//   [?@.a == 1]            without parentheses. Operators == != < <= > >=, literals
//                          "…" '…' numbers true false null, conditions joined with
//                          & or &&, and [?(@.a)] alone: the element has that member.
//
// What it finds is a list of existing nodes, which key_value_replace overwrites: a
// path never creates a member (as jsonpath_ng's find-then-update does not).
// Unsupported (an Error naming the column): slices, unions, functions, nested filters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "converge/util/error.hpp"

namespace converge::providers::fabric {

class JsonPath {
 public:
  struct Step;  // one segment, defined in json_path.cpp

  // The path in `text`, or Error::usage "<reason> at column N of the JSONPath" for
  // anything outside the subset above or longer than 1024 bytes. Never throws.
  static Expected<JsonPath> parse(std::string_view text);

  // The nodes of `root` the path selects, in document order per step; empty when none.
  std::vector<nlohmann::ordered_json*> find(nlohmann::ordered_json& root) const;

  const std::string& text() const { return text_; }

  JsonPath(const JsonPath&);
  JsonPath(JsonPath&&) noexcept;
  JsonPath& operator=(const JsonPath&);
  JsonPath& operator=(JsonPath&&) noexcept;
  ~JsonPath();

 private:
  JsonPath();
  std::string text_;
  std::vector<Step> steps_;
};

}  // namespace converge::providers::fabric

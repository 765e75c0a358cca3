// The JSONPath subset that fabric-cicd's key_value_replace uses (it evaluates find_key
// with jsonpath_ng.ext), on nlohmann::ordered_json (the order of an object's members
// is kept, as Python's json keeps it, so a rewritten part lists them as written).
// Each form selects what jsonpath_ng selects (tests/providers/fabric/json_path_test.cpp
// holds its answers):
//
//   $                        the root
//   .name  ['name'] ["n"]    a member; a bare name is jsonpath_ng's [a-zA-Z_@][a-zA-Z0-9_@-]*
//   ['a','b']                the members that exist of those
//   .*                       every member of an object (nothing on an array)
//   [*]                      every element of an array (an object: the object itself)
//   [2] [-1] [0,2]           array elements (negative counts from the end)
//   [1:] [::-1] [0:4:2]      a Python slice of an array
//   ..name  ..*              the same at any depth (recursive descent); `..[` is refused
//                            (jsonpath_ng fails on it)
//   [?(@.a.b == "X")]        the elements of an array (the member values of an object)
//   [?@.a == 1]              for which every condition holds. Operators == = != < <= > >=,
//   [?(@.a)]  [?(@ > 1)]     conditions joined with &; literals "…" '…', integers and
//                            decimals (no exponent), true, false, and bare words as text
//                            (jsonpath_ng reads `null` as "null"). With an integer literal
//                            the value goes through Python's int() first ("3" == 3).
//
// What it finds is a list of existing nodes, which key_value_replace overwrites: a
// path never creates a member (as jsonpath_ng's find-then-update does not).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

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

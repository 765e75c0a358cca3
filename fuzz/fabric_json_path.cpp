// Fuzz target: the JSONPath subset of the fabric provider's key_value_replace
// (json_path.hpp), whose paths come from a repository's parameter.yml. The input is
// a path, then, after a NUL byte, a JSON document (a part, read as parameters.cpp
// reads it: nlohmann, no exceptions). JsonPath::parse must answer a path or an Error,
// never throw; a path that parses must keep its text, and find() on the document
// must not crash, hang or throw, must select only nodes of that document, the same
// ones twice, and must not change the document (a path never creates a member).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

#include "converge/providers/fabric/json_path.hpp"

namespace fabric = converge::providers::fabric;
using Json = nlohmann::ordered_json;

namespace {

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz_fabric_json_path: %s\n", what);
  std::abort();
}

void nodes_of(Json& node, std::set<const Json*>& out) {
  out.insert(&node);
  if (node.is_object()) {
    for (auto& [key, child] : node.items()) nodes_of(child, out);
  } else if (node.is_array()) {
    for (Json& child : node) nodes_of(child, out);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = input.find('\0');
  const std::string_view text = input.substr(0, cut);
  try {
    auto path = fabric::JsonPath::parse(text);
    if (!path) return 0;
    if (path->text() != text) violated("a parsed path does not keep its text");
    if (cut == std::string_view::npos) return 0;
    Json doc = Json::parse(input.substr(cut + 1), nullptr, false);
    if (doc.is_discarded()) return 0;
    const Json before = doc;
    std::set<const Json*> nodes;
    nodes_of(doc, nodes);
    const auto found = path->find(doc);
    for (const Json* n : found)
      if (!nodes.contains(n)) violated("find selected a node outside the document");
    if (doc != before) violated("find changed the document");
    const fabric::JsonPath copy = *path;
    if (copy.find(doc) != found) violated("find on a copy of the path selected other nodes");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    violated("an exception escaped");
  } catch (...) {
    violated("an exception escaped");
  }
  return 0;
}

// load_yaml, the alias-expansion budget and the UTF-8 check of every scalar (see
// yaml_document.hpp). The expanded
// size of a node is computed once per node and remembered, so a document whose
// aliases stand for 10^9 nodes is measured in as many steps as it has lines. A node
// is identified by where it starts and its type: an alias is the same node as its
// anchor (same position), while a block mapping and its first key start at the same
// character but differ in type.
#include "converge/util/yaml_document.hpp"

#include <cstdio>
#include <map>
#include <string>
#include <utility>

#include "converge/util/yaml_keys.hpp"

namespace converge::util {
namespace {

struct Size {
  std::uint64_t nodes = 0;
  std::uint64_t bytes = 0;
  bool over() const { return nodes > kMaxYamlNodes || bytes > kMaxYamlBytes; }
  void add(const Size& other) { nodes += other.nodes, bytes += other.bytes; }  // each ≤ the limits: no overflow
};

// Where the first byte that is not part of valid UTF-8 is (npos: none): overlong
// forms, surrogates and code points beyond U+10FFFF are invalid, as in Python.
std::size_t invalid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return i;
    std::uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (std::size_t k = 1; k < n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d >> 6) != 0x2) return i;
      cp = (cp << 6) | (d & 0x3F);
    }
    constexpr std::uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += n;
  }
  return std::string_view::npos;
}

SourceLocation where(std::string_view file, const YAML::Mark& mark) {
  return mark.is_null() ? SourceLocation{std::string(file)} : SourceLocation{std::string(file), mark.line + 1, mark.column + 1};
}

class Measure {
 public:
  explicit Measure(std::string_view file) : file_(file) {}

  // The expanded size of `node`, or the error at the innermost node beyond the budget.
  Expected<Size> size(const YAML::Node& node) {
    if (!node.IsMap() && !node.IsSequence()) {
      if (!node.IsScalar()) return Size{1, 0};
      // yaml-cpp passes any bytes through; JSON (plan.json, hashes, tojson) cannot hold them.
      if (auto bad = invalid_utf8(node.Scalar()); bad != std::string_view::npos) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(node.Scalar()[bad]));
        return fail(Error::config("invalid UTF-8 (byte " + std::string(hex) + ") in this value: YAML files must be UTF-8",
                                  where(file_, node.Mark())));
      }
      return Size{1, node.Scalar().size()};
    }
    const YAML::Mark mark = node.Mark();
    const std::pair<int, int> id{mark.pos, static_cast<int>(node.Type())};
    if (!mark.is_null()) {
      if (auto known = memo_.find(id); known != memo_.end()) return known->second;
    }
    Size total{1, 0};
    auto add = [&](const YAML::Node& part) -> Expected<void> {
      auto s = size(part);
      if (!s) return fail(s.error());
      total.add(*s);
      if (total.over()) return fail(too_big(mark));
      return {};
    };
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (node.IsMap()) {
        if (auto ok = add(it->first); !ok) return fail(ok.error());
        if (auto ok = add(it->second); !ok) return fail(ok.error());
      } else if (auto ok = add(*it); !ok) {
        return fail(ok.error());
      }
    }
    if (!mark.is_null()) memo_.emplace(id, total);
    return total;
  }

 private:
  Error too_big(const YAML::Mark& mark) const {
    return Error::config("this YAML node stands for more than " + std::to_string(kMaxYamlNodes) + " nodes or " +
                             std::to_string(kMaxYamlBytes >> 20) +
                             " MiB of text once its aliases are expanded (an alias bomb?); converge refuses it",
                         where(file_, mark));
  }

  std::string file_;
  std::map<std::pair<int, int>, Size> memo_;
};

}  // namespace

Expected<void> check_alias_expansion(const YAML::Node& root, std::string_view file) {
  auto s = Measure(file).size(root);
  if (!s) return fail(s.error());
  return {};
}

Expected<YAML::Node> load_yaml(std::string_view text, std::string_view file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(Error::config("invalid YAML: " + e.msg, where(file, e.mark)));
  }
  if (auto ok = check_mapping_keys(root, file); !ok) return fail(ok.error());
  if (auto ok = check_alias_expansion(root, file); !ok) return fail(ok.error());
  return root;
}

}  // namespace converge::util

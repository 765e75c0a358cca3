// The provider table (name → factory; add a provider by adding a row and linking
// its target in CMakeLists.txt).
#include <algorithm>
#include <map>

#include "converge/providers/assets/assets_provider.hpp"
#include "converge/providers/fabric/fabric_provider.hpp"
#include "converge/providers/provider.hpp"
#include "converge/providers/sql/sql_provider.hpp"
#include "converge/providers/terraform/terraform_provider.hpp"

namespace converge::providers {
namespace {

const std::map<std::string, Factory, std::less<>>& table() {
  static const std::map<std::string, Factory, std::less<>> providers = {
      {"assets", assets::make_provider},
      {"fabric", fabric::make_provider},
      {"sql", sql::make_provider},
      {"terraform", terraform::make_provider},
  };
  return providers;
}

}  // namespace

const Factory* find(std::string_view name) {
  auto it = table().find(name);
  return it == table().end() ? nullptr : &it->second;
}

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [name, factory] : table()) out.push_back(name);
  return out;
}

}  // namespace converge::providers

// The provider table: name → factory. Add a provider by adding a row.
#include <algorithm>
#include <map>

#include "converge/providers/provider.hpp"
#include "converge/providers/sql/sql_provider.hpp"

namespace converge::providers {
namespace {

const std::map<std::string, Factory, std::less<>>& table() {
  static const std::map<std::string, Factory, std::less<>> providers = {
      {"sql", sql::make_provider},
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

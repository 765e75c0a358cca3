// Fuzz target: dbmate migration files as the sql provider reads them (the in-memory
// part: file name, content and the scan for transaction control in the up block,
// in both dialects; the directory walk is tested in tests/providers/sql). The first
// line of the input is also tried as a file name. Any input must end as a Migration
// or an Error naming the file: a crash, hang, leak or exception fails.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "converge/providers/sql/migration.hpp"

namespace sql = converge::providers::sql;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  const std::string_view first_line = content.substr(0, content.find('\n'));
  if (auto name = sql::split_file_name(first_line)) {
    (void)sql::version_less(name->version, "20240101000000");
    (void)sql::version_less("20240101000000", name->version);
  }
  auto migration = sql::parse_migration("20240101000000_fuzz.sql", content, "db/migrations/20240101000000_fuzz.sql");
  if (!migration) return 0;
  (void)migration->key();
  (void)sql::check_transaction_control(*migration, sql::Dialect::sqlite);
  (void)sql::check_transaction_control(*migration, sql::Dialect::postgres);
  return 0;
}

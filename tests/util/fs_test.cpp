// Whole-file reads and atomic writes.
#include <gtest/gtest.h>

#include "converge/util/fs.hpp"
#include "support/temp_dir.hpp"

namespace converge::util {
namespace {

TEST(Fs, AtomicWriteCreatesParentsAndLeavesNoTemporary) {
  testing::TempDir dir;
  auto path = dir / "a/b/file.txt";
  ASSERT_TRUE(write_file_atomic(path, "hello"));
  EXPECT_EQ(read_file(path).value(), "hello");
  ASSERT_TRUE(write_file_atomic(path, "again"));
  EXPECT_EQ(read_file(path).value(), "again");
  int files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir / "a/b")) ++files;
  EXPECT_EQ(files, 1);
}

TEST(Fs, ReadingAMissingFileNamesIt) {
  auto r = read_file("/nonexistent/x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("/nonexistent/x"), std::string::npos);
}

}  // namespace
}  // namespace converge::util

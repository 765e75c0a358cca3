// Whole-file reads and writes: converge's own files atomically and never through a
// symlink; outputs a user named in place when they are symlinks, devices or FIFOs;
// directories refused.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "converge/util/fs.hpp"
#include "support/temp_dir.hpp"

namespace converge::util {
namespace {

namespace fs = std::filesystem;

int count_entries(const fs::path& dir) {
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
  return files;
}

TEST(Fs, AtomicWriteCreatesParentsAndLeavesNoTemporary) {
  testing::TempDir dir;
  auto path = dir / "a/b/file.txt";
  ASSERT_TRUE(write_file_atomic(path, "hello"));
  EXPECT_EQ(read_file(path).value(), "hello");
  ASSERT_TRUE(write_file_atomic(path, "again"));
  EXPECT_EQ(read_file(path).value(), "again");
  EXPECT_EQ(count_entries(dir / "a/b"), 1);
}

TEST(Fs, ReplaceTreeLeavesExactlyTheNewFilesAndNoStagingBehind) {
  testing::TempDir dir;
  const auto bundle = dir.path() / "bundles" / "bi";
  ASSERT_TRUE(replace_tree(bundle, {{"charts/a.yaml", "a: 1\n"}, {"charts/gone.yaml", "g\n"}, {"top.json", "{}"}}));
  // A killed run's staging and old trees, left beside the bundle.
  fs::create_directories(dir.path() / "bundles" / "bi.new.99999" / "charts");
  fs::create_directories(dir.path() / "bundles" / "bi.old.99998");
  ASSERT_TRUE(replace_tree(bundle, {{"charts/a.yaml", "a: 2\n"}, {"dashboards/d.yaml", "d\n"}}));
  EXPECT_EQ(*read_file(bundle / "charts/a.yaml"), "a: 2\n");
  EXPECT_EQ(*read_file(bundle / "dashboards/d.yaml"), "d\n");
  EXPECT_FALSE(fs::exists(bundle / "charts/gone.yaml")) << "a file of an item that is gone does not linger";
  EXPECT_FALSE(fs::exists(bundle / "top.json"));
  EXPECT_EQ(count_entries(dir.path() / "bundles"), 1) << "only the bundle: no staging or old tree is left";
}

TEST(Fs, ReplaceTreeThatCannotWriteLeavesTheOldTreeAsItWas) {
  testing::TempDir dir;
  const auto bundle = dir.path() / "bi";
  ASSERT_TRUE(replace_tree(bundle, {{"a.yaml", "old\n"}}));
  // Two files where one path is the other's folder: the second cannot be written.
  auto failed = replace_tree(bundle, {{"x", "file\n"}, {"x/y", "under a file\n"}});
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find((bundle / "x").string()), std::string::npos) << failed.error().message;
  EXPECT_EQ(*read_file(bundle / "a.yaml"), "old\n");
  EXPECT_FALSE(fs::exists(bundle / "x"));
  EXPECT_EQ(count_entries(dir.path()), 1) << "no staging tree is left";
}

TEST(Fs, ReplacingARegularFileKeepsItsPermissionBits) {
  testing::TempDir dir;
  auto path = dir / "plan.json";
  ASSERT_TRUE(write_file_atomic(path, "old"));
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  ASSERT_TRUE(write_file_atomic(path, "new"));
  EXPECT_EQ(read_file(path).value(), "new");
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
}

TEST(Fs, AnOutputSymlinkToAFileIsWrittenThroughAndStaysTheSameSymlink) {
  testing::TempDir dir;
  ASSERT_TRUE(write_file_atomic(dir / "real.json", "old"));
  fs::create_symlink("real.json", dir / "link.json");
  ASSERT_TRUE(write_output(dir / "link.json", "new"));
  EXPECT_TRUE(fs::is_symlink(dir / "link.json"));
  EXPECT_EQ(fs::read_symlink(dir / "link.json"), "real.json");
  EXPECT_EQ(read_file(dir / "real.json").value(), "new");
  EXPECT_EQ(count_entries(dir.path()), 2) << "no temporary left";
}

TEST(Fs, AnOutputDanglingSymlinkCreatesItsTargetAndStaysASymlink) {
  testing::TempDir dir;
  fs::create_symlink("target.json", dir / "link.json");
  ASSERT_TRUE(write_output(dir / "link.json", "x"));
  EXPECT_TRUE(fs::is_symlink(dir / "link.json"));
  EXPECT_EQ(read_file(dir / "target.json").value(), "x");
}

TEST(Fs, AnOutputSymlinkToACharacterDeviceIsWrittenInPlaceNotReplaced) {
  // /dev/stdout is such a link; replacing it (as root) broke the runner's /dev.
  testing::TempDir dir;
  fs::create_symlink("/dev/null", dir / "null");
  ASSERT_TRUE(write_output(dir / "null", "into the void"));
  EXPECT_TRUE(fs::is_symlink(dir / "null"));
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  EXPECT_EQ(count_entries(dir.path()), 1);
}

TEST(Fs, AFileConvergeOwnsIsNeverWrittenThroughASymlink) {
  // A link committed to the repository (db/schema.sql -> ~/.bashrc) must not make
  // converge write outside it: the link is replaced, its target untouched.
  testing::TempDir dir;
  ASSERT_TRUE(write_file_atomic(dir / "outside.txt", "keep"));
  fs::create_directory(dir / "repo");
  fs::create_symlink(dir / "outside.txt", dir / "repo/schema.sql");
  ASSERT_TRUE(write_file_atomic(dir / "repo/schema.sql", "schema"));
  EXPECT_FALSE(fs::is_symlink(dir / "repo/schema.sql"));
  EXPECT_EQ(read_file(dir / "repo/schema.sql").value(), "schema");
  EXPECT_EQ(read_file(dir / "outside.txt").value(), "keep");
  fs::create_symlink("/dev/null", dir / "repo/null");
  ASSERT_TRUE(write_file_atomic(dir / "repo/null", "x"));
  EXPECT_TRUE(fs::is_regular_file(dir / "repo/null"));
}

TEST(Fs, AFifoIsWrittenInPlace) {
  testing::TempDir dir;
  auto fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (auto write : {write_file_atomic, write_output}) {
    int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);  // a reader, so the writer's open does not wait
    ASSERT_GE(reader, 0);
    ASSERT_TRUE(write(fifo, "through the pipe"));
    char buffer[64] = {};
    ssize_t n = ::read(reader, buffer, sizeof buffer);
    ::close(reader);
    EXPECT_EQ(std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0), "through the pipe");
    EXPECT_TRUE(fs::is_fifo(fifo));
  }
}

TEST(Fs, ADirectoryIsRefusedAndLeftAlone) {
  testing::TempDir dir;
  fs::create_directory(dir / "out");
  auto r = write_file_atomic(dir / "out", "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExitCode::usage);
  EXPECT_NE(r.error().message.find("is a directory"), std::string::npos);
  EXPECT_TRUE(fs::is_directory(dir / "out"));
  EXPECT_FALSE(write_output(dir / "out", "x"));
  fs::create_directory_symlink("out", dir / "link");
  EXPECT_FALSE(write_output(dir / "link", "x"));
  EXPECT_TRUE(fs::is_symlink(dir / "link"));
  EXPECT_EQ(count_entries(dir.path()), 2);
}

TEST(Fs, AWriteThatCannotHappenNamesThePath) {
  auto r = write_file_atomic("/proc/nonexistent-dir/x", "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("/proc/nonexistent-dir/x"), std::string::npos);
}

TEST(Fs, ReadingAMissingFileNamesIt) {
  auto r = read_file("/nonexistent/x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("/nonexistent/x"), std::string::npos);
}

TEST(Fs, ReadingADirectoryIsAnErrorNotAnEmptyFile) {
  testing::TempDir dir;
  auto r = read_file(dir.path());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("is a directory"), std::string::npos);
}

TEST(Fs, ReadingStopsAtTheLimitForFilesAndEndlessDevices) {
  testing::TempDir dir;
  ASSERT_TRUE(write_file_atomic(dir / "big", std::string(1000, 'x')));
  EXPECT_TRUE(read_file(dir / "big", 1000));
  auto r = read_file(dir / "big", 999);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("larger than 999 bytes"), std::string::npos);
  auto endless = read_file("/dev/zero", 1 << 20);
  ASSERT_FALSE(endless);
  EXPECT_NE(endless.error().message.find("/dev/zero"), std::string::npos);
}

}  // namespace
}  // namespace converge::util

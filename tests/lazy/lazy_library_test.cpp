// Libraries loaded on first use (cmake/LazyLibraries.cmake, src/converge/lazy/): not
// loaded before their first call, the same functions after it, every step able to
// load them, and a clear end when one cannot be loaded. Each test is its own process
// (gtest_discover_tests), so "not loaded yet" is the process's real state.
#include "converge/lazy/lazy_library.hpp"

#include <curl/curl.h>
#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/run.hpp"
#include "support/temp_dir.hpp"

namespace converge::lazy {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

bool loaded(const char* soname) {
  void* handle = ::dlopen(soname, RTLD_LAZY | RTLD_NOLOAD);
  if (handle) ::dlclose(handle);
  return handle != nullptr;
}

#ifdef CONVERGE_LAZY_LIBRARIES

TEST(LazyLibrary, IsLoadedByItsFirstCallNotBefore) {
  EXPECT_FALSE(loaded("libcurl.so.4"));
  const std::string version = curl_version();
  EXPECT_THAT(version, ::testing::StartsWith("libcurl/"));
  EXPECT_TRUE(loaded("libcurl.so.4"));
  // Later calls go straight to the function: the same answer.
  EXPECT_EQ(std::string(curl_version()), version);
}

TEST(LazyLibrary, ArgumentsOfAVariadicFirstCallArriveIntact) {
  // curl_easy_setopt is variadic (rax carries the vector register count) and its
  // first call goes through the resolver.
  CURL* easy = curl_easy_init();
  ASSERT_NE(easy, nullptr);
  EXPECT_EQ(curl_easy_setopt(easy, CURLOPT_URL, "http://127.0.0.1:9/x"), CURLE_OK);
  char* url = nullptr;
  EXPECT_EQ(curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url), CURLE_OK);
  ASSERT_NE(url, nullptr);
  EXPECT_STREQ(url, "http://127.0.0.1:9/x");
  curl_easy_cleanup(easy);
}

TEST(LazyLibrary, LoadAllListsEveryLazyLibraryOfTheExecutableWithWhereItWasFound) {
  const auto libraries = load_all();
  bool curl = false;
  for (const auto& library : libraries) {
    EXPECT_EQ(library.error, "") << library.soname;
    EXPECT_TRUE(fs::exists(library.path)) << library.soname << " at " << library.path;
    EXPECT_EQ(fs::path(library.path).filename(), library.soname);
    curl = curl || library.soname == "libcurl.so.4";
  }
  EXPECT_TRUE(curl) << "this test links converge_http, whose libcurl loads on first use";
}

#endif

// A record as the generated stubs hold, for a library that is not installed.
TEST(LazyLibrary, ALibraryThatCannotBeLoadedEndsTheProcessWithOneLineAndExitCode3) {
  static const char* const names[] = {"missing_function"};
  static void* table[] = {nullptr};
  static LazyLibrary missing{"libconverge-missing.so.0", 1, names, table, nullptr};
  EXPECT_EXIT(converge_lazy_resolve(&missing, 0), ::testing::ExitedWithCode(3),
              "^converge: cannot load a shared library \\(libconverge-missing\\.so\\.0\\): .*libconverge-missing");
}

TEST(LazyLibrary, AFunctionTheLibraryDoesNotExportEndsTheProcessNamingIt) {
  static const char* const names[] = {"zlibVersion", "no_such_function_in_zlib"};
  static void* table[] = {nullptr, nullptr};
  static LazyLibrary zlib{"libz.so.1", 2, names, table, nullptr};
  EXPECT_NE(converge_lazy_resolve(&zlib, 0), nullptr);
  EXPECT_EXIT(converge_lazy_resolve(&zlib, 1), ::testing::ExitedWithCode(3),
              "^converge: cannot find no_such_function_in_zlib \\(libz\\.so\\.1\\): not exported");
}

TEST(LazyLibrary, ThreadsRacingOnTheFirstCallGetTheSameFunction) {
  static const char* const names[] = {"zlibVersion"};
  static void* table[] = {nullptr};
  static LazyLibrary zlib{"libz.so.1", 1, names, table, nullptr};
  std::vector<void*> found(8, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < found.size(); ++i)
    threads.emplace_back([&found, i] { found[i] = converge_lazy_resolve(&zlib, 0); });
  for (auto& thread : threads) thread.join();
  for (void* function : found) EXPECT_EQ(function, found[0]);
  EXPECT_EQ(table[0], found[0]);
  using Version = const char* (*)();
  EXPECT_THAT(std::string(reinterpret_cast<Version>(found[0])()), ::testing::StartsWith("1."));
}

// The steps: a step that needs none of them loads none (the loader's own log says
// what it loaded), and the executable can load each (what the image checks).
TEST(LazyLibrary, RenderingATemplateLoadsNoneOfTheLazyLibraries) {
  converge::testing::TempDir dir;
  dir.write("t.yaml.j2", "name: {{ who }}\n");
  dir.write("vars.yaml", "who: world\n");
  auto ran = converge::testing::run_step("converge-render", {"t.yaml.j2", "--vars", "vars.yaml"}, dir.path(),
                                         {{"LD_DEBUG", "files"}});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(ran.out, "name: world\n");
  EXPECT_THAT(ran.err, HasSubstr("file=libyaml-cpp.so"));  // the log is there
#ifdef CONVERGE_LAZY_LIBRARIES
  for (const char* lazy : {"libcurl.so", "libpq.so", "libgit2.so", "libzip.so"})
    EXPECT_THAT(ran.err, Not(HasSubstr(std::string("file=") + lazy))) << lazy;
#endif
}

TEST(LazyLibrary, TheStepsExecutableLoadsEachOfItsLazyLibrariesOnRequest) {
  auto ran = converge::testing::run_step("converge-steps", {"--lazy-libraries"}, fs::current_path());
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
#ifdef CONVERGE_LAZY_LIBRARIES
  for (const char* lazy : {"libcurl.so.4 /", "libpq.so.5 /", "libgit2.so.1.5 /", "libzip.so.4 /"})
    EXPECT_THAT(ran.out, HasSubstr(lazy));
#else
  EXPECT_EQ(ran.out, "");
#endif
}

}  // namespace
}  // namespace converge::lazy

// The sanitizer build without UBSan's null and alignment checks still stops a null
// dereference: ASan reports it as a SEGV at the zero page, with the stack of the read,
// and the program does not exit 0 (docs/security.md, "Fuzzed").
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace {

TEST(AddressSanitizer, StopsANullDereferenceWithItsStack) {
  std::FILE* pipe = ::popen(CONVERGE_NULL_READER " 2>&1", "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  EXPECT_NE(output.find("ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000"), std::string::npos)
      << output;
  EXPECT_NE(output.find("zero page"), std::string::npos) << output;
  EXPECT_NE(output.find("#0 "), std::string::npos) << "no stack in the report:\n" << output;
  EXPECT_NE(output.find("in main"), std::string::npos) << output;
  EXPECT_EQ(output.find("read "), std::string::npos) << "the read went through:\n" << output;
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a null dereference exited 0";
}

}  // namespace

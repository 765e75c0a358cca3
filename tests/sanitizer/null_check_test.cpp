// The sanitizer build without UBSan's null and alignment checks still stops a null
// dereference: ASan reports it as a SEGV at the zero page, with the stack of the read,
// and the program does not exit 0 (docs/security.md, "Fuzzed").
#include <gtest/gtest.h>

#include <string>

#include "support/run.hpp"

namespace {

TEST(AddressSanitizer, StopsANullDereferenceWithItsStack) {
  std::string output;
  const int status = converge::testing::run_shell(CONVERGE_NULL_READER " 2>&1", &output);
  EXPECT_NE(output.find("ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000"), std::string::npos)
      << output;
  EXPECT_NE(output.find("zero page"), std::string::npos) << output;
  EXPECT_NE(output.find("#0 "), std::string::npos) << "no stack in the report:\n" << output;
  EXPECT_NE(output.find("in main"), std::string::npos) << output;
  EXPECT_EQ(output.find("read "), std::string::npos) << "the read went through:\n" << output;
  EXPECT_NE(status, 0) << "a null dereference exited 0";
}

}  // namespace

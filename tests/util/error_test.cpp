// Error formatting: one line naming file:line:column.
#include <gtest/gtest.h>

#include "converge/util/error.hpp"

namespace converge {
namespace {

TEST(Error, FormatsLocationThenMessage) {
  EXPECT_EQ(Error::config("bad", {"converge.yaml", 3, 7}).to_string(), "converge.yaml:3:7: bad");
  EXPECT_EQ(Error::config("bad", {"converge.yaml", 3, 0}).to_string(), "converge.yaml:3: bad");
  EXPECT_EQ(Error::runtime("boom").to_string(), "boom");
  EXPECT_EQ(Error::runtime("boom").with_context("target db").to_string(), "target db: boom");
}

TEST(Error, CarriesTheExitCodeOfItsKind) {
  EXPECT_EQ(Error::usage("x").code, ExitCode::usage);
  EXPECT_EQ(Error::config("x", {}).code, ExitCode::usage);
  EXPECT_EQ(Error::refused("x").code, ExitCode::refused);
  EXPECT_EQ(Error::runtime("x").code, ExitCode::failure);
}

}  // namespace
}  // namespace converge

// What the assets provider shows, sends back and exports of a runtime's secrets:
// hidden fields and URL passwords in plans, known values as ${NAME} on export,
// "***" in errors that echo a request.
#include <gtest/gtest.h>

#include <cstdlib>

#include "converge/providers/assets/secrets.hpp"

namespace converge::providers::assets {
namespace {

using nlohmann::json;

TEST(AssetsSecrets, ARuntimeItemShowsNoValueOfAFieldNamedLikeASecretNorAUrlPassword) {
  json item{{"uuid", "d1"},
            {"database_name", "warehouse"},
            {"sqlalchemy_uri", "postgresql://bi:s3cr/et@w@db/sales"},
            {"extra", {{"DB_Password", "hunter2"}, {"api_key", nullptr}, {"engine_params", {{"token", 7}}}}},
            {"masked_encrypted_extra", "{\"credentials\": \"x\"}"}};
  json shown = hide_runtime_secrets(item);
  EXPECT_EQ(shown["uuid"], "d1");
  EXPECT_EQ(shown["database_name"], "warehouse");
  EXPECT_EQ(shown["sqlalchemy_uri"], "postgresql://bi:***@db/sales");
  EXPECT_EQ(shown["extra"]["DB_Password"], "(hidden: secret field)");
  EXPECT_EQ(shown["extra"]["api_key"], nullptr) << "nothing to hide in null";
  EXPECT_EQ(shown["extra"]["engine_params"]["token"], "(hidden: secret field)");
  EXPECT_EQ(shown["masked_encrypted_extra"], "(hidden: secret field)");
  EXPECT_EQ(hide_runtime_secrets(json("https://bi.example.com/items")), "https://bi.example.com/items");
  EXPECT_EQ(hide_runtime_secrets(json("postgresql://reader@db/sales")), "postgresql://reader@db/sales");
}

TEST(AssetsSecrets, ExportTurnsKnownSecretValuesBackIntoTheirNames) {
  ::setenv("ASSETS_SECRETS_TEST_PW", "pa/ss@w0rd", 1);
  ::setenv("ASSETS_SECRETS_TEST_OTHER", "not-allowed-value", 1);
  std::set<std::string> allowed{"ASSETS_SECRETS_TEST_PW"};
  json item{{"uri", "postgresql://bi:pa/ss@w0rd@db/sales"}, {"list", {"pa/ss@w0rd", 3}},
            {"other", "not-allowed-value"}};
  json exported = reference_known_secrets(item, allowed);
  EXPECT_EQ(exported["uri"], "postgresql://bi:${ASSETS_SECRETS_TEST_PW}@db/sales");
  EXPECT_EQ(exported["list"], json({"${ASSETS_SECRETS_TEST_PW}", 3}));
  EXPECT_EQ(exported["other"], "not-allowed-value") << "only the names the target lists in `secrets`";

  EXPECT_EQ(redact_known_secrets(R"(HTTP 422: {"item": {"uri": "postgresql://bi:pa/ss@w0rd@db"}})", allowed),
            R"(HTTP 422: {"item": {"uri": "postgresql://bi:***@db"}})");
  ::unsetenv("ASSETS_SECRETS_TEST_PW");
  ::unsetenv("ASSETS_SECRETS_TEST_OTHER");
}

}  // namespace
}  // namespace converge::providers::assets

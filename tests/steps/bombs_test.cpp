// Hostile inputs through the step executables: a template bomb, a YAML alias bomb
// and a complex key each end the step with exit 2 and one line naming file:line,
// without a crash or a hang, and nothing applied.
#include "steps/repo_fixture.hpp"

#include <filesystem>

#include "support/yaml_bomb.hpp"

namespace converge::testing {
namespace {

using Bombs = RepoTest;

// stderr is exactly one line that starts with "error: " and names `where`.
void expect_one_line_error(const RunResult& r, std::string_view where) {
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  ASSERT_FALSE(r.err.empty()) << r.out;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line:\n" << r.err;
  EXPECT_TRUE(r.err.starts_with("error: " + std::string(where))) << r.err;
}

TEST_F(Bombs, PlanRefusesAnAliasBombInConvergeYamlSettingsAtItsLine) {
  dir_.write("converge.yaml", std::string(kSqliteConfig) + billion_laughs("      "));
  auto r = converge({"plan", "--env", "dev"});
  expect_one_line_error(r, "converge.yaml:17:");  // l6, after the 10 lines of the config
  EXPECT_NE(r.err.find("once its aliases are expanded"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".converge/dev.db"));
}

TEST_F(Bombs, PlanRefusesAComplexKeyInConvergeYamlAtItsLine) {
  dir_.write("converge.yaml", std::string(kSqliteConfig) + "      ? [a, b]\n      : 1\n");
  auto r = converge({"plan", "--env", "dev"});
  expect_one_line_error(r, "converge.yaml:11:");
  EXPECT_NE(r.err.find("must be a plain value"), std::string::npos) << r.err;
}

TEST_F(Bombs, RenderRefusesAnAliasBombInTheVariablesFile) {
  dir_.write("t.j2", "{{ l1 }}\n");
  dir_.write("env/dev.yaml", billion_laughs());
  expect_one_line_error(converge({"render", "t.j2", "--vars", "env/dev.yaml"}), "env/dev.yaml:7:");
}

TEST_F(Bombs, RenderRefusesTemplateBombsAtTheirLine) {
  dir_.write("env/dev.yaml", "a: 1\n");
  dir_.write("parens.j2", "ok\n{{ " + std::string(2000, '(') + "1" + std::string(2000, ')') + " }}\n");
  expect_one_line_error(converge({"render", "parens.j2", "--vars", "env/dev.yaml"}), "parens.j2:2:");
  std::string ifs;
  for (int i = 0; i < 10000; ++i) ifs += "{% if 1 %}";
  dir_.write("ifs.j2", ifs);
  expect_one_line_error(converge({"render", "ifs.j2", "--vars", "env/dev.yaml"}), "ifs.j2:1:");
  dir_.write("fpe.j2", "{{ (-2**63) // -1 }}");
  expect_one_line_error(converge({"render", "fpe.j2", "--vars", "env/dev.yaml"}), "fpe.j2:1:");
  dir_.write("repeat.j2", "\n\n{{ 'x' * 9000000000000000000 }}");
  auto r = converge({"render", "repeat.j2", "--vars", "env/dev.yaml"});
  expect_one_line_error(r, "repeat.j2:3:");
  EXPECT_NE(r.err.find("more than 64 MiB"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace converge::testing

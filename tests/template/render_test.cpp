// Unit tests of the template renderer's contract: error locations and messages,
// the two Undefined modes, variables from YAML files, render_file.
#include <gtest/gtest.h>

#include "converge/template/render.hpp"
#include "support/temp_dir.hpp"

namespace converge::tmpl {
namespace {

using ojson = nlohmann::ordered_json;

Error render_error(std::string_view source, const ojson& vars = ojson::object(), RenderOptions options = {}) {
  auto out = render(source, vars, "assets/chart.yaml.j2", options);
  EXPECT_FALSE(out.has_value()) << "rendered: " << out.value_or("");
  return out ? Error{} : out.error();
}

TEST(TemplateRender, RendersVariablesFiltersAndLoops) {
  ojson vars = ojson::parse(R"({"env": "prod", "charts": [{"name": "A"}, {"name": "B"}]})");
  auto out = render("env: {{ env | upper }}\n{% for c in charts %}- {{ c.name }}\n{% endfor %}", vars, "t");
  ASSERT_TRUE(out.has_value()) << out.error().to_string();
  EXPECT_EQ("env: PROD\n- A\n- B\n", *out);
}

TEST(TemplateRender, UndefinedVariableFailsInStrictModeWithFileLineAndColumn) {
  Error e = render_error("a: 1\nb: {{ missing }}\n");
  EXPECT_EQ(ExitCode::usage, e.code);
  EXPECT_EQ("assets/chart.yaml.j2:2:7: 'missing' is undefined", e.to_string());
}

TEST(TemplateRender, UndefinedVariablePrintsEmptyWithDefaultUndefined) {
  auto out = render("[{{ missing }}]", ojson::object(), "t", RenderOptions{false, {}});
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ("[]", *out);
}

TEST(TemplateRender, DefaultFilterAndIsDefinedWorkInStrictMode) {
  auto out = render("{{ missing | default('x') }}{% if missing is not defined %}y{% endif %}", ojson::object(), "t");
  ASSERT_TRUE(out.has_value()) << out.error().to_string();
  EXPECT_EQ("xy", *out);
}

TEST(TemplateRender, UnknownFilterNamesTheFilterAndLine) {
  Error e = render_error("x\n\n{{ name | frobnicate }}", ojson{{"name", "n"}});
  EXPECT_EQ("assets/chart.yaml.j2:3:11: No filter named 'frobnicate'.", e.to_string());
}

TEST(TemplateRender, UnsupportedTagIsNamed) {
  Error e = render_error("ok\n{% macro m() %}{% endmacro %}");
  EXPECT_EQ("assets/chart.yaml.j2:2:4: unsupported tag 'macro' (converge renders a subset of Jinja2)", e.to_string());
}

TEST(TemplateRender, UnclosedBlockSaysWhichBlockAndWhereItOpened) {
  Error e = render_error("a\n{% if x %}\n{% for i in y %}\n{% endif %}");
  EXPECT_NE(std::string::npos, e.message.find("unclosed 'for' block opened at line 3")) << e.message;
  EXPECT_EQ(4, e.where->line);
}

TEST(TemplateRender, SyntaxErrorPointsAtTheToken) {
  Error e = render_error("line one\n  {{ a + }}");
  EXPECT_EQ("assets/chart.yaml.j2:2:10: unexpected end of print statement", e.to_string());
}

TEST(TemplateRender, UnterminatedRawIsAnError) {
  Error e = render_error("\n{% raw %}{{ x }}");
  EXPECT_EQ("assets/chart.yaml.j2:2:1: Missing end of raw directive", e.to_string());
}

TEST(TemplateRender, RuntimeTypeErrorIsLocatedAtTheExpression) {
  Error e = render_error("{% for i in n %}{% endfor %}", ojson{{"n", 3}});
  EXPECT_EQ("assets/chart.yaml.j2:1:13: 'int' object is not iterable", e.to_string());
}

TEST(TemplateRender, RawBlockKeepsSupersetJinjaVerbatim) {
  auto out = render("sql: {% raw %}{{ filter_values('c') }}{% endraw %}", ojson::object(), "t");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ("sql: {{ filter_values('c') }}", *out);
}

TEST(TemplateRender, PlainJsonVariablesIterateInSortedKeyOrder) {
  nlohmann::json vars = nlohmann::json::parse(R"({"m": {"b": 1, "a": 2}})");
  auto out = render("{% for k in m %}{{ k }}{% endfor %}", vars, "t");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ("ab", *out);
}

TEST(TemplateRender, RenderFileReadsYamlVariables) {
  testing::TempDir dir;
  dir.write("t.yaml.j2", "enabled: {{ enabled }}\nreplicas: {{ replicas + 1 }}\nratio: {{ ratio }}\nname: {{ name }}\n");
  dir.write("env.yaml", "enabled: yes\nreplicas: 2\nratio: 1.50\nname: '007'\n");
  auto out = render_file(dir / "t.yaml.j2", dir / "env.yaml");
  ASSERT_TRUE(out.has_value()) << out.error().to_string();
  EXPECT_EQ("enabled: True\nreplicas: 3\nratio: 1.5\nname: 007", *out);
}

TEST(TemplateRender, RenderFileNamesTheTemplateInRenderErrors) {
  testing::TempDir dir;
  dir.write("t.j2", "{{ nope }}");
  dir.write("env.yaml", "a: 1\n");
  auto out = render_file(dir / "t.j2", dir / "env.yaml");
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ((dir / "t.j2").string() + ":1:4: 'nope' is undefined", out.error().to_string());
}

TEST(TemplateRender, BadVariablesFileIsAnErrorNamingIt) {
  testing::TempDir dir;
  dir.write("t.j2", "x");
  dir.write("list.yaml", "- a\n- b\n");
  dir.write("broken.yaml", "a: [1, 2\nb: 3\n");
  auto not_map = render_file(dir / "t.j2", dir / "list.yaml");
  ASSERT_FALSE(not_map.has_value());
  EXPECT_EQ((dir / "list.yaml").string() + ":1:1: template variables must be a YAML mapping",
            not_map.error().to_string());
  auto broken = render_file(dir / "t.j2", dir / "broken.yaml");
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ((dir / "broken.yaml").string(), broken.error().where->file);
  EXPECT_GT(broken.error().where->line, 0);
  auto missing = render_file(dir / "t.j2", dir / "absent.yaml");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ((dir / "absent.yaml").string(), missing.error().where->file);
}

TEST(TemplateRender, EmptyVariablesFileMeansNoVariables) {
  testing::TempDir dir;
  dir.write("t.j2", "{{ x | default('d') }}");
  dir.write("empty.yaml", "");
  auto out = render_file(dir / "t.j2", dir / "empty.yaml");
  ASSERT_TRUE(out.has_value()) << out.error().to_string();
  EXPECT_EQ("d", *out);
}

}  // namespace
}  // namespace converge::tmpl

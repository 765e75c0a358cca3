// Hostile templates: nesting that would overflow the stack, integer edges where C++
// traps or wraps and Python does not, and bombs that would hang or exhaust memory.
// Each must end in an error naming file:line:column, quickly (the inputs are bounded;
// budgets are lowered where reaching the default one would only cost test time).
#include <gtest/gtest.h>

#include <string>

#include "converge/template/render.hpp"

namespace converge::tmpl {
namespace {

using ojson = nlohmann::ordered_json;

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

Expected<std::string> run(const std::string& source, Limits limits = {}) {
  return render(source, ojson::object(), "bomb.j2", RenderOptions{true, limits});
}

// The render failed at `line`, with a message containing `what`.
void expect_error(const Expected<std::string>& out, int line, std::string_view what) {
  ASSERT_FALSE(out.has_value()) << "rendered " << out->size() << " bytes";
  ASSERT_TRUE(out.error().where.has_value());
  EXPECT_EQ(out.error().where->file, "bomb.j2");
  EXPECT_EQ(out.error().where->line, line) << out.error().to_string();
  EXPECT_GT(out.error().where->column, 0) << out.error().to_string();
  EXPECT_NE(out.error().message.find(what), std::string::npos) << out.error().to_string();
  EXPECT_EQ(out.error().to_string().find('\n'), std::string::npos) << "one line";
}

TEST(TemplateLimits, TwoThousandNestedParenthesesAreAnErrorNotAStackOverflow) {
  expect_error(run("{{ " + repeat("(", 2000) + "1" + repeat(")", 2000) + " }}"), 1, "nested more than 256 deep");
  expect_error(run("{{ " + repeat("[", 2000) + "1" + repeat("]", 2000) + " }}"), 1, "nested more than 256 deep");
  expect_error(run("{{ " + repeat("-", 5000) + "1 }}"), 1, "nested more than 256 deep");
  expect_error(run("{{ " + repeat("not ", 5000) + "1 }}"), 1, "nested more than 256 deep");
  expect_error(run("{{ " + repeat("1 if 0 else ", 5000) + "1 }}"), 1, "nested more than 256 deep");
}

TEST(TemplateLimits, ALongOperatorChainIsRefusedByTheDepthOfItsTree) {
  // Parsed in a loop, but evaluated (and freed) recursively.
  expect_error(run("{{ 1" + repeat(" + 1", 20000) + " }}"), 1, "nested more than 256 deep");
  expect_error(run("{{ 1" + repeat("|string", 20000) + " }}"), 1, "nested more than 256 deep");
}

TEST(TemplateLimits, TenThousandNestedIfsAreAnErrorAtTheFirstBlockTooDeep) {
  auto out = run("\n" + repeat("{% if 1 %}", 10000) + "x" + repeat("{% endif %}", 10000));
  expect_error(out, 2, "blocks ({% if %}, {% for %}) nested more than 100 deep");
  EXPECT_EQ(out.error().where->column, 1 + 100 * 10 + 3) << "the 101st if";
}

TEST(TemplateLimits, NestingThatJinja2RendersStillRenders) {
  EXPECT_EQ(run("{{ " + repeat("(", 60) + "1" + repeat(")", 60) + " }}").value_or("?"), "1");
  EXPECT_EQ(run("{{ 1" + repeat(" + 1", 250) + " }}").value_or("?"), "251");
  EXPECT_EQ(run(repeat("{% if 1 %}", 100) + "x" + repeat("{% endif %}", 100)).value_or("?"), "x");
  EXPECT_EQ(run(repeat("{% for i in [1] %}", 20) + "x" + repeat("{% endfor %}", 20)).value_or("?"), "x");
}

TEST(TemplateLimits, IntegerEdgesGivePythonsResultOrAnErrorNeverATrapOrAWrap) {
  // Jinja2 reads -2**63 as (-2)**63, the smallest int64.
  EXPECT_EQ(run("{{ -2**63 }} {{ (-2**63) % -1 }} {{ 7 // -1 }} {{ 7 % -1 }} {{ (-2) ** 63 }}").value_or("?"),
            "-9223372036854775808 0 -7 0 -9223372036854775808");
  // Exponentiation by squaring: no loop of 10^18 rounds.
  EXPECT_EQ(run("{{ 1 ** 9000000000000000000 }} {{ (-1) ** 9000000000000000001 }} {{ 0 ** 0 }} {{ 3 ** 39 }}")
                .value_or("?"),
            "1 -1 1 4052555153018976267");
  // Python's results that int64 cannot hold: an error at the expression, not SIGFPE or UB.
  expect_error(run("\n{{ (-2**63) // -1 }}"), 2, "does not fit in 64 bits");
  expect_error(run("{{ -(-2**63) }}"), 1, "does not fit in 64 bits");
  expect_error(run("{{ 2 ** 63 }}"), 1, "does not fit in 64 bits");
  expect_error(run("{{ 3 ** 40 }}"), 1, "does not fit in 64 bits");
}

TEST(TemplateLimits, HexOctalAndBinaryLiteralsBeyondSixtyFourBitsAreAnErrorNotAWrap) {
  // Found by the fuzzer: the digits of 0x/0o/0b literals were accumulated without a check.
  EXPECT_EQ(run("{{ 0x7FFF_FFFF_FFFF_FFFF }} {{ 0o777777777777777777777 }} {{ 0b" + repeat("1", 63) + " }}")
                .value_or("?"),
            "9223372036854775807 9223372036854775807 9223372036854775807");
  expect_error(run("{{ 0x8000000000000000 }}"), 1, "integer literal too large");
  expect_error(run("{{ 0o17555555555555555555555555 }}"), 1, "integer literal too large");
  expect_error(run("{{ 0b1" + repeat("0", 63) + " }}"), 1, "integer literal too large");
}

TEST(TemplateLimits, RangeWithExtremeBoundsHasPythonsLength) {
  EXPECT_EQ(run("{{ range(-9223372036854775807 - 1, 9223372036854775807, 9223372036854775807) | list }}")
                .value_or("?"),
            "[-9223372036854775808, -1, 9223372036854775806]");
  EXPECT_EQ(run("{{ range(9223372036854775806, -9223372036854775807 - 1, -4611686018427387904) | list }}")
                .value_or("?"),
            "[9223372036854775806, 4611686018427387902, -2, -4611686018427387906]");
  expect_error(run("{{ range(-9223372036854775807 - 1, 9223372036854775807) | length }}"), 1, "range too big");
  expect_error(run("{{ range(9223372036854775807, -9223372036854775807 - 1, -1) | length }}"), 1, "range too big");
}

TEST(TemplateLimits, RepetitionBeyondTheSizeLimitFailsBeforeItBuildsAnything) {
  expect_error(run("{{ 'x' * 9000000000000000000 }}"), 1, "more than 64 MiB");
  expect_error(run("{{ [1, 2] * 9000000000000000000 }}"), 1, "more than 64 MiB");
  expect_error(run("{{ 9000000000000000000 * 'xy' }}"), 1, "more than 64 MiB");
}

// Found by the template fuzzer: an empty sequence repeated 9 * 10**18 times looped that
// many times appending nothing (the size check passes: 0 bytes), a hang.
TEST(TemplateLimits, AnEmptySequenceRepeatedAnyNumberOfTimesIsEmptyAtOnce) {
  auto text = run("[{{ '' * 9000000000000000000 }}|{{ ([] * 9000000000000000001) | length }}|"
                  "{{ 9000000000000000000 * '' }}|{{ (-1) * 'x' * 9000000000000000000 }}]");
  ASSERT_TRUE(text) << text.error().to_string();
  EXPECT_EQ(*text, "[|0||]");
}

TEST(TemplateLimits, JoinReplaceAndConcatenationStopAtTheSizeLimit) {
  Limits small;
  small.max_output_bytes = 1 << 20;
  expect_error(run("{% set s = 'x' * 1000 %}{{ ([s] * 100) | join('y' * 10000) }}", small), 1, "more than 1 MiB");
  expect_error(run("{% set s = 'x' * 1000 %}{{ s | replace('x', 'y' * 2000) }}", small), 1, "more than 1 MiB");
  expect_error(run("{% set s = 'x' * 1000 %}{{ s | replace('', 'y' * 2000) }}", small), 1, "more than 1 MiB");
  // Doubling: 2^21 bytes after 21 sets.
  expect_error(run("{% set s = 'x' %}" + repeat("{% set s = s ~ s %}", 30) + "{{ s }}", small), 1, "more than 1 MiB");
  expect_error(run("{% set s = 'x' %}" + repeat("{% set s = s + s %}", 30) + "{{ s }}", small), 1, "more than 1 MiB");
}

TEST(TemplateLimits, ASmallTreeThatPrintsHugeIsRefusedBeforePrinting) {
  // Each level references the previous twice: 2^40 copies of the leaf once printed.
  std::string source = "{% set a0 = ['" + std::string(100, 'x') + "'] %}";
  for (int i = 1; i <= 40; ++i) {
    source += "{% set a" + std::to_string(i) + " = [a" + std::to_string(i - 1) + ", a" + std::to_string(i - 1) +
              "] %}";
  }
  expect_error(run(source + "{{ a40 }}"), 1, "more than 64 MiB");
  expect_error(run(source + "{{ a40 | tojson }}"), 1, "more than 64 MiB");
}

TEST(TemplateLimits, ListsNestedThousandsDeepAreRefused) {
  std::string source = "{% set a = 1 %}" + repeat("{% set a = [a] %}", 1500) + "{{ a }}";
  expect_error(run(source), 1, "nested more than 1000 deep");
}

TEST(TemplateLimits, NestedRangeLoopsStopAtTheIterationLimit) {
  Limits few;
  few.max_loop_iterations = 2000;
  auto out = run("{% for i in range(100000) %}\n{% for j in range(100000) %}{% endfor %}{% endfor %}", few);
  expect_error(out, 2, "more than 2000 loop iterations");
}

TEST(TemplateLimits, EveryStepCountsEvenWithoutLoopsOrOutput) {
  Limits few;
  few.max_steps = 5000;
  expect_error(run("{% for i in range(1000) %}{{ i }}{% endfor %}", few), 1, "more than 5000 steps");
  // Scanning a large value is charged by its size: few iterations, much work.
  expect_error(run("{% set l = range(100000) | list %}{% for i in range(10) %}{{ l | first }}{% endfor %}", few),
               1, "more than 5000 steps");
  expect_error(run("{% set s = 'x' * 100000 %}{% for i in range(10) %}{{ s | length }}{% endfor %}", few), 1,
               "more than 5000 steps");
  expect_error(run("{% set s = 'x' * 10000 %}{% for i in range(3) %}{{ s | title | length }}{% endfor %}", few), 1,
               "more than 5000 steps");
}

TEST(TemplateLimits, TheOutputStopsAtItsLimit) {
  Limits small;
  small.max_output_bytes = 20000;  // range(100) is 12,800 (128 per item)
  const std::string body = "{% for j in range(100) %}xy{% endfor %}{% endfor %}";
  EXPECT_EQ(run("{% for i in range(100) %}" + body, small).value_or("?").size(), 20000u);
  expect_error(run("{% for i in range(101) %}" + body, small), 1, "more than 20000 bytes");
}

TEST(TemplateLimits, SearchingForALongPatternTakesLinearTime) {
  // std::string::find compares the pattern at every position: 10^13 steps here.
  auto out = run("{% set s = 'a' * 3000000 %}{{ (s ~ 'b') in (s ~ s) }} {{ (s ~ 'b') in (s ~ s ~ 'b') }}");
  EXPECT_EQ(out.value_or("?"), "False True");
}

}  // namespace
}  // namespace converge::tmpl

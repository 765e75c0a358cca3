// Differential tests: every corpus case (tests/template/corpus/*.json) and the shared
// Superset asset files are rendered by Python's Jinja2 (reference_render.py, run
// once) and by converge; outputs must be byte-identical, and converge must fail
// exactly where Jinja2 fails, under StrictUndefined and under the default Undefined.
// Cases marked "converge": "unsupported" are Jinja2 features outside the subset:
// converge must refuse them with an error.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "converge/template/render.hpp"
#include "converge/template/value.hpp"
#include "converge/util/fs.hpp"

namespace converge::tmpl {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

const fs::path corpus_dir = fs::path(CONVERGE_SOURCE_DIR) / "tests/template/corpus";
const fs::path superset_dir = fs::path(CONVERGE_SHARED_TESTDATA) / "superset-assets";

std::vector<fs::path> superset_files() {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(superset_dir)) {
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The reference output, computed once per test process.
const ojson& reference() {
  static const ojson ref = [] {
    std::string command = "/usr/bin/python3 '" + (fs::path(CONVERGE_SOURCE_DIR) / "tests/template/reference_render.py").string() +
                          "' '" + corpus_dir.string() + "'";
    for (const auto& f : superset_files()) command += " '" + f.string() + "'";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return ojson();
    std::string out;
    char buf[65536];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    if (pclose(pipe) != 0) return ojson();
    return ojson::parse(out);
  }();
  return ref;
}

std::vector<ojson> corpus_cases() {
  std::vector<ojson> cases;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(corpus_dir)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    for (const auto& c : ojson::parse(*util::read_file(f))) cases.push_back(c);
  }
  return cases;
}

void expect_same(const ojson& expected, const Expected<std::string>& actual, const std::string& what) {
  if (expected.is_object()) {
    EXPECT_FALSE(actual.has_value()) << what << ": Jinja2 fails (" << expected["error"].get<std::string>()
                                     << ") but converge rendered:\n" << actual.value_or("");
  } else if (!actual) {
    ADD_FAILURE() << what << ": converge fails (" << actual.error().to_string() << ") but Jinja2 renders:\n"
                  << expected.get<std::string>();
  } else {
    EXPECT_EQ(expected.get<std::string>(), *actual) << what;
  }
}

TEST(TemplateDifferential, ReferenceRendererRuns) {
  ASSERT_TRUE(reference().is_object()) << "/usr/bin/python3 with python3-jinja2 and python3-yaml is required";
  EXPECT_EQ(reference()["jinja2"], "3.1.2") << "the corpus was checked against Jinja2 3.1.2";
}

TEST(TemplateDifferential, CorpusRendersLikeJinja2InBothUndefinedModes) {
  ASSERT_TRUE(reference().is_object());
  auto cases = corpus_cases();
  ASSERT_GE(cases.size(), 60u);
  for (const auto& c : cases) {
    std::string name = c["name"];
    const ojson& ref = reference()["cases"][name];
    std::string source = c["template"];
    for (bool strict : {true, false}) {
      std::string what = name + (strict ? " (StrictUndefined)" : " (Undefined)");
      auto out = render(source, c["vars"], name + ".j2", RenderOptions{strict, {}});
      if (c.value("converge", "") == "unsupported") {
        EXPECT_FALSE(out.has_value()) << what << ": outside converge's subset, so it must be refused";
        continue;
      }
      expect_same(ref[strict ? "strict" : "default"], out, what);
    }
  }
}

TEST(TemplateDifferential, SupersetAssetsRenderLikeJinja2) {
  ASSERT_TRUE(reference().is_object());
  auto files = superset_files();
  ASSERT_GE(files.size(), 4u);
  for (const auto& f : files) {
    auto source = util::read_file(f);
    ASSERT_TRUE(source.has_value());
    expect_same(reference()["files"][f.string()], render(*source, ojson::object(), f.string()), f.string());
  }
}

TEST(TemplateDifferential, YamlVariablesAreTypedLikePyYamlSafeLoad) {
  ASSERT_TRUE(reference().is_object());
  for (const auto& [path, repr] : reference()["yaml"].items()) {
    auto vars = load_yaml_variables(path);
    ASSERT_TRUE(vars.has_value()) << vars.error().to_string();
    EXPECT_EQ(repr.get<std::string>(), py_repr(Value::from_json(*vars))) << path;
  }
}

}  // namespace
}  // namespace converge::tmpl

// Renders markdown with a real CommonMark/GFM renderer (markdown-it from npm, raw
// HTML allowed and linkify on, as GitHub; tests/markdown/render.mjs) and returns
// what a reader would get: the text, the elements, the links, the HTML comments.
// The npm packages are installed from tests/markdown/package-lock.json on first use.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "converge/util/error.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {

struct Rendered {
  std::string html;
  std::string text;               // the text content of the whole document
  std::string text_outside_code;  // the text content outside <code> and <pre>
  std::vector<std::string> code;  // the text of each <code> element
  std::map<std::string, int> elements;  // tag -> count
  nlohmann::json attributes;      // [{tag, name, value}]
  nlohmann::json links;           // [{href, text}]
  std::vector<std::string> comments;  // the data of each HTML comment
  std::vector<std::string> blocks;    // the text of each top-level element, in order
};

// Throws converge::Failure when node or the install fails (a set-up problem).
inline Rendered render_with_markdown_it(const std::string& markdown) {
  TempDir dir;
  const auto file = dir / "input.md";
  std::ofstream(file, std::ios::binary) << markdown;
  const std::string command =
      "sh '" + std::string(CONVERGE_SOURCE_DIR) + "/tests/markdown/render.sh' '" + file.string() + "'";
  std::string output;
  if (int status = run_shell(command, &output); status != 0)
    throw Failure(command + " failed (status " + std::to_string(status) + "): " + output);
  auto json = nlohmann::json::parse(output);
  return Rendered{json["html"], json["text"], json["text_outside_code"], json["code"], json["elements"],
                  json["attributes"], json["links"], json["comments"], json["blocks"]};
}

}  // namespace converge::testing

// Standard output kept for ONE machine-readable document: --json (plan, apply,
// drift-verify, describe) or an output flag given "-" (plan --out -, --sarif -, …).
//
// The first flag that wants standard output claims it before the step prints
// anything; from then on the console's text (workflow commands included) goes to
// stderr, so standard output is exactly the document. A second flag that wants it
// too is a usage error naming both. With --json, a step that fails before its
// document is written prints instead the error document (format 1):
//   {"format": 1, "error": {"message": str, "exit_code": int, "file": str, "line": int}}
// ("file" "" and "line" 0 when the error has no place), so a script that parses
// standard output never reads half a document. Every document is redacted by the
// console (a registered secret never appears in it). The documents themselves are
// described in steps/json_documents.hpp and docs/json.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "converge/github/console.hpp"
#include "converge/util/error.hpp"

namespace converge::steps {

class DataOut {
 public:
  explicit DataOut(github::Console& console) : console_(console) {}

  // `flag` ("--json", "--out -") takes standard output: the console's text goes to
  // stderr from now on. Error (usage) naming both flags when another flag took it.
  Expected<void> claim(std::string_view flag);
  // "path" is "-": claim(flag + " -"); otherwise nothing.
  Expected<void> claim_path(std::string_view flag, const std::string& path);
  // Whether --json took standard output (the step writes its document with write()).
  bool json() const { return owner_ == "--json"; }

  // Writes `document` (redacted, indented, one trailing newline) on standard output,
  // once: a second call is a Failure (a bug). Error (runtime) when the write fails.
  Expected<void> write(const nlohmann::json& document);
  // With --json and nothing written yet: the error document for `error`; else nothing.
  void error(const Error& error);

 private:
  github::Console& console_;
  std::string owner_;  // the flag that took standard output; "" = none
  bool written_ = false;
};

// {"format": 1, "error": {...}} for `error` (see above).
nlohmann::json error_document(const Error& error);

}  // namespace converge::steps

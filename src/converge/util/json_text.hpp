// Compact JSON text of a value, appended to a string: the same bytes as nlohmann's
// dump(-1, ' ', false, error_handler_t::replace), i.e. no whitespace, keys in order,
// UTF-8 kept, invalid UTF-8 replaced, but without its byte-by-byte UTF-8 decoding for
// the strings that need none (printable ASCII with nothing to escape), which are
// nearly all of a plan's values: the plan hash of a 50 MB Terraform plan spent half
// its time in that decoding (issue 15). Anything else is left to nlohmann.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace converge::util {

void append_compact_json(std::string& out, const nlohmann::json& value);
// The same for one string, without a JSON value made to hold it.
void append_json_string(std::string& out, std::string_view text);

}  // namespace converge::util

// The few pieces of Python's str model the renderer needs: code points, str.isspace,
// str.lower/upper (simple case mapping through the C.UTF-8 locale, plus ß → SS).
#pragma once

#include <string>
#include <string_view>

namespace converge::tmpl {

std::u32string utf8_decode(std::string_view s);  // invalid bytes decode as U+FFFD
char32_t decode_one(std::string_view s, std::size_t i, std::size_t& length);
std::string utf8_encode(std::u32string_view s);
void utf8_append(std::string& out, char32_t cp);
// The backslash escape JSON and YAML's double-quoted strings both give `cp` (\" \\ \n
// \r \t \b \f), or nullptr for any other code point.
const char* short_escape(char32_t cp);
bool py_isspace(char32_t cp);
std::u32string py_lower(std::u32string_view s);
std::u32string py_upper(std::u32string_view s);
// Where `needle` first occurs in `hay` at or after `pos` (npos: nowhere), in time
// linear in their lengths (std::string::find is quadratic on 'aaa…' patterns).
std::size_t find_text(std::string_view hay, std::string_view needle, std::size_t pos = 0);
// Python's str.rstrip() / str.strip() without arguments, on UTF-8.
std::string py_rstrip(std::string_view s);
std::string py_lstrip(std::string_view s);

}  // namespace converge::tmpl

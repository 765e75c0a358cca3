// The template lexer. It follows jinja2/lexer.py with the default Environment
// (trim_blocks, lstrip_blocks and keep_trailing_newline off): every \r\n, \r and \n
// becomes \n and one trailing newline is dropped; data runs until the first `{{`,
// `{%` or `{#`; a `-` after an opening delimiter strips the whitespace before it (as
// str.rstrip does), a `-` before a closing one strips the whitespace after it, `+`
// is accepted and changes nothing; `{% raw %}…{% endraw %}` is data, verbatim.
// Inside tags: whitespace, floats, integers (with _ and 0b/0o/0x), names, quoted
// strings with Python escapes, and operators, with (), [], {} balanced so that a
// `}}` inside braces is not the end of the tag.
#include "converge/template/lexer.hpp"

#include <type_traits>

#include "converge/template/unicode.hpp"
#include "converge/template/value.hpp"
#include "converge/util/ascii.hpp"

namespace converge::tmpl {

namespace {

std::string normalize_newlines(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
      out += '\n';
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

using util::is_ascii_digit;
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_ascii_digit(c); }

class Lexer {
 public:
  explicit Lexer(std::string src) : s_(std::move(src)) {}

  std::vector<Token> run() {
    while (pos_ < s_.size()) {
      std::size_t open = find_open(pos_);
      if (open == std::string::npos) {
        emit_data(pos_, s_.substr(pos_));
        break;
      }
      char kind = s_[open + 1];
      std::size_t after = open + 2;
      char sign = after < s_.size() && (s_[after] == '-' || s_[after] == '+') ? s_[after] : 0;
      std::string text = s_.substr(pos_, open - pos_);
      emit_data(pos_, sign == '-' ? py_rstrip(text) : text);
      if (sign) ++after;
      if (kind == '%' && raw_block(open, after)) continue;
      if (kind == '#') {
        comment(open, after);
        continue;
      }
      push(kind == '{' ? Tok::var_begin : Tok::block_begin, open, s_.substr(open, 2));
      pos_ = after;
      tag(kind == '{');
    }
    push(Tok::eof, s_.size(), "");
    return std::move(tokens_);
  }

 private:
  std::size_t find_open(std::size_t from) const {
    for (std::size_t i = s_.find('{', from); i != std::string::npos; i = s_.find('{', i + 1)) {
      if (i + 1 < s_.size() && (s_[i + 1] == '{' || s_[i + 1] == '%' || s_[i + 1] == '#')) return i;
    }
    return std::string::npos;
  }

  std::size_t skip_space(std::size_t p) const {
    for (std::size_t n = 0; p < s_.size(); p += n) {
      if (!py_isspace(decode_one(s_, p, n))) break;
    }
    return p;
  }

  bool starts(std::size_t p, std::string_view what) const { return s_.compare(p, what.size(), what) == 0; }

  // `{% raw %}` (with optional -/+ and whitespace) at `open`: emit its body as data.
  bool raw_block(std::size_t open, std::size_t after) {
    std::size_t p = skip_space(after);
    if (!starts(p, "raw")) return false;
    p = skip_space(p + 3);
    if (starts(p, "-%}")) p = skip_space(p + 3);
    else if (starts(p, "%}")) p += 2;
    else return false;
    for (std::size_t q = s_.find("{%", p); q != std::string::npos; q = s_.find("{%", q + 1)) {
      std::size_t r = q + 2;
      char sign = r < s_.size() && (s_[r] == '-' || s_[r] == '+') ? s_[r] : 0;
      if (sign) ++r;
      r = skip_space(r);
      if (!starts(r, "endraw")) continue;
      r = skip_space(r + 6);
      std::size_t end;
      if (starts(r, "+%}") ) end = r + 3;
      else if (starts(r, "-%}")) end = skip_space(r + 3);
      else if (starts(r, "%}")) end = r + 2;
      else continue;
      std::string body = s_.substr(p, q - p);
      emit_data(p, sign == '-' ? py_rstrip(body) : body);
      pos_ = end;
      return true;
    }
    fail(open, "Missing end of raw directive");
  }

  void comment(std::size_t open, std::size_t after) {
    for (std::size_t h = s_.find("#}", after); h != std::string::npos; h = s_.find("#}", h + 1)) {
      if (h > after && s_[h - 1] == '-') { pos_ = skip_space(h + 2); return; }
      pos_ = h + 2;
      return;
    }
    fail(open, "Missing end of comment tag");
  }

  // Tokens of one `{{ … }}` or `{% … %}` up to and including its end delimiter.
  void tag(bool variable) {
    std::vector<char> balance;
    while (pos_ < s_.size()) {
      if (balance.empty()) {
        if (variable ? starts(pos_, "-}}") : starts(pos_, "-%}")) {
          push(variable ? Tok::var_end : Tok::block_end, pos_, "");
          pos_ = skip_space(pos_ + 3);
          return;
        }
        if ((variable && starts(pos_, "}}")) || (!variable && (starts(pos_, "%}") || starts(pos_, "+%}")))) {
          push(variable ? Tok::var_end : Tok::block_end, pos_, "");
          pos_ += s_[pos_] == '+' ? 3 : 2;
          return;
        }
      }
      std::size_t n = 0;
      if (py_isspace(decode_one(s_, pos_, n))) { pos_ = skip_space(pos_); continue; }
      char c = s_[pos_];
      if (is_ascii_digit(c)) {
        Literal n = literal(scan_number, pos_);
        Token& t = push(n.type, pos_, s_.substr(pos_, n.end - pos_));
        t.integer = n.integer, t.floating = n.floating;
        pos_ = n.end;
        continue;
      }
      if (is_name_start(c)) {
        std::size_t e = pos_;
        while (e < s_.size() && is_name_char(s_[e])) ++e;
        push(Tok::name, pos_, s_.substr(pos_, e - pos_));
        pos_ = e;
        continue;
      }
      if (c == '\'' || c == '"') {
        if (auto str = literal(scan_string, pos_)) {
          push(Tok::string, pos_, str->text);
          pos_ = str->end;
          continue;
        }
      }
      operator_token(balance);
    }
  }

  void operator_token(std::vector<char>& balance) {
    static const char* const two[] = {"//", "**", "==", "!=", ">=", "<="};
    for (const char* op : two) {
      if (starts(pos_, op)) { push(Tok::op, pos_, op); pos_ += 2; return; }
    }
    char c = s_[pos_];
    if (std::string_view("+-/*%~[](){}|.,:;=<>").find(c) == std::string_view::npos) {
      std::size_t n = 0;
      decode_one(s_, pos_, n);
      fail(pos_, "unexpected char '" + s_.substr(pos_, n) + "'");
    }
    if (c == '(' || c == '[' || c == '{') balance.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    if (c == ')' || c == ']' || c == '}') {
      if (balance.empty()) fail(pos_, std::string("unexpected '") + c + "'");
      if (balance.back() != c) fail(pos_, std::string("unexpected '") + c + "', expected '" + balance.back() + "'");
      balance.pop_back();
    }
    push(Tok::op, pos_, std::string(1, c));
    ++pos_;
  }

  // A literal scanned at `at`, its errors located there.
  template <class Scan>
  std::invoke_result_t<Scan, std::string_view, std::size_t> literal(Scan scan, std::size_t at) {
    try {
      return scan(s_, at);
    } catch (const TemplateError& e) {
      fail(at, e.what());
    }
  }

  void emit_data(std::size_t at, std::string text) {
    if (text.empty()) return;
    push(Tok::data, at, std::move(text));
  }

  Token& push(Tok type, std::size_t at, std::string text) {
    Token t;
    t.type = type;
    t.text = std::move(text);
    locate(at, t.line, t.column);
    tokens_.push_back(std::move(t));
    return tokens_.back();
  }

  void locate(std::size_t at, int& line, int& column) {
    if (at < loc_pos_) { loc_pos_ = 0; loc_line_ = 1; loc_line_start_ = 0; }
    for (; loc_pos_ < at && loc_pos_ < s_.size(); ++loc_pos_) {
      if (s_[loc_pos_] == '\n') { ++loc_line_; loc_line_start_ = loc_pos_ + 1; }
    }
    line = loc_line_;
    column = static_cast<int>(at - loc_line_start_) + 1;
  }

  [[noreturn]] void fail(std::size_t at, const std::string& message) {
    TemplateError e(message);
    locate(at, e.line, e.column);
    throw e;
  }

  std::string s_;
  std::size_t pos_ = 0;
  std::vector<Token> tokens_;
  std::size_t loc_pos_ = 0, loc_line_start_ = 0;
  int loc_line_ = 1;
};

}  // namespace

std::vector<Token> lex(std::string_view source) { return Lexer(normalize_newlines(source)).run(); }

}  // namespace converge::tmpl

// parse_json_within: nlohmann's SAX parser feeding a builder that keeps a stack of
// the open containers (pointers stay valid: a container only gains members while it
// is the innermost open one) and counts depth and values as they arrive, stopping
// the parse at the first budget it exceeds.
#include "converge/util/bounded_json.hpp"

#include <algorithm>
#include <optional>
#include <string>

namespace converge::util {
namespace {

using nlohmann::json;

class Builder {
 public:
  explicit Builder(const JsonBudget& budget) : budget_(budget) {}

  bool null() { return value(nullptr); }
  bool boolean(bool v) { return value(v); }
  bool number_integer(json::number_integer_t v) { return value(v); }
  bool number_unsigned(json::number_unsigned_t v) { return value(v); }
  bool number_float(json::number_float_t v, const std::string&) { return value(v); }
  // A copy (its capacity its size) rather than the lexer's buffer, which the lexer then
  // keeps for the next string instead of growing a new one.
  bool string(std::string& v) { return value(json(v)); }
  bool binary(json::binary_t&) { return value(nullptr); }  // JSON text has no binary values
  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string& name) {
    if (skipped_ > 0) return true;
    if (stack_.size() == 1 && !budget_.keep.empty() &&
        std::find(budget_.keep.begin(), budget_.keep.end(), name) == budget_.keep.end())
      skip_next_ = true;
    stream_next_ = stack_.size() == 1 && !skip_next_ && budget_.each &&
                   std::find(budget_.streamed.begin(), budget_.streamed.end(), name) != budget_.streamed.end();
    key_ = std::move(name);
    return true;
  }

  template <class Exception>
  bool parse_error(std::size_t position, const std::string&, const Exception&) {
    syntax_error_at_ = position;
    return false;
  }

  json& root() { return root_; }
  const std::string& problem() const { return problem_; }
  const std::optional<Error>& handed_error() const { return handed_error_; }
  std::size_t syntax_error_at() const { return syntax_error_at_; }

 private:
  static std::string shown(std::string_view name) {
    std::string out;
    for (char c : name.substr(0, 100)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    return name.size() > 100 ? out + "..." : out;
  }

  bool stop(std::string problem) {
    problem_ = std::move(problem);
    return false;
  }

  bool counted() {
    if (++values_ <= budget_.max_values) return true;
    return stop("more than " + std::to_string(budget_.max_values) + " values");
  }

  // Adds `v` where the parse is (the root, the open array, the pending key); nullptr
  // (and the parse stopped) when the object already has that key. One lookup, and
  // the key moved into the object, not copied.
  json* add(json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    auto [slot, inserted] = parent.get_ref<json::object_t&>().emplace(std::move(key_), std::move(v));
    if (!inserted) {
      stop("duplicate key \"" + shown(slot->first) + "\"");
      return nullptr;
    }
    return &slot->second;
  }

  bool value(json&& v) {
    if (skipped_ > 0) return true;
    if (skip_next_) {
      skip_next_ = false;
      v = nullptr;
    }
    stream_next_ = false;
    if (!counted()) return false;
    if (!add(std::move(v))) return false;
    return hand_over_element();
  }

  // When the value just added is an element of the streamed array: it goes to `each`
  // and leaves the array.
  bool hand_over_element() {
    if (streamed_ == nullptr || stack_.back() != streamed_) return true;
    auto handed = budget_.each(streamed_name_, streamed_index_++, std::move(streamed_->back()));
    streamed_->get_ref<json::array_t&>().pop_back();
    if (handed) return true;
    handed_error_ = handed.error();
    return false;
  }

  bool open(json&& container) {
    if (++depth_ > budget_.max_depth)
      return stop("nested deeper than " + std::to_string(budget_.max_depth) + " levels");
    if (skipped_ > 0 || skip_next_) {
      if (skip_next_) {
        skip_next_ = false;
        if (!counted()) return false;
        if (!add(nullptr)) return false;
      }
      ++skipped_;
      return true;
    }
    if (!counted()) return false;
    const bool stream = stream_next_ && container.is_array();
    stream_next_ = false;
    if (stream) streamed_name_ = key_;  // before add() moves the key into the object
    json* added = add(std::move(container));
    if (!added) return false;
    stack_.push_back(added);
    if (stream) {
      streamed_ = added;
      streamed_index_ = 0;
    }
    return true;
  }

  bool close() {
    --depth_;
    if (skipped_ > 0) {
      --skipped_;
      return true;
    }
    if (stack_.back() == streamed_) {
      streamed_ = nullptr;
      stack_.pop_back();
      return true;
    }
    stack_.pop_back();
    return hand_over_element();
  }

  const JsonBudget& budget_;
  json root_;
  std::vector<json*> stack_;  // the open containers being built, innermost last
  std::string key_;           // the key of the next member of the innermost object
  int depth_ = 0;
  int skipped_ = 0;           // open containers inside a skipped member
  bool skip_next_ = false;    // the next value is a skipped member's
  bool stream_next_ = false;  // the next value is a streamed member's
  json* streamed_ = nullptr;  // the streamed array being read, when one is
  std::string streamed_name_;
  std::size_t streamed_index_ = 0;
  std::optional<Error> handed_error_;  // what `each` answered when it stopped the parse
  std::size_t values_ = 0;
  std::string problem_;
  std::size_t syntax_error_at_ = 0;
};

// "line:column" (1-based) of byte `position`; nlohmann counts it one past the byte read.
std::string line_column(std::string_view text, std::size_t position) {
  position = std::min(position > 0 ? position - 1 : 0, text.size());
  const std::string_view before = text.substr(0, position);
  const auto line = 1 + std::count(before.begin(), before.end(), '\n');
  const auto last_newline = before.rfind('\n');
  const auto column = 1 + position - (last_newline == std::string_view::npos ? 0 : last_newline + 1);
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

Expected<nlohmann::json> parse_json_within(std::string_view text, std::string_view origin,
                                           const JsonBudget& budget) {
  const std::string where(origin);
  if (text.size() > budget.max_bytes)
    return fail(Error::runtime(where + ": larger than " + std::to_string(budget.max_bytes) + " bytes (" +
                               std::to_string(text.size()) + ")"));
  Builder builder(budget);
  if (json::sax_parse(text.begin(), text.end(), &builder)) return std::move(builder.root());
  if (builder.handed_error()) return fail(*builder.handed_error());
  if (!builder.problem().empty()) return fail(Error::runtime(where + ": " + builder.problem()));
  // Only where: the text around a syntax error could be part of a secret.
  return fail(Error::runtime(where + ":" + line_column(text, builder.syntax_error_at()) + ": not valid JSON"));
}

}  // namespace converge::util

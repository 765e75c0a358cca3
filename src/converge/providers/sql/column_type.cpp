// Column types for the migration lint (see column_type.hpp). The families and ranks
// follow PostgreSQL's built-in types and their aliases; what is not one of them is
// compared by its written name.
#include "converge/providers/sql/column_type.hpp"

#include <map>
#include <set>

namespace converge::providers::sql {
namespace {

using Family = ColumnType::Family;

// Family and size of a type's words (upper case, joined by spaces).
std::pair<Family, int> family_of(const std::string& words) {
  static const std::map<std::string, std::pair<Family, int>, std::less<>> kTypes = {
      {"SMALLINT", {Family::integer, 1}},         {"INT2", {Family::integer, 1}},
      {"SMALLSERIAL", {Family::integer, 1}},      {"SERIAL2", {Family::integer, 1}},
      {"INT", {Family::integer, 2}},              {"INTEGER", {Family::integer, 2}},
      {"INT4", {Family::integer, 2}},             {"SERIAL", {Family::integer, 2}},
      {"SERIAL4", {Family::integer, 2}},          {"BIGINT", {Family::integer, 3}},
      {"INT8", {Family::integer, 3}},             {"BIGSERIAL", {Family::integer, 3}},
      {"SERIAL8", {Family::integer, 3}},          {"REAL", {Family::floating, 1}},
      {"FLOAT4", {Family::floating, 1}},          {"DOUBLE PRECISION", {Family::floating, 2}},
      {"FLOAT8", {Family::floating, 2}},          {"FLOAT", {Family::floating, 2}},
      {"TEXT", {Family::text, -1}},               {"VARCHAR", {Family::text, -1}},
      {"CHARACTER VARYING", {Family::text, -1}},  {"CHAR", {Family::fixed_text, 1}},
      {"CHARACTER", {Family::fixed_text, 1}},     {"BPCHAR", {Family::fixed_text, 1}},
      {"NUMERIC", {Family::numeric, -1}},         {"DECIMAL", {Family::numeric, -1}}};
  auto it = kTypes.find(words);
  return it == kTypes.end() ? std::pair{Family::other, -1} : it->second;
}

// Decimal digits an integer of this rank needs.
int integer_digits(int rank) { return rank == 1 ? 5 : rank == 2 ? 10 : 19; }

}  // namespace

std::optional<ColumnType> read_column_type(const std::vector<Token>& t, size_t& i) {
  static const std::set<std::string, std::less<>> kStop = {"NOT",        "NULL",       "DEFAULT",   "PRIMARY",
                                                           "REFERENCES", "CHECK",      "UNIQUE",    "CONSTRAINT",
                                                           "GENERATED",  "COLLATE",    "USING"};
  std::string words;
  std::vector<int> params;
  std::string name;
  while (i < t.size()) {
    const Token& k = t[i];
    if ((k.kind == Token::Kind::word && !kStop.contains(k.text)) || k.kind == Token::Kind::quoted) {
      words += (words.empty() ? "" : " ") + k.text;
      name += (name.empty() || name.back() == '.' ? "" : " ") + k.text;
      ++i;
    } else if (is_punct(t, i, ".")) {
      words += ".";
      name += ".";
      ++i;
    } else if (is_punct(t, i, "(") || is_punct(t, i, "[")) {
      // Type modifiers (n), (p, s) and array brackets, kept in the name.
      int depth = 0;
      do {
        if (is_punct(t, i, "(") || is_punct(t, i, "[")) ++depth;
        else if (is_punct(t, i, ")") || is_punct(t, i, "]")) --depth;
        else if (t[i].kind == Token::Kind::number && depth == 1) params.push_back(std::atoi(t[i].text.c_str()));
        name += t[i].text;
        ++i;
      } while (i < t.size() && depth > 0);
      if (name.back() == ']') words += "[]";
    } else {
      break;
    }
  }
  if (words.empty()) return std::nullopt;
  auto [family, size] = family_of(words);
  ColumnType type{.family = family, .size = size, .scale = 0, .name = name};
  if (family == Family::text || family == Family::fixed_text) {
    if (!params.empty()) type.size = params[0];
  } else if (family == Family::numeric) {
    if (!params.empty()) type.size = params[0];
    if (params.size() > 1) type.scale = params[1];
  } else if (family != Family::other && !params.empty()) {
    type.family = Family::other;  // "float(24)" and the like: compared by name
  }
  return type;
}

bool narrows(const ColumnType& from, const ColumnType& to) {
  if (to.family == Family::text && to.size < 0) return false;  // anything fits in unbounded text
  const bool textual_from = from.family == Family::text || from.family == Family::fixed_text;
  const bool textual_to = to.family == Family::text || to.family == Family::fixed_text;
  if (textual_from && textual_to) return from.size < 0 || to.size < from.size;
  if (from.family == Family::numeric && to.family == Family::numeric) {
    if (to.size < 0) return false;
    if (from.size < 0) return true;
    return to.scale < from.scale || to.size - to.scale < from.size - from.scale;
  }
  if (from.family == Family::integer && to.family == Family::numeric)
    return to.size >= 0 && to.size - to.scale < integer_digits(from.size);
  if (from.family == Family::integer && to.family == Family::floating)
    return integer_digits(from.size) > (to.size == 1 ? 6 : 15);  // digits the float holds exactly
  if (from.family == to.family && from.family != Family::other) return to.size < from.size;
  return from.name != to.name;
}

bool rewrites(const ColumnType& from, const ColumnType& to) {
  if (from.family == to.family && from.family != Family::other && from.size == to.size && from.scale == to.scale)
    return false;  // the same type under another name (int and integer)
  if (from.family == Family::text && to.family == Family::text)
    return !(to.size < 0 || (from.size >= 0 && to.size >= from.size));
  if (from.family == Family::numeric && to.family == Family::numeric)
    return !(to.size < 0 || (from.size >= 0 && to.scale == from.scale && to.size >= from.size));
  return from.name != to.name;
}

}  // namespace converge::providers::sql

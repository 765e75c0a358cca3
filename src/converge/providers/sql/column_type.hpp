// A column's SQL type as the migration lint reads it from a migration's tokens, and
// the two questions the lint asks of a type change: does the new type narrow the old
// one (values may not fit), and does PostgreSQL rewrite the table for it (internal to
// the sql provider).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "converge/providers/sql/transaction_control.hpp"

namespace converge::providers::sql {

struct ColumnType {
  // integer and floating: size is a rank (smallint 1, integer 2, bigint 3; real 1,
  // double 2). text (text, varchar) and fixed_text (char): size is the length limit,
  // -1 for none. numeric: size is the precision (-1 for none) and scale the scale.
  // other: name alone says what it is.
  enum class Family { integer, floating, text, fixed_text, numeric, other };
  Family family = Family::other;
  int size = -1;
  int scale = 0;
  std::string name;  // as written, normalised: "VARCHAR(20)", "DOUBLE PRECISION"
};

// Reads the type starting at tokens[i] up to a column constraint (NOT, NULL, DEFAULT,
// PRIMARY, REFERENCES, CHECK, UNIQUE, CONSTRAINT, GENERATED, COLLATE, USING) or a ','
// or ')' outside parentheses; `i` moves past it. nullopt when no type is there.
std::optional<ColumnType> read_column_type(const std::vector<Token>& tokens, size_t& i);

// Whether a value of `from` may not fit `to` (a shorter varchar, a smaller integer, a
// numeric with fewer digits) or may not convert (another type altogether). Any type to
// unbounded text is not narrowing.
bool narrows(const ColumnType& from, const ColumnType& to);

// Whether PostgreSQL rewrites the table (and its indexes) to change `from` to `to`:
// everything but the binary-coercible widenings (varchar to a longer varchar or text,
// numeric to more precision at the same scale or to unbounded numeric, the same type).
bool rewrites(const ColumnType& from, const ColumnType& to);

}  // namespace converge::providers::sql

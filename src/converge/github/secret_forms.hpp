// The forms a secret takes once it reaches a message: as given, percent-encoded
// (upper- and lower-case hex, `+` for spaces as in forms), percent-decoded,
// JSON-escaped, the password of a URL's `user:password@` (and the pair), and, for a
// secret holding URL delimiters, the pieces between them that a URL parser reads
// as a host or a port (libpq prints `invalid integer value "<piece>" for
// connection option "port"` for a raw password with a '/').
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace converge::github {

// Every form of `secret` worth hiding, `secret` first, without repeats; empty for
// an empty secret. Pieces shorter than kMinPiece are left out: hiding "ab" in every
// message would hide nothing of the secret and mangle the text.
inline constexpr std::size_t kMinPiece = 4;
std::vector<std::string> secret_forms(std::string_view secret);

}  // namespace converge::github

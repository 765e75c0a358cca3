// Lower-case hex of bytes, and random hex tokens (lock holders, local run ids).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace converge::util {

// Two lower-case hex digits per byte.
std::string to_hex(std::string_view bytes);

// `digits` random lower-case hex digits from OpenSSL's CSPRNG. Throws Failure when
// it has no entropy (never seen on Linux).
std::string random_hex(std::size_t digits);

}  // namespace converge::util

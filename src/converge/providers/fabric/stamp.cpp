// The deployment stamp in a workspace's description (stamp.hpp).
#include "converge/providers/fabric/stamp.hpp"

#include "converge/util/short_sha.hpp"

namespace converge::providers::fabric {
namespace {

constexpr std::size_t kMaxDescription = 4000;

// The owners' text: the description without its stamp line (and the newline before it).
std::string owners_text(const std::string& description) {
  auto at = description.rfind(kStampLead);
  if (at == std::string::npos || (at != 0 && description[at - 1] != '\n')) return description;
  if (description.find('\n', at) != std::string::npos) return description;  // not the last line
  return description.substr(0, at == 0 ? 0 : at - 1);
}

}  // namespace

std::string stamp_of(const std::string& description) {
  std::string owners = owners_text(description);
  if (owners.size() == description.size()) return "";
  return description.substr(owners.empty() ? 0 : owners.size() + 1);
}

std::string stamped(const std::string& description, const std::string& sha, const std::string& tag,
                    const std::string& time) {
  std::string stamp = std::string(kStampLead) + util::short_sha(sha) + (tag.empty() ? "" : " (" + tag + ")") +
                      " at " + time;
  std::string owners = owners_text(description);
  if (owners.size() + 1 + stamp.size() > kMaxDescription) {
    std::size_t n = kMaxDescription > stamp.size() + 1 ? kMaxDescription - stamp.size() - 1 : 0;
    // Never half a UTF-8 character.
    while (n > 0 && (static_cast<unsigned char>(owners[n]) & 0xC0) == 0x80) --n;
    owners.resize(n);
  }
  return owners.empty() ? stamp : owners + "\n" + stamp;
}

}  // namespace converge::providers::fabric

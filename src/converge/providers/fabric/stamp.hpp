// The deployment stamp converge keeps in a workspace's description, so people who
// look at the workspace in Fabric see which commit it runs: one last line
// "Deployed by converge: <sha> (<tag>) at <time>", after whatever the owners wrote,
// which is kept; a stamp already there is replaced. Fabric takes 4,000 characters of
// description: the owners' text is cut to leave room for the stamp.
#pragma once

#include <string>

namespace converge::providers::fabric {

inline constexpr std::string_view kStampLead = "Deployed by converge: ";

// `description` with its stamp set to sha (its first 12 characters), tag ("" for none)
// and time (ISO 8601, UTC).
std::string stamped(const std::string& description, const std::string& sha, const std::string& tag,
                    const std::string& time);

// The stamp line of a description ("" when it has none).
std::string stamp_of(const std::string& description);

}  // namespace converge::providers::fabric

// The attribute values of a Terraform plan as a reviewer may see them and the plan
// hash may cover them: Terraform sends each value beside markers of the same shape
// (before_sensitive/after_sensitive: true where a part is sensitive; after_unknown:
// true where a part is known only after apply), and converge combines them so that
// nothing marked sensitive survives, whatever the markers' shape.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace converge::providers::terraform {

inline constexpr std::string_view kSensitive = "(sensitive)";
inline constexpr std::string_view kKnownAfterApply = "(known after apply)";
inline constexpr std::string_view kVolatile = "(volatile)";

// `value` with every part `sensitive` marks replaced by "(sensitive)" and every part
// `unknown` marks by "(known after apply)", including keys only `unknown` names. A
// marker is true, or an object or array mirroring the value (false, null or a
// missing part: not marked). Fails safe: a sensitive marker that is any other scalar,
// or a non-empty structure the value does not have, hides the whole part.
// `value` is changed in place: pass a copy to keep the original.
nlohmann::json shown_value(nlohmann::json value, const nlohmann::json& sensitive, const nlohmann::json& unknown);

// Replaces with "(volatile)", in a resource's attribute object `value` of type
// `type`, the attribute at each dotted path ("tags.BuildTime"; "aws_instance.tags.BuildTime"
// for resources of that type only). A path walks into objects and into every element
// of an array on its way; a path that names nothing changes nothing.
void mark_volatile(nlohmann::json& value, std::string_view type, const std::vector<std::string>& paths);

// The attribute paths ("tags.Owner", "ingress[0]") at which `before` and `after`
// differ, in key order. A sensitive part (either marker) is named when its values
// differ, never entered, so no path or value below it shows.
std::vector<std::string> differing_paths(const nlohmann::json& before, const nlohmann::json& after,
                                         const nlohmann::json& before_sensitive,
                                         const nlohmann::json& after_sensitive);

}  // namespace converge::providers::terraform

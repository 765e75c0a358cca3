// Secrets in asset items stay references. A variables-file value may be (or
// contain) `${NAME}`; it is rendered into the item, and so into the bundle, the plan
// and bundle_files, as that literal reference. Only when an item is sent to the
// runtime (apply) is each `${NAME}` whose NAME is listed in the `secrets` setting
// replaced by the process environment's value of NAME.
//
// Why the process environment, read with std::getenv at apply time only: TargetSpec
// carries no environment lookup, the secret must not exist in any compiled or planned
// artefact (bundles and plans are posted to PRs and uploaded as artifacts), and in
// GitHub Actions secrets arrive as step environment variables. The `secrets` list
// keeps this from reading arbitrary variables of the runner.
//
// What the runtime holds is shown in plans only through hide_runtime_secrets(): the
// values of fields named like a secret and the password of a URL are hidden for every
// action (an item about to be deleted has no desired item to say where its secrets
// are). That rule reads no environment, so a plan made without the secrets (a pull
// request's) equals the plan apply makes with them. Errors that echo a request and
// export of an item that has no source yet replace the known values (the `secrets`
// variables set in the process environment) instead.
//
// Comparing and exporting never see a secret either: a desired string with
// references matches a runtime string when the literal parts match and each
// reference matches any text; a differing runtime value is shown masked in a plan,
// and export writes the reference back, never the runtime's value.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "converge/util/error.hpp"

namespace converge::providers::assets {

// Names of the ${NAME} references in `text`, in order (NAME = [A-Za-z_][A-Za-z0-9_]*).
std::vector<std::string> secret_references(std::string_view text);

// True when some string in `value` refers to a name in `allowed`.
bool refers_to_secret(const nlohmann::json& value, const std::set<std::string>& allowed);

// `desired` equals `actual`, where a desired string referring to allowed secrets
// matches any actual string of the same shape (see above).
bool same_value(const nlohmann::json& desired, const nlohmann::json& actual, const std::set<std::string>& allowed);

// `actual` with every value that sits where `desired` refers to a secret replaced by
// "(hidden: secret NAME)" (for plans).
nlohmann::json mask_secrets(const nlohmann::json& actual, const nlohmann::json& desired,
                            const std::set<std::string>& allowed);

// `actual` with every value that sits where `desired` refers to a secret replaced by
// the desired reference (for export).
nlohmann::json restore_secret_references(const nlohmann::json& actual, const nlohmann::json& desired,
                                         const std::set<std::string>& allowed);

// `value` (a runtime item or field) for a plan: the value of every field (at any
// depth) whose name contains password, passwd, secret, token, credential, api_key,
// apikey, private_key or encrypted (any case) replaced by "(hidden: secret field)",
// and the password of every `scheme://user:password@` in a string by "***".
nlohmann::json hide_runtime_secrets(const nlohmann::json& value);

// `value` with every occurrence of a known secret (the process environment's value
// of an allowed name, at least 4 characters) in its strings replaced by ${NAME}, longest
// value first (for export: a runtime item with no source must not carry the secret).
nlohmann::json reference_known_secrets(const nlohmann::json& value, const std::set<std::string>& allowed);

// `text` with every known secret (as above), raw or JSON-escaped, replaced by "***"
// (for errors that echo a request or a response).
std::string redact_known_secrets(std::string text, const std::set<std::string>& allowed);

// `item` with the allowed references replaced from the process environment (std::getenv).
// Error (runtime) naming the variable when one is not set. Call at apply time only.
Expected<nlohmann::json> expand_secrets(const nlohmann::json& item, const std::set<std::string>& allowed);

}  // namespace converge::providers::assets

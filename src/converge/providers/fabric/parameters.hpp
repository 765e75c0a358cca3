// fabric-cicd's parameter.yml, read as fabric-cicd reads it and applied to a
// workspace's items for one environment, so a repository that deploys with
// fabric-cicd deploys the same bytes with converge.
//
//   Expected<Parameters> load_parameters(file, shown_path);
//   mark_logical_ids(items);                       // fabric-cicd's _replace_logical_ids
//   apply_parameters(parameters, "PROD", items);   // its _replace_parameters
//   mark_default_workspace_ids(items);             // its _replace_workspace_ids
//
// in that order, the order fabric-cicd's _publish_item processes every text file
// (an item's type-specific processing, which comes first there, is the provider's).
// Where fabric-cicd puts a value of the target workspace (a dynamic replace_value,
// a logical id), the part gets a marker ⟦…⟧ instead (markers.hpp lists them).
//
// What fabric-cicd does and this does (its current _parameter/_utils.py and
// fabric_workspace.py):
// - find_replace: every occurrence of find_value (str.replace), or with is_regex
//   "true" every match of the regex with only its one capturing group replaced
//   (re.sub); ignore_case "true" for both. key_value_replace: every node find_key
//   selects (json_path.hpp) in a part that is JSON is set to the value, typed as
//   PyYAML types it, and the part is written back as Python's json.dumps writes it
//   (one line, ", " and ": ", non-ASCII as \uXXXX; the markers stay as they are).
//   key_value_replace runs before find_replace, both in file order, on every part
//   that is text (valid UTF-8) and not named *.platform (a nested item's .platform).
// - Filters: item_type, item_name, file_path, each a string or a list; all given must
//   match (an empty list matches nothing, an empty value is no filter). file_path is
//   relative to the folder holding parameter.yml (fabric-cicd's repository_directory),
//   a leading / or \ ignored; a path with * ? or [ is a glob (pathlib's: ** is any
//   number of folders, * and ? stay in one name, [..] a class) relative to that folder
//   or, starting with /, absolute and then inside that folder; a glob with ../ is an error.
// - replace_value maps environment names to values; `_ALL_` (any case), when it is the
//   only key, applies to every environment. An entry with no value for the
//   environment changes no value (a key_value_replace entry still rewrites the JSON
//   parts its filters select through json.dumps, as fabric-cicd does), nor does an
//   empty find_replace value (fabric-cicd replaces only `if replace_value`).
// - A part is text when it is valid UTF-8 (fabric-cicd reads files as UTF-8 text),
//   JSON when Python's json.loads would read it (no byte order mark, NaN and Infinity
//   excepted: those parts are left alone).
// - Dynamic values: $workspace.id / $workspace.$id, $workspace.$name,
//   $workspace.$name_encoded, $items.<Type>.<Name>.<attr> and .$<attr> (attr: id,
//   sqlendpoint, sqlendpointid, queryserviceuri, any case), $workspace.<Name>[.$id],
//   $workspace.<Name>.$items.<Type>.<Name>.$<attr>; any other value starting with $
//   is an error, as it is for fabric-cicd.
// What differs, on purpose or not yet: key_value_replace on YAML parts is not done
// (fabric-cicd ≥ 0.1.30 also rewrites YAML; converge leaves YAML parts as they are);
// a find_value that is a variable is an error (fabric-cicd resolves $workspace.* in
// find_value at deploy time); $ENV: substitution (a feature flag there) is not done;
// ignore_case folds ASCII letters only; spark_pool is read and validated and answered
// by spark_pool_for, not written into a part; semantic_model_binding and
// gateway_binding are accepted and reported as not applied. A find_value or a
// find_key filter naming a GUID that is some item's logical id no longer finds it
// after mark_logical_ids (fabric-cicd sees the deployed GUID there; converge a marker).
//
// tests/providers/fabric/fabric_cicd_reference.py applies fabric-cicd's rules in Python
// (its libraries: pathlib, re, json, jsonpath_ng); the tests compare every byte of its
// output on fabric-cicd's sample workspace and on testdata/workspace with this one's.
//
// Regexes are Python's `re` syntax converted to ECMAScript (std::regex): (?P<name>…)
// becomes a plain group, \A and \Z become ^ and $, a leading (?i) sets ignore_case,
// an escaped punctuation character (\#, \-, \ ) and a brace or bracket that Python reads
// as text become \xHH ({,n} becomes {0,n}); lookbehind, (?P=name),
// backreferences, other inline flags and conditionals are errors naming the construct.
// The match runs on libstdc++'s breadth-first executor (std::regex_constants::__polynomial):
// time linear in the part, a stack that does not grow with it, and on the cases the
// tests try the same groups as Python's backtracking re. Left as they differ: \d \s \w
// are ASCII here and Unicode in Python, and $ does not match before a final newline.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "converge/providers/fabric/item.hpp"
#include "converge/providers/fabric/json_path.hpp"
#include "converge/util/error.hpp"

namespace converge::providers::fabric {

// One file_path entry: an exact path or a glob, relative to the parameter file's folder.
struct PathFilter {
  std::string written;  // as in parameter.yml
  std::string path;     // normalised: "a/b.Notebook/x.py" or a glob "**/.schedules"
  bool glob = false;
  bool outside = false;  // points outside the folder: matches nothing (fabric-cicd skips it)
};

struct ParameterFilters {
  std::optional<std::vector<std::string>> item_type;
  std::optional<std::vector<std::string>> item_name;
  std::optional<std::vector<PathFilter>> file_path;
};

struct FindReplace {
  int line = 0;
  std::string find_value;
  bool is_regex = false;
  bool ignore_case = false;
  std::shared_ptr<const std::regex> regex;                         // when is_regex, or ignore_case
  std::vector<std::pair<std::string, std::string>> replace_value;  // environment → text (markers for variables)
  ParameterFilters filters;
};

struct KeyValueReplace {
  int line = 0;
  JsonPath find_key;
  std::vector<std::pair<std::string, nlohmann::ordered_json>> replace_value;
  ParameterFilters filters;
};

struct SparkPoolTarget {
  std::string type;  // "Capacity" or "Workspace"
  std::string name;
};

struct SparkPool {
  int line = 0;
  std::string instance_pool_id;
  std::vector<std::pair<std::string, SparkPoolTarget>> replace_value;
  std::optional<std::vector<std::string>> item_name;
};

struct Parameters {
  std::string shown_path;  // "fabric/parameter.yml": how errors and warnings name the file
  // The parameter file's folder relative to where Item::dir starts ("" when the same;
  // load_parameters sets it to shown_path's folder). file_path filters are relative to it.
  std::string base;
  std::vector<FindReplace> find_replace;
  std::vector<KeyValueReplace> key_value_replace;
  std::vector<SparkPool> spark_pool;
  std::vector<std::pair<std::string, int>> not_applied;  // known sections converge does not apply, with their line
};

// The parameters in `file` (absolute or relative to the working directory; its folder
// is fabric-cicd's repository_directory, for absolute globs). Errors are Error::config
// at `shown_path`:line:column, one line each: the file unreadable or over 16 MiB, YAML
// that util::load_yaml refuses (syntax, duplicate keys, its budgets), a section or key
// fabric-cicd does not know, a missing required key, a value of the wrong type, a regex
// that does not compile or has not exactly one capturing group, a JSONPath outside
// json_path.hpp's subset, an invalid file_path glob, an invalid dynamic value.
// A file that is empty or holds only comments gives no parameters.
Expected<Parameters> load_parameters(const std::filesystem::path& file, std::string shown_path);

// The same, from text (tests, and the provider when it already holds the file).
Expected<Parameters> parse_parameters(std::string_view text, std::string shown_path,
                                      const std::filesystem::path& repository_dir = {});

struct ParameterReport {
  // "parameter.yml:12: find_replace matched nothing in the items (find_value "…")",
  // one per entry that has a value for the environment and changed no part, and one
  // per section converge does not apply.
  std::vector<std::string> warnings;
};

// Applies every entry that has a value for `environment` (parameter.yml's name for
// it, e.g. "PROD") to the text parts of `items`, in place. Error::config at the
// entry's line when a regex captures an empty value in a part (fabric-cicd refuses
// that too), naming the item and part. Parts are changed only on success... of each
// part: on an error, earlier parts may be changed already (the caller drops the items).
Expected<ParameterReport> apply_parameters(const Parameters& parameters, std::string_view environment,
                                           std::vector<Item>& items);

// Every occurrence of an item's logical id (config.logicalId, the all-zero one
// excepted) in the text parts of the items becomes ⟦$items.<Type>.<Name>.id⟧; not in
// VariableLibrary items (fabric-cicd leaves them out). An item's own logical id in its
// own parts is marked too (fabric-cicd refuses that at the first deploy). The items
// inside an item (a part `.children/<Name>.<Type>/.platform`, an Eventhouse's KQL
// databases) count as items, as fabric-cicd's walk of the folders makes them. No part
// named *.platform is changed, by this or the functions above (fabric-cicd skips them).
void mark_logical_ids(std::vector<Item>& items);

// fabric-cicd's _replace_workspace_ids: in text parts (not VariableLibrary), the value
// 00000000-0000-0000-0000-000000000000 of a `workspaceId`, `workspace` or
// `default_lakehouse_workspace_id` key ("key": "…" or key = "…") becomes ⟦$workspace.id⟧.
void mark_default_workspace_ids(std::vector<Item>& items);

// The pool that replaces `instance_pool_id` in the Environment `item_name` for the
// environment, or nullopt: fabric-cicd's _update_compute_settings, which replaces the
// instance_pool_id of Setting/Sparkcompute.yml by `instancePool: {type, name}` in the
// staging sparkcompute request (the last matching entry wins; an empty item_name is
// no filter; an entry without the environment's value is skipped, where fabric-cicd
// fails on the missing key).
std::optional<SparkPoolTarget> spark_pool_for(const Parameters& parameters, std::string_view environment,
                                              std::string_view item_name, std::string_view instance_pool_id);

// How Python's json.dumps(value) writes `value` (ensure_ascii, ", " and ": "), but
// for the marker brackets, written as UTF-8. Exposed for tests.
std::string python_json_dumps(const nlohmann::ordered_json& value);

}  // namespace converge::providers::fabric

// The fabric provider's bundle: the items of one environment, parameters applied, as
// converge deploys them.
//
// Content (format 1): {"format": 1, "items": [{"type", "name", "description",
// "folder", "logical_id", "dir", "parts": [{"path", "text"} | {"path", "base64"}]}],
// "warnings": [{"file", "line", "message"[, "rule"]}]}, items sorted by key, a part as "text"
// when it is UTF-8 and as "base64" otherwise. Markers (item.hpp) stay in the parts:
// the bundle does not depend on the workspace.
//
// The bundle hash covers the code: the items as the repository holds them, before
// parameters (each item's metadata and its parts' SHA-256), and parameter.yml's bytes —
// the same in every environment, so promotion (prod takes only what stage ran)
// compares it (as the terraform provider's does). What an environment's parameters
// make of the code is in the content, and the plan (its hash) covers what it changes.
// Hash: SHA-256 of "converge-fabric-bundle-1\n" + that code as JSON (code_hash()).
#pragma once

#include <vector>

#include "converge/providers/fabric/item.hpp"
#include "converge/providers/provider.hpp"

namespace converge::providers::fabric {

struct Warning {
  std::string file;
  int line = 0;
  std::string message;
  std::string rule = "fabric/parameter-unmatched";  // the plan finding's rule
};

// The hash of the code (above): `sources` as read, `parameters` the parameter file's
// bytes ("" for none).
std::string code_hash(const std::vector<Item>& sources, const std::string& parameters);

// The bundle of `items` (parameters applied), hashed by `hash` (code_hash()).
Bundle make_bundle(const std::vector<Item>& items, const std::vector<Warning>& warnings, std::string hash);

// The bundle's items and warnings. Throws converge::Failure for content no
// make_bundle() wrote (a bundle is converge's own).
std::vector<Item> bundle_items(const Bundle& bundle);
std::vector<Warning> bundle_warnings(const Bundle& bundle);

// The files `converge compile` writes: each item's folder as the repository has it,
// parameters applied (a part per file, and `.platform`).
std::map<std::string, std::string> bundle_files(const std::vector<Item>& items);

// The `.platform` file of an item (Fabric's Git format, version 2.0).
std::string platform_file(const Item& item);

}  // namespace converge::providers::fabric

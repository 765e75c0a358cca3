// export-to-pr of a superset or preset runtime: the assets whose comparable form
// (superset_normalise.hpp) differs from their file, written back so the pull request
// shows the edit and nothing else — the changed scalar lines replaced in place where the
// file allows it, else the file written from the runtime's asset with the repository's
// own ids kept — and the assets only the runtime has, under the path Superset's export
// gives them. Each changed asset's author in Superset is credited (ExportedSources'
// credits and co_authors).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "converge/providers/assets/sources.hpp"
#include "converge/providers/assets/superset_runtime.hpp"

namespace converge::providers::assets {

ExportedSources export_superset(const Options& options, const std::filesystem::path& repo_root,
                                const Sources& sources, const SupersetAssets& assets, SupersetRuntime& runtime);

// Where an asset only Superset has goes under the sources folder: the path Superset's
// export gave it ("charts/Sales_3.yaml") when it is `kind`/ followed by plain file
// names ([A-Za-z0-9._-], none "." or "..", ending .yaml); else "<kind>/<uuid>.yaml".
// The export's names are the runtime's words: they never leave the kind's folder.
std::string export_path_for(const std::string& kind, const std::string& path, const std::string& uuid);

// `text` (a YAML file, `file` in messages) with the scalar values that differ between
// `before` (what text holds) and `after` replaced on their own lines (`scalar_text`
// writes a value as YAML); nullopt when a difference is not a one-line scalar of the
// text (a new key, a list grown, a multi-line value), which the caller writes whole.
std::optional<std::string> edit_scalars_in_place(const std::string& text, const std::string& file,
                                                 const nlohmann::json& before, const nlohmann::json& after,
                                                 const std::function<std::string(const nlohmann::json&)>& scalar_text);

}  // namespace converge::providers::assets

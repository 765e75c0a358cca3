// Opening a step's manifest store. The URL is expanded here, only when a step really
// opens the store, so a job that never does (compile, a plan of targets that keep no
// managed keys) needs none of its variables; the values are masked on the console.
// The scheme picks the store: "github:" is GitHub's deployments through the run's
// token (github/deployment_manifest.hpp); any other goes to manifest::open.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "converge/manifest/store.hpp"
#include "converge/steps/session.hpp"

namespace converge::steps {

inline constexpr std::string_view kGitHubManifestUrl = "github:";

// True for the manifest kept in GitHub deployments.
bool is_github_manifest(std::string_view url);

// The session environment's manifest URL, expanded with the variables the trusted
// converge.yaml allows it. Error (config, one line): "<file:line:col>: manifest.url:
// variable NAME is not set (referenced as ${NAME})".
Expected<std::string> manifest_url(const Session& session, StepIo io);
// The manifest URL of `environment` (another one than the session's: promotion reads
// the environment it promotes from; describe and record-manifest have no session).
Expected<std::string> manifest_url(const config::Config& config, std::string_view environment, StepIo io);

// Opens the store at `url`; a relative sqlite path is relative to `root`. Error
// (usage) for github: without a token and repository in the run, else as manifest::open.
Expected<std::unique_ptr<manifest::Store>> open_manifest(std::string_view url, const std::filesystem::path& root,
                                                         StepIo io);
// The session environment's store: manifest_url(session) then open_manifest.
Expected<std::unique_ptr<manifest::Store>> open_manifest(const Session& session, StepIo io);

}  // namespace converge::steps

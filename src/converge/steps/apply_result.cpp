// The apply result: what apply (and drift-verify --apply) hands to record-manifest,
// and the checks that make record-manifest record only a result of this very run.
//
// Where: in a runner, the job's directory (job_dir below)/apply-<env>.json. The work
// tree is the pull request's code, so anything found there may be forged; the job's
// directory is outside the checkout and emptied by the runner for every job.
// Locally, .converge/apply-<env>.json beside converge.yaml.
//
// Seal: in a runner the result carries the run id, attempt, job (GITHUB_JOB) and
// commit, and an HMAC-SHA256 over the document keyed by this job's result key: 32
// random bytes (OpenSSL RAND_bytes), hex, in the job's directory as result.key, mode
// 0600, created by the first apply of the job and reused by later ones. The key is
// per job and never leaves the job's directory. The job's GitHub token was
// not taken as the key: the drift apply may run without one, a PAT given as `token`
// outlives the run, and a MAC must not depend on a secret that other steps and
// actions of the job also hold.
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "converge/steps/session.hpp"
#include "converge/util/fs.hpp"
#include "converge/util/hex.hpp"
#include "converge/util/seal.hpp"
#include "converge/util/short_sha.hpp"

namespace converge::steps {
namespace {

namespace fs = std::filesystem;

constexpr int kFormat = 2;

std::string hex(const unsigned char* bytes, size_t size) {
  return util::to_hex(std::string_view(reinterpret_cast<const char*>(bytes), size));
}

// Whether `path` is `dir` or inside it (both made absolute, symbolic links resolved).
bool inside(const fs::path& path, const fs::path& dir) {
  std::error_code ec;
  auto p = fs::weakly_canonical(fs::absolute(path), ec);
  auto d = fs::weakly_canonical(fs::absolute(dir), ec);
  auto [end, _] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  return !d.empty() && end == d.end();
}

// The job's directory for the result and its key, shared by the job's steps and by
// nobody else, outside the work tree: $RUNNER_TEMP/converge on the runner itself. A
// container action (converge's actions are) does not get RUNNER_TEMP mounted
// (actions/runner#1984: the variable names the runner's path, which does not exist
// in the container); there it is $HOME/.converge, HOME being /github/home, the job's
// _temp/_github_home on the runner, mounted into each of the job's container steps.
Expected<fs::path> job_dir(const github::RunContext& ctx) {
  auto temp = ctx.variable("RUNNER_TEMP");
  if (!temp || temp->empty())
    return fail(Error::usage("RUNNER_TEMP is not set: in a runner the apply result lives in the runner's temp "
                             "directory, never in the work tree"));
  std::error_code ec;
  if (fs::is_directory(*temp, ec)) return fs::path(*temp) / "converge";
  auto home = ctx.variable("HOME");
  const auto workspace = ctx.variable("GITHUB_WORKSPACE").value_or(fs::current_path(ec).string());
  if (!home || home->empty() || !fs::is_directory(*home, ec) || inside(*home, workspace))
    return fail(Error::usage("RUNNER_TEMP (" + *temp + ") is not a directory here and HOME is not one outside the "
                             "work tree: the apply result has nowhere to live but the work tree, which it never uses"));
  return fs::path(*home) / ".converge";
}

fs::path key_path(const fs::path& dir) { return dir / "result.key"; }

// This job's result key; created (0600, exclusively) when `create` and missing.
Expected<std::string> result_key(const github::RunContext& ctx, bool create) {
  auto dir = job_dir(ctx);
  if (!dir) return fail(dir.error());
  const auto path = key_path(*dir);
  if (auto text = util::read_file(path); text && text->size() == 64) return *text;
  if (!create) return fail(Error::refused("this job has no result key (" + path.string() + "): no apply ran in it"));
  std::error_code ec;
  fs::create_directories(*dir, ec);
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return fail(Error::runtime("no random bytes for the result key"));
  const std::string key = hex(bytes, sizeof bytes);
  OPENSSL_cleanse(bytes, sizeof bytes);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fail(Error::runtime("cannot create the result key " + path.string() + ": " + std::strerror(errno)));
  bool ok = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok) return fail(Error::runtime("cannot write the result key " + path.string()));
  return key;
}

std::string mac_of(const nlohmann::json& document, const std::string& key) {
  nlohmann::json unsealed = document;
  unsealed.erase("mac");
  return util::to_hex(util::hmac_sha256(key, unsealed.dump()));
}

nlohmann::json to_json(const ApplyResult& r) {
  auto targets = nlohmann::json::array();
  for (const auto& t : r.targets)
    targets.push_back({{"target", t.target}, {"status", t.status}, {"bundle_hash", t.bundle_hash},
                       {"version", t.version}, {"applied", t.applied}, {"error", t.error},
                       {"managed", t.managed ? nlohmann::json(*t.managed) : nlohmann::json(nullptr)},
                       {"promoted_from", t.promoted_from}});
  nlohmann::json j = {{"format", kFormat},     {"apply_id", r.apply_id},   {"run_id", r.run_id},
                      {"run_attempt", r.run_attempt}, {"job", r.job},     {"environment", r.environment},
                      {"approvers", r.approvers}, {"break_glass", r.break_glass},
                      {"git_sha", r.git_sha},  {"git_ref", r.git_ref},     {"git_tags", r.git_tags},
                      {"plan_hash", r.plan_hash}, {"dirty", r.dirty}, {"status", r.ok() ? "success" : "failure"},
                      {"targets", std::move(targets)}, {"mac", ""}};
  j["pr_number"] = r.pr_number ? nlohmann::json(*r.pr_number) : nlohmann::json(nullptr);
  return j;
}

Expected<ApplyResult> from_json(const nlohmann::json& j, const fs::path& path) {
  try {
    if (j.value("format", 0) != kFormat) return fail(Error::usage(path.string() + ": unsupported apply result format"));
    ApplyResult r;
    r.apply_id = j.at("apply_id").get<std::string>();
    r.run_id = j.at("run_id").get<std::string>();
    r.run_attempt = j.at("run_attempt").get<std::string>();
    r.job = j.at("job").get<std::string>();
    r.environment = j.at("environment").get<std::string>();
    r.git_sha = j.at("git_sha").get<std::string>();
    r.git_ref = j.at("git_ref").get<std::string>();
    r.git_tags = j.at("git_tags").get<std::vector<std::string>>();
    r.plan_hash = j.at("plan_hash").get<std::string>();
    if (j.contains("pr_number") && !j["pr_number"].is_null()) r.pr_number = j["pr_number"].get<std::int64_t>();
    r.approvers = j.value("approvers", std::vector<std::string>{});
    r.break_glass = j.value("break_glass", "");
    r.dirty = j.value("dirty", false);
    for (const auto& t : j.at("targets")) {
      TargetOutcome o{t.at("target").get<std::string>(), t.at("status").get<std::string>(),
                      t.at("bundle_hash").get<std::string>(), t.at("version").get<std::string>(),
                      t.at("applied").get<std::vector<std::string>>(), t.at("error").get<std::string>(), std::nullopt};
      if (t.contains("managed") && t["managed"].is_array()) o.managed = t["managed"].get<std::vector<std::string>>();
      o.promoted_from = t.value("promoted_from", "");
      r.targets.push_back(std::move(o));
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    return fail(Error::usage(path.string() + ": not a valid apply result: " + e.what()));
  }
}

Expected<nlohmann::json> parse(const fs::path& path) {
  auto text = util::read_file(path);
  if (!text) return fail(text.error());
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(Error::usage(path.string() + ": not a valid apply result"));
  return j;
}

std::unexpected<Error> untrusted(const fs::path& path, const std::string& why) {
  return fail(Error::refused("the apply result " + path.string() + " is not trusted: " + why +
                             "; nothing was recorded"));
}

}  // namespace

nlohmann::json result_json(const ApplyResult& result) { return to_json(result); }

Expected<fs::path> result_path(const fs::path& config_file, std::string_view environment,
                               const github::RunContext& ctx) {
  const std::string name = "apply-" + std::string(environment) + ".json";
  if (ctx.in_actions) {
    auto dir = job_dir(ctx);
    if (!dir) return fail(dir.error());
    return *dir / name;
  }
  auto root = config_file.has_parent_path() ? config_file.parent_path() : fs::path(".");
  return root / ".converge" / name;
}

Expected<void> write_result(const fs::path& path, const ApplyResult& result, const github::RunContext& ctx) {
  auto j = to_json(result);
  if (ctx.in_actions) {
    auto key = result_key(ctx, /*create=*/true);
    if (!key) return fail(key.error());
    j["mac"] = mac_of(j, *key);
  }
  return util::write_file_atomic(path, j.dump(2) + "\n");
}

Expected<ApplyResult> read_result(const fs::path& path) {
  auto j = parse(path);
  if (!j) return fail(j.error());
  return from_json(*j, path);
}

Expected<ApplyResult> read_trusted_result(const fs::path& path, const github::RunContext& ctx,
                                          std::string_view head_sha, const fs::path& work_tree) {
  if (!ctx.in_actions) return read_result(path);
  for (const auto& tree : {work_tree, fs::path(ctx.workspace)})
    if (!tree.empty() && inside(path, tree))
      return untrusted(path, "it is in the work tree, which holds the pull request's code; only a result this "
                             "job's apply wrote in the job's directory is recorded");
  auto j = parse(path);
  if (!j) return fail(j.error());
  auto key = result_key(ctx, /*create=*/false);
  if (!key) return untrusted(path, key.error().message);
  if (!(*j)["mac"].is_string() || !util::equal_secret((*j)["mac"].get<std::string>(), mac_of(*j, *key)))
    return untrusted(path, "its MAC does not verify with this job's result key (altered, or not written by this "
                           "job's apply)");
  auto result = from_json(*j, path);
  if (!result) return fail(result.error());
  const std::string attempt = ctx.run_attempt.empty() ? "1" : ctx.run_attempt;
  const std::string job = ctx.variable("GITHUB_JOB").value_or("");
  if (result->run_id != ctx.run_id)
    return untrusted(path, "it is from run " + result->run_id + ", not this run " + ctx.run_id);
  if (result->run_attempt != attempt)
    return untrusted(path, "it is from attempt " + result->run_attempt + ", not this attempt " + attempt);
  if (result->job != job) return untrusted(path, "it is from job '" + result->job + "', not this job '" + job + "'");
  if (result->git_sha.empty() || result->git_sha != head_sha)
    return untrusted(path, "it is for commit " + util::short_sha(result->git_sha) + ", not the checked-out commit " +
                               util::short_sha(head_sha));
  return result;
}

}  // namespace converge::steps

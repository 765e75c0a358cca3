// Canary secrets (issue 9, check 3): every step executable runs, on the success path
// and on failure paths (bad config, HTTP errors from the GitHub server, a REST
// server that echoes the rejected request, a failing migration, a refused gate),
// with the GitHub token, the database URLs, the database password and the asset
// secrets set to unique canaries holding '/', '@', '%' and spaces. No canary, raw or
// URL-encoded, may appear in stdout or stderr (but for the runner's ::add-mask::
// lines, which must carry it), GITHUB_OUTPUT, the job summary, plan.json, result files,
// bundles, comments and issues (read back from the GitHub server), commits (read
// from the git server) or manifest rows (read from PostgreSQL).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "github/server/actions_runner.hpp"
#include "converge/http/client.hpp"
#include "providers/assets/json_server.hpp"
#include "support/git_repo.hpp"
#include "support/git_server.hpp"
#include "support/postgres.hpp"
#include "support/temp_dir.hpp"

namespace converge::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

using http::percent_encode;


std::string command_output(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

std::string unique_suffix() {
  std::random_device rd;
  return std::to_string(rd() % 1000000);
}

// The canaries and where they were looked for.
class LeakCheck {
 public:
  // Looked for: `value`, its URL-encoded form and, for a password, the pieces between
  // URL delimiters a URL parser quotes (libpq: invalid integer value "<piece>" for
  // connection option "port").
  void add(const std::string& name, const std::string& value, bool pieces = false) {
    canaries_.push_back({name, value});
    canaries_.push_back({name + " (URL-encoded)", percent_encode(value)});
    if (!pieces) return;
    for (size_t start = 0, end; start < value.size(); start = end + 1) {
      end = std::min(value.find_first_of("/@:?#", start), value.size());
      if (end - start >= 6) canaries_.push_back({name + " (a piece)", value.substr(start, end - start)});
    }
  }

  // `text` must hold no canary; with `mask_lines`, ::add-mask:: lines are allowed to.
  void check(const std::string& where, const std::string& text, bool mask_lines = false) {
    ++outputs_;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (mask_lines && line.starts_with("::add-mask::")) continue;
      for (const auto& [name, value] : canaries_)
        if (line.find(value) != std::string::npos) leaks_.push_back(where + ": " + name + " in \"" + line + "\"");
    }
  }
  // Every regular file below `dir`.
  void check_tree(const std::string& where, const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) return;
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec))
      if (entry.is_regular_file()) check(where + " " + entry.path().string(), slurp(entry.path()));
  }

  int outputs() const { return outputs_; }
  const std::vector<std::string>& leaks() const { return leaks_; }

 private:
  std::vector<std::pair<std::string, std::string>> canaries_;
  std::vector<std::string> leaks_;
  int outputs_ = 0;
};

// A BI database item whose connection URL and password come from the secret.
constexpr std::string_view kWarehouse =
    "database_name: warehouse\nsqlalchemy_uri: \"{{ db_uri }}\"\npassword: \"{{ db_password }}\"\nuuid: d1\n";
constexpr std::string_view kOrders = "database_uuid: d1\ntable_name: orders\nuuid: s1\n";
constexpr std::string_view kMigration =
    "-- migrate:up\ncreate table invoices (id integer primary key);\n-- migrate:down\ndrop table invoices;\n";

class CanarySecrets : public ::testing::Test {
 protected:
  // The test server's URL with `user:password@` in place of its own user.
  static std::string url_as(const std::string& url, const std::string& user, const std::string& password) {
    auto start = url.find("://") + 3;
    return url.substr(0, start) + user + ":" + password + url.substr(url.find('@', start));
  }

  RunResult step(const std::string& label, const std::vector<std::string>& args, const std::string& event_name,
                 const json& event, std::map<std::string, std::string> extra = {}, bool same_job = false) {
    for (const auto& [k, v] : env_) extra.emplace(k, v);
    std::filesystem::remove(dir_ / "output.txt");
    std::filesystem::remove(dir_ / "summary.md");
    auto r = same_job ? runner_.same_job(args, event_name, event, sha_, extra)
                      : runner_.run(args, event_name, event, sha_, extra);
    ++runs_;
    check_.check(label + " stdout", r.out, true);
    // With --json, workflow commands go to stderr (stdout is the document); the runner
    // reads commands on both streams, so ::add-mask:: lines may be there too.
    check_.check(label + " stderr", r.err, true);
    check_.check(label + " GITHUB_OUTPUT", runner_.file("output.txt"));
    check_.check(label + " job summary", runner_.file("summary.md"));
    check_.check_tree(label + " job HOME", runner_.job_home());
    check_.check_tree(label + " .converge", dir_ / ".converge");
    for (const char* file : {"plan.json", "event.json"}) check_.check(label + " " + file, runner_.file(file));
    return r;
  }

  TempDir dir_;
  LeakCheck check_;
  std::map<std::string, std::string> env_;
  std::string sha_;
  int runs_ = 0;
  GitHubServer github_{GitHubServer::Options{.token = "ghs_T0kenCanary/g@h%25 x" + unique_suffix(),
                                             .repository = "octo-org/octo-repo",
                                             .login = "github-actions[bot]"}};
  ActionsRunner runner_{dir_.path(), github_};
};

TEST_F(CanarySecrets, NoCanaryReachesAnyOutputOnAnyPath) {
  CONVERGE_REQUIRE_POSTGRES();
  // PostgreSQL: a role whose password holds '/', '@', '%' and a space, owning the
  // application database and the manifest database.
  ScratchDatabase admin;
  const std::string role = "canary_" + unique_suffix();
  const std::string db_password = "cAn4ry/p@ss%20 word-" + unique_suffix();
  admin.exec("CREATE ROLE " + role + " LOGIN PASSWORD '" + db_password + "'");
  struct DropRole {
    const ScratchDatabase& admin;
    std::string role;
    ~DropRole() {
      try {
        admin.exec("DROP ROLE IF EXISTS " + role);
      } catch (...) {
      }
    }
  } drop_role{admin, role};
  ScratchDatabase app, manifest;
  for (const auto* db : {&app, &manifest}) {
    auto name = db->url().substr(db->url().rfind('/') + 1);
    admin.exec("ALTER DATABASE " + name + " OWNER TO " + role);
  }
  const std::string app_url = url_as(app.url(), role, percent_encode(db_password));
  const std::string manifest_url = url_as(manifest.url(), role, percent_encode(db_password));
  const std::string bi_token = "bi-cAn4ryT0ken/b@i%41 z" + unique_suffix();
  const std::string bi_db_password = "biCan4ryPw/x@y%7E q" + unique_suffix();
  check_.add("the GitHub token", github_.token());
  check_.add("the database password", db_password, true);
  check_.add("the application database URL", app_url);
  check_.add("the manifest database URL", manifest_url);
  check_.add("the BI token", bi_token);
  check_.add("the BI database password", bi_db_password, true);
  env_ = {{"APP_DB_URL", app_url}, {"MANIFEST_URL", manifest_url}, {"BI_TOKEN", bi_token},
          {"BI_DB_PASSWORD", bi_db_password}, {"DB_PASSWORD", db_password}};

  JsonServer bi(JsonServer::empty_bi());
  GitServer git(github_.token());
  const std::string secrets = "[APP_DB_URL, MANIFEST_URL, BI_TOKEN, BI_DB_PASSWORD, DB_PASSWORD]";
  auto config = [&](const std::string& app_db_url) {
    return "environments:\n"
           "  - {name: dev, branch: \"dev/**\", secrets: " + secrets + "}\n"
           "  - {name: prod, branch: main, gates: {approvals: 1}, secrets: " + secrets + "}\n"
           "manifest:\n  url: ${MANIFEST_URL}\n"
           "targets:\n"
           "  - name: app-db\n    provider: sql\n    settings:\n      url: " + app_db_url + "\n"
           "  - name: bi\n    provider: assets\n    settings:\n      url: " + bi.url() + "\n"
           "      auth_header: Bearer ${BI_TOKEN}\n      secrets: [BI_DB_PASSWORD]\n";
  };
  dir_.write("converge.yaml", config("${APP_DB_URL}"));
  dir_.write("db/migrations/20260101090000_create_invoices.sql", kMigration);
  for (const auto* env : {"dev", "prod"})
    dir_.write(std::string("env/") + env + ".yaml",
               "db_uri: \"postgresql://bi:${BI_DB_PASSWORD}@warehouse/sales\"\ndb_password: \"${BI_DB_PASSWORD}\"\n");
  dir_.write("assets/databases/warehouse.yaml.j2", kWarehouse);
  dir_.write("assets/datasets/orders.yaml", kOrders);
  dir_.write(".gitignore", ".converge/\nevent.json\noutput.txt\nsummary.md\nplan.json\nbundles/\n");
  GitRepo repo(dir_.path(), "main");
  sha_ = repo.commit_all("app and BI");
  git.create_bare("consumer");
  repo.set_remote("origin", git.url("consumer"));
  const auto push = runner_.push_event("dev/x", sha_);
  auto dispatch = runner_.workflow_dispatch_event("refs/heads/main");
  dispatch["repository"]["default_branch"] = "main";

  // The success path, step by step as the workflows run them.
  EXPECT_EQ(step("secret-names", {"secret-names", "--env", "dev"}, "push", push).exit_code, 0);
  EXPECT_EQ(step("compile", {"compile", "--env", "dev", "--out", "bundles/dev"}, "push", push).exit_code, 0);
  check_.check_tree("bundles", dir_ / "bundles");
  auto r = step("plan", {"plan", "--env", "dev", "--out", "plan.json"}, "push", push);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = step("plan --json", {"plan", "--env", "dev", "--json"}, "push", push);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  github_.seed({{"pulls", {{{"number", 7}, {"user", "alice"}, {"head", {{"ref", "feature"}, {"sha", sha_}}},
                            {"base", {{"ref", "main"}}}}}}});
  r = step("plan-comment", {"plan-comment"}, "pull_request", runner_.pull_request_event(7, "main", sha_));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = step("apply", {"apply", "--env", "dev"}, "push", push);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto applied = bi.database();
  ASSERT_NE(applied.dump().find(bi_db_password), std::string::npos) << "the secret reached the runtime";
  r = step("record-manifest", {"record-manifest", "--env", "dev"}, "push", push, {}, true);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = step("describe", {"describe", "--env", "dev", "--json"}, "push", push);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = step("drift-verify", {"drift-verify", "--env", "dev", "--issue"}, "schedule", json::object());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  // Drift: someone changed the database's URL in the UI (to another password).
  ASSERT_EQ(bi.send("PATCH", "/databases/d1", {{"sqlalchemy_uri", "postgresql://bi:" + bi_db_password + "-x@w/s"}}),
            200);
  r = step("drift-verify (drift)", {"drift-verify", "--env", "dev", "--issue"}, "schedule", json::object());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // The plan document carries each change's before and after: the runtime's URL with the password.
  r = step("plan --json (drift)", {"plan", "--env", "dev", "--json"}, "push", push);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = step("drift-verify --json (drift)", {"drift-verify", "--env", "dev", "--json"}, "schedule", json::object());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;

  // A runtime item with no source file yet, holding the secret: export-to-pr.
  ASSERT_EQ(bi.send("POST", "/databases",
                    {{"uuid", "d9"}, {"database_name", "scratch"}, {"extra", "conn=" + bi_db_password}}),
            201);
  r = step("export-to-pr", {"export-to-pr", "--env", "dev", "--target", "bi"}, "workflow_dispatch", dispatch);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto exported = command_output("git -C '" + git.repo_path("consumer").string() +
                                       "' show converge/export/dev 2>&1");
  // Back to its name: the variable holding "${BI_DB_PASSWORD}", or the reference itself.
  EXPECT_TRUE(exported.find("conn={{ db_password }}") != std::string::npos ||
              exported.find("conn=${BI_DB_PASSWORD}") != std::string::npos)
      << exported;

  // An item converge created, removed from Git: its delete is planned, by a plan
  // job that (as a pull request's) does not have the asset secret, so only the
  // provider's own hiding keeps the runtime's values out of the plan.
  std::filesystem::remove(dir_ / "assets/databases/warehouse.yaml.j2");
  dir_.write("assets/datasets/orders.yaml", "table_name: orders\nuuid: s1\n");
  r = step("plan (delete)", {"plan", "--env", "dev", "--out", "plan.json"}, "push", push, {{"BI_DB_PASSWORD", ""}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("databases/d1"), std::string::npos) << r.out;
  EXPECT_NE(runner_.file("plan.json").find("(hidden: secret field)"), std::string::npos) << runner_.file("plan.json");
  github_.seed({{"pulls", {{{"number", 8}, {"user", "alice"}, {"head", {{"ref", "feature-2"}, {"sha", sha_}}},
                            {"base", {{"ref", "dev/x"}}}}}}});
  r = step("plan-comment (delete)", {"plan-comment"}, "pull_request", runner_.pull_request_event(8, "dev/x", sha_),
           {{"BI_DB_PASSWORD", ""}});
  EXPECT_NE(github_.comments(8).dump().find("databases/d1"), std::string::npos) << github_.comments(8).dump();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  // Failure paths. A REST server that rejects an item and echoes the request.
  dir_.write("assets/databases/warehouse.yaml.j2", std::string(kWarehouse) + "reject: true\n");
  dir_.write("assets/datasets/orders.yaml", kOrders);
  ASSERT_EQ(bi.send("DELETE", "/databases/d1"), 200);
  repo.commit_all("an item the server rejects");  // a runner deploys only committed sources
  r = step("apply (REST error)", {"apply", "--env", "dev"}, "push", push);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("HTTP 422"), std::string::npos) << r.err;
  r = step("record-manifest (failure)", {"record-manifest", "--env", "dev"}, "push", push, {}, true);
  dir_.write("assets/databases/warehouse.yaml.j2", kWarehouse);
  repo.commit_all("the item as it was");

  // HTTP errors from GitHub.
  Fault fault;
  fault.count = -1;
  github_.inject(fault);
  r = step("plan-comment (HTTP 502)", {"plan-comment"}, "pull_request", runner_.pull_request_event(7, "main", sha_));
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  github_.clear_faults();
  // A refused gate: prod needs an approval no pull request gives.
  r = step("apply (refused)", {"apply", "--env", "prod", "--json"}, "push", runner_.push_event("main", sha_));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // A failing migration (provider error from PostgreSQL).
  dir_.write("db/migrations/20260102090000_broken.sql", "-- migrate:up\nselect from nowhere;\n-- migrate:down\n");
  repo.commit_all("a broken migration");
  r = step("apply (migration fails)", {"apply", "--env", "dev"}, "push", push);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  std::filesystem::remove(dir_ / "db/migrations/20260102090000_broken.sql");
  repo.commit_all("the broken migration removed");
  // Bad configuration: the raw password (with '/' and '@') inside the URL, which
  // libpq cannot parse and quotes in pieces.
  dir_.write("converge.yaml", config("\"postgresql://" + role + ":${DB_PASSWORD}@127.0.0.1/app\""));
  r = step("plan (raw password in the URL)", {"plan", "--env", "dev"}, "push", push);
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  r = step("plan --json (raw password in the URL)", {"plan", "--env", "dev", "--json"}, "push", push);
  EXPECT_NE(r.out.find("\"error\""), std::string::npos) << r.out;
  dir_.write("converge.yaml", config("${APP_DB_URL}") + "  - {name: broken\n");
  r = step("plan (broken YAML)", {"plan", "--env", "dev"}, "push", push);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;

  // What the servers and the databases kept.
  const auto state = github_.state();
  check_.check("GitHub comments, issues, statuses, pulls", state.dump(1));
  EXPECT_FALSE(state["comments"].empty()) << "the plan comment was posted";
  check_.check("commits on the git server",
               command_output("git -C '" + git.repo_path("consumer").string() + "' log --all -p 2>&1"));
  check_.check("manifest rows", manifest.query_value("SELECT coalesce(string_agg(d::text, E'\\n'), '') FROM "
                                                     "meta.deployments d"));
  EXPECT_NE(manifest.query_value("SELECT count(*) FROM meta.deployments"), "0");

  for (const auto& leak : check_.leaks()) ADD_FAILURE() << leak;
  if (const char* counts = std::getenv("CONVERGE_COUNTS_DIR"))
    std::ofstream(fs::path(counts) / "canary.txt")
        << "canary secrets: " << check_.outputs() << " outputs checked across " << runs_ << " step runs, "
        << check_.leaks().size() << " leaks\n";
}

}  // namespace
}  // namespace converge::testing

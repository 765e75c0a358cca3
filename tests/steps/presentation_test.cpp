// What a person reads, through the built executables: one group per target in the
// log, colours on a terminal only (a pseudo-terminal from forkpty) and never in the
// job summary or outputs, the job summary within GitHub's 1 MiB, and the plan
// comment's "What happens next" line as a reader sees it (markdown-it).
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "converge/util/fs.hpp"
#include "markdown/markdown_it.hpp"
#include "steps/repo_fixture.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

namespace converge::testing {
namespace {

// The file's bytes; "" when it cannot be read.

// Runs `program` with standard output and error on a pseudo-terminal (isatty() is
// true in it) and returns what it wrote there; at most 60 s.
RunResult run_on_terminal(const std::string& program, const std::vector<std::string>& args,
                          const std::filesystem::path& cwd, const std::map<std::string, std::string>& env) {
  const auto exe = step_path(program);
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (auto eq = kv.find('='); eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> argv{const_cast<char*>(exe.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) throw Failure("forkpty failed");
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execve(exe.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  RunResult r;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd fd{master, POLLIN, 0};
    if (::poll(&fd, 1, 1000) <= 0) continue;
    const ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO: the child closed the terminal
    r.out.append(buffer, static_cast<size_t>(n));
  }
  ::close(master);
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

using Presentation = RepoTest;

TEST_F(Presentation, ColoursOnATerminalButNeverInTheSummaryOutputsOrAPipe) {
  std::map<std::string, std::string> env{{"GITHUB_ACTIONS", "false"},
                                         {"NO_COLOR", ""},
                                         {"TERM", "xterm-256color"},
                                         {"GITHUB_STEP_SUMMARY", (dir_ / "summary.md").string()},
                                         {"GITHUB_OUTPUT", (dir_ / "output.txt").string()}};
  auto tty = run_on_terminal("converge", {"plan", "--env", "dev", "--out", "plan.json"}, dir_.path(), env);
  ASSERT_EQ(tty.exit_code, 0) << tty.out;
  EXPECT_NE(tty.out.find("\x1b[32m+ create migration"), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("\x1b[1m== app-db (sql)"), std::string::npos) << "the target's title is bold";
  for (const auto* file : {"summary.md", "output.txt", "plan.json"}) {
    const std::string text = slurp(dir_ / file);
    EXPECT_FALSE(text.empty()) << file;
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << file << ":\n" << text;
  }

  env["NO_COLOR"] = "1";
  auto no_color = run_on_terminal("converge", {"plan", "--env", "dev"}, dir_.path(), env);
  ASSERT_EQ(no_color.exit_code, 0) << no_color.out;
  EXPECT_NE(no_color.out.find("+ create migration"), std::string::npos);
  EXPECT_EQ(no_color.out.find('\x1b'), std::string::npos) << no_color.out;

  env["NO_COLOR"] = "";
  auto piped = run_step("converge", {"plan", "--env", "dev"}, dir_.path(), env);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ((piped.out + piped.err).find('\x1b'), std::string::npos) << "not a terminal: no colour";

  // Inside GitHub Actions, never (see github/terminal.hpp), even on a terminal.
  env["GITHUB_ACTIONS"] = "true";
  auto actions = run_on_terminal("converge", {"plan", "--env", "dev"}, dir_.path(), env);
  ASSERT_EQ(actions.exit_code, 0) << actions.out;
  EXPECT_EQ(actions.out.find('\x1b'), std::string::npos) << actions.out;
}

TEST_F(Presentation, ThePlanHasOneGroupPerTargetInTheLog) {
  dir_.write("converge.yaml", std::string(kSqliteConfig) +
                                  "  - name: audit-db\n    provider: sql\n    settings:\n"
                                  "      url: sqlite:///.converge/${CONVERGE_ENV}-audit.db\n"
                                  "      migrations: db/migrations\n      snapshot: db/audit.sql\n");
  repo_->commit_all("second target");
  auto r = converge({"plan", "--env", "dev"}, {{"GITHUB_ACTIONS", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto app = r.out.find("::group::== app-db (sql): 1 to create");
  const auto audit = r.out.find("::group::== audit-db (sql): 1 to create");
  ASSERT_NE(app, std::string::npos) << r.out;
  ASSERT_NE(audit, std::string::npos) << r.out;
  const auto app_end = r.out.find("::endgroup::", app);
  EXPECT_LT(r.out.find("+ create migration", app), app_end) << "the target's changes are inside its group";
  EXPECT_LT(app_end, audit) << "groups do not nest";
  EXPECT_NE(r.out.find("::endgroup::", audit), std::string::npos);
  EXPECT_GT(r.out.find("Plan hash: "), r.out.rfind("::endgroup::")) << "the foot is outside every group";
  // Outside a runner the group is its title on a line of its own.
  auto local = converge({"plan", "--env", "dev"});
  EXPECT_NE(local.out.find("\n== app-db (sql): 1 to create, 0 to update, 0 to delete, 0 to replace\n"),
            std::string::npos)
      << local.out;
  EXPECT_EQ(local.out.find("::group::"), std::string::npos);
}

TEST_F(Presentation, TheJobSummaryStaysWithinOneMebibyte) {
  // One migration of 1.5 MiB: its diff cannot be in the summary.
  dir_.write("db/migrations/20260102000000_big.sql",
             "-- migrate:up\n-- " + std::string(1536 * 1024, 'x') + "\nselect 1;\n-- migrate:down\n");
  repo_->commit_all("big");
  const auto summary = dir_ / "summary.md";
  auto r = converge({"plan", "--env", "dev"}, {{"GITHUB_STEP_SUMMARY", summary.string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = slurp(summary);
  EXPECT_LE(text.size(), 1024u * 1024u);
  EXPECT_NE(text.find("(diff not shown)"), std::string::npos) << text.substr(0, 4000);
  EXPECT_NE(text.find("too long for the job summary"), std::string::npos);
  EXPECT_NE(r.out.find(std::string(1000, 'x')), std::string::npos) << "the log has the whole plan";
}

TEST_F(Presentation, TheCommentSaysWhoMustApproveAndWhatMergingDoes) {
  auto prod = converge({"plan-comment", "--pr", "7", "--base", "main", "--dry-run"});
  ASSERT_EQ(prod.exit_code, 0) << prod.out << prod.err;
  const auto at = prod.out.find("<!-- converge:next -->\n");
  ASSERT_NE(at, std::string::npos) << prod.out;
  const std::string section = prod.out.substr(at);
  const Rendered seen = render_with_markdown_it(section);
  EXPECT_NE(seen.text.find("What happens next: merging into main runs the converge deploy workflow, which applies "
                           "this plan to prod; before it applies, 1 approval of this pull request on its latest "
                           "commit must come from people other than its author and other than anyone who "
                           "committed to it (the two-person rule)"),
            std::string::npos)
      << seen.text;
  EXPECT_NE(seen.text.find("Plan pinning: only this plan (hash "), std::string::npos) << seen.text;
  EXPECT_EQ(seen.links.size(), 0u);

  auto dev = converge({"plan-comment", "--pr", "8", "--base", "dev/feature", "--dry-run"});
  ASSERT_EQ(dev.exit_code, 0) << dev.out << dev.err;
  const Rendered dev_seen = render_with_markdown_it(dev.out.substr(dev.out.find("<!-- converge:next -->")));
  EXPECT_NE(dev_seen.text.find("merging into dev/feature runs the converge deploy workflow, which applies this plan "
                               "to dev; converge.yaml requires no approval for it, so the merge alone deploys it."),
            std::string::npos)
      << dev_seen.text;
  EXPECT_EQ(dev_seen.text.find("Plan pinning"), std::string::npos);
}

}  // namespace
}  // namespace converge::testing

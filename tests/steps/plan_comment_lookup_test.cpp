// plan-comment on a long pull request: the run after a push finds its sticky comment
// from the place converge's own plan record remembers (the record on the previous
// head, the synchronize event's `before`) in at most three requests whatever the
// number of comments, and falls back to listing every comment whenever that place
// does not hold (a status by somebody else, another pull request's comment, a
// deleted comment), never editing what is not converge's and never duplicating.
#include <chrono>

#include "converge/http/client.hpp"
#include "steps/github_fixture.hpp"

namespace converge::testing {
namespace {

const std::string kHead1 = "1111111111111111111111111111111111111111";
const std::string kHead2 = "2222222222222222222222222222222222222222";
const std::string kHead3 = "3333333333333333333333333333333333333333";
const std::string kHash(64, 'a');
const std::string kContext = "converge/plan (prod)";
const std::string kSelf = "github-actions[bot]";
constexpr std::string_view kLongAgo = "2026-01-01T00:00:00Z";

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

class PlanCommentLookupTest : public GitHubFlowTest {
 protected:
  // PR `number` into main whose head is kHead1, with `others` comments by people, written long ago.
  void pull_with_comments(int number, int others) {
    github_.seed({{"pulls", {{{"number", number}, {"user", "alice"}, {"head", {{"ref", "develop"}, {"sha", kHead1}}},
                              {"base", {{"ref", "main"}}}}}}});
    nlohmann::json comments = nlohmann::json::array();
    for (int i = 0; i < others; ++i)
      comments.push_back({{"issue", number}, {"body", "comment " + std::to_string(i)},
                          {"user", i % 2 ? "alice" : "bob"}, {"created_at", kLongAgo}});
    if (others > 0) github_.seed({{"comments", comments}});
  }

  // A plan-comment run for a push to the pull request, `before` → `head` (a
  // synchronize event); with no `before`, for its opening.
  RunResult push(int number, const std::string& before, const std::string& head) {
    auto event = pull_request_event(number, "main", head);
    if (!before.empty()) {
      event["action"] = "synchronize";
      event["before"] = before;
      event["after"] = head;
    }
    return step({"plan-comment"}, "pull_request", event, sha_);
  }

  // converge's plan comments of prod on `number` (by converge, with the marker).
  std::vector<nlohmann::json> plan_comments(int number) {
    std::vector<nlohmann::json> out;
    for (const auto& c : github_.comments(number))
      if (c["user"]["login"] == kSelf && c["body"].get<std::string>().starts_with("<!-- converge:plan v=1 env=prod "))
        out.push_back(c);
    return out;
  }

  // The description of converge's newest plan record on `sha`.
  std::string record_on(const std::string& sha) {
    auto statuses = github_.state()["commit_statuses"][sha];
    for (const auto& s : statuses)
      if (s["context"] == kContext && s["creator"]["login"] == kSelf) return s["description"];
    return "";
  }

  // The requests the last run made about the comment: everything but who the token is
  // and the writing of the plan record ("<METHOD> <path>").
  std::vector<std::string> comment_requests() {
    std::vector<std::string> out;
    for (const auto& r : github_.requests()) {
      const std::string method = r["method"], path = r["path"];
      if (path == "/user" || (method == "POST" && path.find("/statuses/") != std::string::npos)) continue;
      out.push_back(method + " " + path);
    }
    return out;
  }

  // Whether the last run listed every comment (a GET of the comments without `since`).
  bool listed_everything() {
    for (const auto& r : comment_requests())
      if (r.starts_with("GET ") && r.find("/comments") != std::string::npos && r.find("since=") == std::string::npos)
        return true;
    return false;
  }

  // Deletes a comment through the API, as a person with the right to would.
  void delete_comment(std::int64_t id) {
    auto transport = http::make_curl_transport(std::chrono::seconds(5));
    http::Client client(*transport);
    http::Request request;
    request.method = "DELETE";
    request.url = github_.url() + "/repos/" + github_.repository() + "/issues/comments/" + std::to_string(id);
    request.headers["Authorization"] = "Bearer " + github_.token();
    auto response = client.send(request);
    ASSERT_TRUE(response && response->status == 204);
  }

  // A plan record on kHead2 by `creator` naming comment `id`, newer than any other.
  void seed_record(const std::string& creator, std::int64_t id) {
    github_.seed({{"statuses", {{kHead2, {{{"state", "success"}, {"context", kContext}, {"creator", creator},
                                          {"description", "plan " + kHash + " comment " + std::to_string(id) +
                                                              " since " + std::string(kLongAgo)}}}}}}});
  }

  // Pushes PR 7 from kHead2 to kHead3; checks the run kept `count` plan comments (one
  // unless a copy could not be removed), the oldest showing kHead3, and listed every
  // comment or not. Returns the oldest.
  nlohmann::json push_again(bool lists_everything, size_t count = 1) {
    github_.clear_requests();
    auto run = push(7, kHead2, kHead3);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_EQ(listed_everything(), lists_everything) << joined(comment_requests());
    auto mine = plan_comments(7);
    EXPECT_EQ(mine.size(), count) << "one sticky plan comment";
    if (mine.empty()) return nlohmann::json::object();
    EXPECT_NE(mine[0]["body"].get<std::string>().find("sha=" + kHead3), std::string::npos);
    return mine[0];
  }

  // Plans PR `number` twice: the first run creates the comment, the second finds it by
  // listing and remembers where it is in its record on kHead2.
  void plan_twice(int number) {
    auto first = push(number, "", kHead1);
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
    EXPECT_EQ(record_on(kHead1).find(" comment "), std::string::npos)
        << "a run that created the comment remembers no place: a copy may exist";
    auto second = push(number, kHead1, kHead2);
    ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
    ASSERT_NE(record_on(kHead2).find(" comment "), std::string::npos) << record_on(kHead2);
  }
};

TEST_F(PlanCommentLookupTest, OnAPullRequestWithFiveHundredCommentsAPushMakesAtMostThreeRequestsForTheComment) {
  pull_with_comments(7, 500);
  plan_twice(7);
  const auto id = plan_comments(7).at(0)["id"].get<std::int64_t>();
  EXPECT_NE(record_on(kHead2).find(" comment " + std::to_string(id) + " since "), std::string::npos)
      << record_on(kHead2);

  dir_.write("db/migrations/20260102000000_posts.sql", kPosts);
  repo_->commit_all("posts");
  github_.clear_requests();
  auto third = push(7, kHead2, kHead3);
  ASSERT_EQ(third.exit_code, 0) << third.out << third.err;
  const auto requests = comment_requests();
  EXPECT_LE(requests.size(), 3u) << joined(requests);
  EXPECT_FALSE(listed_everything()) << joined(requests);
  auto mine = plan_comments(7);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["id"], id) << "the same sticky comment, edited";
  const std::string body = mine[0]["body"];
  EXPECT_NE(body.find("sha=" + kHead3), std::string::npos);
  EXPECT_NE(body.find("20260102000000_posts"), std::string::npos);
  EXPECT_EQ(github_.comments(7).size(), 501u) << "nobody else's comment touched";
  EXPECT_NE(record_on(kHead3).find(" comment " + std::to_string(id) + " since "), std::string::npos)
      << "the shortcut remembers the place again: " << record_on(kHead3);
}

TEST_F(PlanCommentLookupTest, AStatusBySomebodyElseIsNeverTheHint) {
  pull_with_comments(7, 3);
  plan_twice(7);
  const auto mine = plan_comments(7).at(0);
  // mallory copies converge's comment and posts a newer "plan record" naming her copy.
  const auto copy = github_.seed({{"comments", {{{"issue", 7}, {"body", mine["body"]}, {"user", "mallory"}}}}});
  const auto copy_id = copy["comments"][0].get<std::int64_t>();
  seed_record("mallory", copy_id);
  auto after = push_again(false);  // converge's own record on the previous head holds
  EXPECT_EQ(after["id"], mine["id"]);
  for (const auto& c : github_.comments(7)) {
    if (c["id"] == copy_id) {
      EXPECT_EQ(c["body"], mine["body"]) << "mallory's comment is not edited";
    }
  }
}

TEST_F(PlanCommentLookupTest, ARecordPointingAtAnotherPullRequestsCommentFallsBackToTheListing) {
  pull_with_comments(7, 3);
  pull_with_comments(8, 0);
  ASSERT_EQ(push(8, "", kHead1).exit_code, 0);
  const auto other = plan_comments(8).at(0);
  ASSERT_EQ(push(7, "", kHead1).exit_code, 0);
  // converge's own record (two pull requests can share a head) naming PR 8's comment.
  seed_record(kSelf, other["id"].get<std::int64_t>());
  push_again(true);
  ASSERT_EQ(plan_comments(8).size(), 1u);
  EXPECT_EQ(plan_comments(8)[0]["body"], other["body"]) << "PR 8's comment is not edited";
}

TEST_F(PlanCommentLookupTest, ADeletedCommentIsWrittenAgainOnce) {
  pull_with_comments(7, 3);
  plan_twice(7);
  delete_comment(plan_comments(7).at(0)["id"].get<std::int64_t>());
  ASSERT_TRUE(plan_comments(7).empty());
  push_again(true);
  EXPECT_EQ(github_.comments(7).size(), 4u);
  EXPECT_EQ(record_on(kHead3).find(" comment "), std::string::npos) << "a created comment is not remembered";
}

TEST_F(PlanCommentLookupTest, ACopyAConcurrentRunMadeAfterTheRememberedLookIsStillRemoved) {
  pull_with_comments(7, 3);
  plan_twice(7);
  const auto mine = plan_comments(7).at(0);
  // Another run that looked before the comment existed creates its own copy only now.
  github_.seed({{"comments", {{{"issue", 7}, {"body", mine["body"]}, {"user", kSelf}}}}});
  ASSERT_EQ(plan_comments(7).size(), 2u);
  auto after = push_again(false);  // the copy is among the comments updated since the remembered look
  EXPECT_EQ(after["id"], mine["id"]) << "the oldest stays the sticky one";
}

TEST_F(PlanCommentLookupTest, ARunWhoseCreateAnswerWasLostRemembersNoPlace) {
  pull_with_comments(7, 3);
  // GitHub writes the comment, the answer never arrives: the next look finds it. A
  // create that timed out may also land later still, so the place is not remembered.
  github_.inject({.method = "POST", .path = "/comments$", .kind = FaultKind::drop_after_write, .count = 1});
  auto run = push(7, "", kHead1);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  ASSERT_EQ(plan_comments(7).size(), 1u);
  EXPECT_NE(record_on(kHead1), "");
  EXPECT_EQ(record_on(kHead1).find(" comment "), std::string::npos) << record_on(kHead1);
}

TEST_F(PlanCommentLookupTest, ACopyThatCouldNotBeDeletedIsNotHiddenByTheRememberedPlace) {
  pull_with_comments(7, 3);
  plan_twice(7);
  github_.seed({{"comments", {{{"issue", 7}, {"body", plan_comments(7).at(0)["body"]}, {"user", kSelf}}}}});
  github_.inject({.method = "DELETE", .kind = FaultKind::server_error, .count = -1});
  push_again(false, 2);  // the copy stays (GitHub refused), the sticky comment is edited
  EXPECT_EQ(record_on(kHead3).find(" comment "), std::string::npos) << "the next run must list everything";
  github_.clear_faults();
  github_.clear_requests();
  auto run = push(7, kHead3, kHead2);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(listed_everything()) << joined(comment_requests());
  EXPECT_EQ(plan_comments(7).size(), 1u) << "the copy is removed";
}

TEST_F(PlanCommentLookupTest, AReRunOnTheSameHeadFindsTheCommentFromTheRecordOnThatHead) {
  pull_with_comments(7, 300);
  plan_twice(7);
  const auto id = plan_comments(7).at(0)["id"];
  github_.clear_requests();
  auto again = push(7, "", kHead2);  // no `before`: the record on the head itself
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_LE(comment_requests().size(), 3u) << joined(comment_requests());
  EXPECT_FALSE(listed_everything()) << joined(comment_requests());
  ASSERT_EQ(plan_comments(7).size(), 1u);
  EXPECT_EQ(plan_comments(7)[0]["id"], id);
}

}  // namespace
}  // namespace converge::testing

// The sticky plan comment: marker (first line only), size limit, status line, and
// recognising a comment somebody edited.
#include <gtest/gtest.h>

#include "converge/github/plan_comment.hpp"
#include "converge/github/plan_record.hpp"
#include "github/sql_plan.hpp"

namespace converge::github {
namespace {

const std::string kPrHead(40, 'd');
const std::string kOtherHead(40, 'c');
const std::string kHash(64, 'a');

plan::Plan plan_with(int changes, size_t sql_size = 40) {
  return testing::sql_plan("stage", "abc", changes, sql_size);
}

TEST(PlanComment, MarkerRoundTripsAndIdentifiesTheEnvironment) {
  auto body = comment_body(plan_with(1), kPrHead, "");
  auto m = find_marker(body);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->environment, "stage");
  EXPECT_EQ(m->sha, kPrHead);
  EXPECT_EQ(m->plan_hash, plan::hash(plan_with(1)));
  EXPECT_TRUE(is_plan_comment(body, "stage"));
  EXPECT_FALSE(is_plan_comment(body, "prod"));
  EXPECT_FALSE(find_marker("just a comment"));
}

TEST(PlanComment, AHugePlanIsCutUnderGithubsLimitWithAVisibleNote) {
  auto p = plan_with(2000, 200);
  auto body = comment_body(p, kPrHead, "https://github.com/o/r/actions/runs/1");
  EXPECT_LE(body.size(), kCommentLimit);
  EXPECT_NE(body.find("changes are not shown"), std::string::npos);
  EXPECT_NE(body.find("| app-db | sql | 2000 | 0 | 0 | 0 |"), std::string::npos) << "counts stay complete";
  EXPECT_NE(body.find("plan hash"), std::string::npos);
  EXPECT_NE(body.find("workflow run"), std::string::npos);
  EXPECT_TRUE(is_plan_comment(body, "stage"));
}

TEST(PlanComment, ASmallPlanIsShownWhole) {
  auto body = comment_body(plan_with(3), kPrHead, "");
  EXPECT_EQ(body.find("not shown"), std::string::npos);
  EXPECT_NE(body.find("m2"), std::string::npos);
}

TEST(PlanComment, StatusLineIsPutUnderTheMarkerAndReplacedNotStacked) {
  auto body = comment_body(plan_with(1), kPrHead, "");
  auto once = with_status(body, "applied at abc");
  auto twice = with_status(once, "not applied: the plan changed");
  EXPECT_NE(once.find("**applied at abc**"), std::string::npos);
  EXPECT_EQ(twice.find("applied at abc"), std::string::npos);
  EXPECT_NE(twice.find("**not applied: the plan changed**"), std::string::npos);
  EXPECT_EQ(twice.substr(0, twice.find('\n')), body.substr(0, body.find('\n'))) << "marker stays first";
  EXPECT_TRUE(find_marker(twice));
}

TEST(PlanComment, OnlyAMarkerOnTheFirstLineCounts) {
  auto body = comment_body(plan_with(1), kPrHead, "");
  EXPECT_TRUE(find_marker(body));
  EXPECT_FALSE(find_marker("Look at this:\n" + body)) << "a quoted marker is no marker";
  EXPECT_FALSE(find_marker(" " + body));
  EXPECT_FALSE(find_marker("> " + body));
  EXPECT_FALSE(is_plan_comment("LGTM\n\n" + body, "stage"));
  const std::string fields = "env=stage sha=" + kPrHead + " plan=" + kHash;
  EXPECT_FALSE(find_marker("<!-- converge:plan v=1 " + fields + " --> and more\n"));
  EXPECT_FALSE(find_marker("<!-- converge:plan v=1 " + fields + "\n-->\n")) << "the marker is one line";
  EXPECT_TRUE(find_marker("<!-- converge:plan v=1 " + fields + " -->"));
  EXPECT_TRUE(find_marker("<!-- converge:plan v=1 " + fields + " -->\r\nbody"));
}

TEST(PlanComment, OnlyAWellFormedMarkerCounts) {
  auto marker = [](const std::string& inner) { return find_marker("<!-- converge:plan " + inner + " -->\nbody"); };
  const std::string sha = " sha=" + kPrHead, plan = " plan=" + kHash;
  ASSERT_TRUE(marker("v=1 env=stage" + sha + plan));
  EXPECT_FALSE(marker("v=2 env=stage" + sha + plan)) << "another version";
  EXPECT_FALSE(marker("v=1 env=stage sha=abc" + plan)) << "a short sha";
  EXPECT_FALSE(marker("v=1 env=stage sha=" + std::string(40, 'g') + plan)) << "not hexadecimal";
  EXPECT_FALSE(marker("v=1 env=stage" + sha + " plan=abc")) << "a short plan hash";
  EXPECT_FALSE(marker("v=1 env=stage" + sha)) << "a field missing";
  EXPECT_FALSE(marker("v=1 env=stage" + sha + plan + " extra=1")) << "an unknown field";
  EXPECT_FALSE(marker("v=1 env=stage env=prod" + sha + plan)) << "a field twice";
  EXPECT_FALSE(marker("v=1 env=prod" + plan + sha)) << "fields out of order";
  EXPECT_FALSE(marker("v=1 env=st<age" + sha + plan)) << "an environment that is no name";
  EXPECT_FALSE(marker("v=1 env=" + sha + plan)) << "an empty environment";
  EXPECT_FALSE(marker("v=1  env=stage" + sha + plan)) << "two spaces";
  EXPECT_FALSE(marker("v=1 env=stage" + sha + plan + " ")) << "a trailing space";
  EXPECT_FALSE(find_marker("<!-- converge:plan -->"));
  EXPECT_FALSE(find_marker("<!-- converge:plan  -->"));
  EXPECT_FALSE(find_marker(""));
}

TEST(PlanComment, AMarkerIsNeverWrittenWithAFieldThatWouldNotReadBack) {
  // The head SHA comes from the event or the API: one with a space or "-->" in it
  // would add fields to the marker or end the HTML comment early.
  EXPECT_THROW(comment_body(plan_with(1), kPrHead + " plan=" + kHash + " -->", ""), Failure);
  EXPECT_THROW(comment_body(plan_with(1), "deadbeef", ""), Failure);
  EXPECT_THROW(marker_line({"st age", kPrHead, kHash}), Failure);
  EXPECT_THROW(marker_line({"stage", kPrHead, "abc"}), Failure);
  EXPECT_EQ(find_marker(marker_line({"stage", kPrHead, kHash}))->sha, kPrHead);
  EXPECT_FALSE(shows_plan(comment_body(plan_with(1), kPrHead, ""), plan_with(1), "not a sha", ""));
}

// plan-comment posts its body through the console's redaction: a plan that shows a
// secret's value (a workspace id given as ${NAME}) is posted with "***" there, and
// still reads as converge wrote it when compared through the same redaction; without
// it (the apply compared an unredacted rendering) it read as edited.
TEST(PlanComment, ACommentPostedRedactedShowsThePlanThroughTheSameRedaction) {
  auto p = plan_with(1);
  p.targets[0].changes[0].after = "workspace: 6f1c2a57-secret-workspace";
  const std::string url = "https://github.com/o/r/actions/runs/1/attempts/1";
  auto redact = [](std::string_view text) {
    std::string out(text);
    for (auto at = out.find("6f1c2a57-secret-workspace"); at != std::string::npos; at = out.find("6f1c2a57-secret-workspace"))
      out.replace(at, 25, "***");
    return out;
  };
  const std::string posted = redact(comment_body(p, kPrHead, url));
  EXPECT_EQ(posted.find("6f1c2a57-secret-workspace"), std::string::npos);
  EXPECT_FALSE(shows_plan(posted, p, kPrHead, url));
  EXPECT_TRUE(shows_plan(posted, p, kPrHead, url, redact));
  auto edited = posted;
  edited.replace(edited.find("***"), 3, "*x*");
  EXPECT_FALSE(shows_plan(edited, p, kPrHead, url, redact));
}

TEST(PlanComment, AnUneditedCommentShowsThePlanWhateverItsStatusLine) {
  auto p = plan_with(2);
  const std::string url = "https://github.com/o/r/actions/runs/1/attempts/1";
  auto body = comment_body(p, kPrHead, url);
  EXPECT_TRUE(shows_plan(body, p, kPrHead, url));
  EXPECT_TRUE(shows_plan(with_status(body, "applied at abc by https://github.com/o/r/actions/runs/2"), p, kPrHead,
                         url));
  EXPECT_FALSE(shows_plan(body, p, kPrHead, "https://github.com/o/r/actions/runs/9")) << "another run's comment";
  EXPECT_FALSE(shows_plan(body, plan_with(1), kPrHead, url)) << "another plan";
  EXPECT_FALSE(shows_plan(body, p, kOtherHead, url)) << "another head";
}

TEST(PlanComment, AnEditedCommentDoesNotShowThePlan) {
  auto p = plan_with(2);
  const std::string url = "https://github.com/o/r/actions/runs/1";
  auto body = comment_body(p, kPrHead, url);
  auto marker = body.substr(0, body.find('\n') + 1);
  EXPECT_FALSE(shows_plan(marker + "No changes.\n", p, kPrHead, url));
  auto hidden = body;
  hidden.replace(hidden.find("m1"), 2, "mX");
  EXPECT_FALSE(shows_plan(hidden, p, kPrHead, url));
  EXPECT_FALSE(shows_plan(body + "\nAll good, nothing to see.\n", p, kPrHead, url));
  // A section converge appends after the footer takes room but is not the plan.
  const std::string gate = "<!-- converge:gate-change -->\n### Gate change\n";
  EXPECT_TRUE(shows_plan(comment_body(p, kPrHead, url, kCommentLimit - gate.size()) + gate, p, kPrHead, url));
  EXPECT_FALSE(shows_plan(marker + "No changes.\n" + body.substr(body.find("\n<sub>")) + gate, p, kPrHead, url));
  // Markup slipped into the status line (an HTML comment hides everything below it).
  // (with_status writes plain text; someone editing the comment can write anything.)
  auto status_line = [&](const std::string& line) { return marker + line + "\n" + body.substr(marker.size()); };
  EXPECT_TRUE(shows_plan(status_line("<!-- converge:status --> **applied at abc**"), p, kPrHead, url));
  EXPECT_FALSE(shows_plan(status_line("<!-- converge:status --> **ok <!--**"), p, kPrHead, url));
  EXPECT_FALSE(shows_plan(status_line("<!-- converge:status --> **see [here](https://evil)**"), p, kPrHead, url));
  EXPECT_FALSE(shows_plan(status_line("<!-- converge:status --> **a** **b**"), p, kPrHead, url));
  // A status line anywhere but right under the marker.
  auto moved = body;
  moved.insert(moved.find("m1"), "<!-- converge:status --> **fine**\n");
  EXPECT_FALSE(shows_plan(moved, p, kPrHead, url));
}

TEST(PlanComment, SqlWithBackticksCannotCloseTheFence) {
  plan::Plan p{"stage", "abc", {}};
  plan::TargetPlan t;
  t.target = "db";
  t.provider = "sql";
  t.bundle_hash = "h";
  t.changes = {{plan::Action::create, "migration", "m", nullptr, {{"sql", "```\n"}}}};
  p.targets.push_back(std::move(t));
  auto body = comment_body(p, kPrHead, "");
  EXPECT_NE(body.find("````diff"), std::string::npos);
}

TEST(PlanRecord, TheCommentPlaceReadsBackAndTheHashStillReads) {
  const std::string v1 = "plan " + kHash;
  const std::string v2 = v1 + " comment 123456789 since 2026-12-06T21:00:00Z";
  EXPECT_EQ(recorded_plan_hash(v1), kHash);
  EXPECT_EQ(recorded_plan_hash(v2), kHash) << "apply reads the hash of a record with a comment place";
  EXPECT_FALSE(recorded_comment(v1)) << "a version 1 record has no place";
  auto place = recorded_comment(v2);
  ASSERT_TRUE(place);
  EXPECT_EQ(place->id, 123456789);
  EXPECT_EQ(place->since, "2026-12-06T21:00:00Z");
  EXPECT_EQ(plan_description(kHash, place), v2);
  EXPECT_EQ(plan_description(kHash, std::nullopt), v1);
  const std::string longest = plan_description(kHash, CommentPlace{999'999'999'999'999'999, "2026-12-06T21:00:00Z"});
  EXPECT_LE(longest.size(), 140u) << "GitHub keeps at most 140 characters";
  EXPECT_TRUE(recorded_comment(longest));
  EXPECT_EQ(plan_description(kHash, CommentPlace{1'000'000'000'000'000'000, "2026-12-06T21:00:00Z"}), v1);
  EXPECT_EQ(plan_description(kHash, CommentPlace{0, "2026-12-06T21:00:00Z"}), v1);
  EXPECT_EQ(plan_description(kHash, CommentPlace{5, "yesterday"}), v1);
}

TEST(PlanRecord, ACommentPlaceNotExactlyAsWrittenIsNoPlace) {
  const std::string v1 = "plan " + kHash;
  for (const std::string& tail : std::vector<std::string>{" comment 0 since 2026-12-06T21:00:00Z", " comment 012 since 2026-12-06T21:00:00Z",
                                 " comment -5 since 2026-12-06T21:00:00Z", " comment 12 since 2026-12-06",
                                 " comment 12 since 2026-12-06T21:00:00Z ", " comment 12  since 2026-12-06T21:00:00Z",
                                 " comment 12", " comment  since 2026-12-06T21:00:00Z",
                                 " comment 1234567890123456789 since 2026-12-06T21:00:00Z",
                                 " comment 12 since 2026-12-06T21:00:00+00:00", " comments 12 since 2026-12-06T21:00:00Z",
                                 " comment 12 since 2026-12-06T21:00:00Z" + std::string(200, 'x')})
    EXPECT_FALSE(recorded_comment(v1 + tail)) << tail;
  EXPECT_FALSE(recorded_comment("plan abc comment 12 since 2026-12-06T21:00:00Z")) << "no plan hash";
  EXPECT_TRUE(is_timestamp("2026-12-06T21:00:00Z"));
  EXPECT_FALSE(is_timestamp("2026-12-06T21:00:00.000Z"));
}

}  // namespace
}  // namespace converge::github

// Fuzz target: the JSON of a Terraform/OpenTofu plan (`terraform show -json <planfile>`)
// as the terraform provider reads it (providers/terraform/plan_json.hpp), with volatile
// attributes declared. Any input must end as a ReadPlan or one runtime Error naming
// the origin: a crash, hang, leak or exception fails. A plan that reads must hash and
// render, read the same twice, and list its changes replacements, then deletions, then
// the rest (outputs after resources).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "converge/plan/plan.hpp"
#include "converge/plan/render.hpp"
#include "converge/providers/terraform/plan_json.hpp"

namespace plan = converge::plan;
namespace terraform = converge::providers::terraform;

namespace {

plan::Plan as_plan(const terraform::ReadPlan& read) {
  plan::Plan p;
  p.environment = "prod";
  p.targets.push_back(terraform::target_plan(read, "infra"));
  return p;
}

// 0 replace, 1 delete, 2 the rest; outputs (keys "output.") after every resource.
int rank(const plan::Change& c) {
  const int group = c.action == plan::Action::replace ? 0 : c.action == plan::Action::remove ? 1 : 2;
  return (c.key.starts_with("output.") && c.kind.starts_with("output") ? 3 : 0) + group;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const terraform::ReadOptions options{{"tags.BuildTime", "aws_instance.tags.Name", "a.b.c"}};
  auto read = terraform::read_plan(text, "plan.json", options);
  if (!read) {
    if (read.error().code != converge::ExitCode::failure || !read.error().message.starts_with("plan.json")) std::abort();
    return 0;
  }
  for (std::size_t i = 1; i < read->changes.size(); ++i)
    if (rank(read->changes[i - 1]) > rank(read->changes[i])) std::abort();
  const auto p = as_plan(*read);
  const auto again = terraform::read_plan(text, "plan.json", options);
  if (!again || plan::hash(as_plan(*again)) != plan::hash(p)) std::abort();
  (void)plan::render_markdown(p, 4096);
  (void)plan::render_text(p);
  return 0;
}

// converge compile: every target's desired state for one environment, written as
// files under bundles/<env>/<target>/ (deterministic), with the bundle hashes.
// converge render: one template rendered with a variables file.
#include "converge/steps/steps.hpp"
#include "converge/template/render.hpp"
#include "converge/util/fs.hpp"

namespace converge::steps {

// compile --out -: {"format": 1, "environment", "targets": [{"target", "bundle_hash",
// "files": {path: content}}]} on standard output, instead of the files.
int run_compile(const CompileOptions& options, StepIo io) {
  // The bundle is the repository's desired state: no runtime, so no runtime secret.
  auto common = options.common;
  common.offline = true;
  auto session = open_session(common, io);
  if (!session) return report_error(session.error(), io);
  const bool to_stdout = options.out == "-";
  const auto out = options.out.empty() ? session->config.root / "bundles" / session->environment().name : options.out;
  nlohmann::json document = {{"format", 1}, {"environment", session->environment().name},
                             {"targets", nlohmann::json::array()}};
  for (auto& target : session->targets) {
    auto bundle = target.impl->compile();
    if (!bundle) return report_error(bundle.error().with_context("target " + target.name), io);
    io.console.set_output("bundle-hash-" + target.name, bundle->hash);
    if (to_stdout) {
      nlohmann::json files = nlohmann::json::object();
      for (const auto& [path, content] : target.impl->bundle_files(*bundle)) files[path] = content;
      document["targets"].push_back({{"target", target.name}, {"bundle_hash", bundle->hash}, {"files", files}});
      io.console.info(target.name + ": bundle " + bundle->hash);
      continue;
    }
    const auto dir = out / target.name;
    // The whole bundle replaced at once: files of items that are gone must not linger.
    if (auto ok = util::replace_tree(dir, target.impl->bundle_files(*bundle)); !ok) return report_error(ok.error(), io);
    io.console.info(target.name + ": bundle " + bundle->hash + " → " + dir.string());
  }
  if (to_stdout)
    if (auto written = io.data.write(document); !written) return report_error(written.error(), io);
  return 0;
}

int run_render(const RenderOptions& options, StepIo io) {
  auto rendered = tmpl::render_file(options.template_file, options.vars_file);
  if (!rendered) return report_error(rendered.error(), io);
  io.console.info(*rendered);
  return 0;
}

}  // namespace converge::steps

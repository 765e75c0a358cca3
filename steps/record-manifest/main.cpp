// converge-record-manifest: flags → run_record_manifest → exit code.
#include "step_mains.hpp"
#include "converge/steps/steps.hpp"

int converge::steps::main_record_manifest(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-record-manifest", "Append the last apply of an environment to the manifest.");
  s::add_common_flags(cli);
  cli.add_options()("result", "apply result to record (default: .converge/apply-<env>.json beside converge.yaml)",
                    cxxopts::value<std::string>());
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    s::RecordOptions o{s::common_options(flags), {}};
    if (flags.count("result")) o.result = flags["result"].as<std::string>();
    return s::run_record_manifest(o, io);
  });
}

// converge-render: flags → run_render → exit code.
#include "step_mains.hpp"
#include "converge/steps/steps.hpp"

int converge::steps::main_render(int argc, char** argv) {
  namespace s = converge::steps;
  cxxopts::Options cli("converge-render", "Render one template with a variables file (for debugging templates).");
  cli.add_options()
    ("template", "the template (Jinja2 syntax)", cxxopts::value<std::string>())
    ("vars", "YAML variables file (e.g. env/dev.yaml)", cxxopts::value<std::string>())
    ("h,help", "show this help")
    ("version", "print the version and the commit it was built from");
  cli.parse_positional({"template"});
  cli.positional_help("TEMPLATE");
  return s::run_guarded(cli, argc, argv, [](const cxxopts::ParseResult& flags, s::StepIo io) {
    if (!flags.count("template") || !flags.count("vars"))
      throw converge::Failure("usage: converge render TEMPLATE --vars FILE.yaml", converge::ExitCode::usage);
    return s::run_render({flags["template"].as<std::string>(), flags["vars"].as<std::string>()}, io);
  });
}

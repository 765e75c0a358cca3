// The step mains of the one step executable, converge-steps (dispatch.cpp): each
// turns its flags into options and runs its step. The table is every step in the
// order `converge --help` lists them.
#pragma once

#include <array>
#include <string_view>

namespace converge::steps {

int main_plan(int argc, char** argv);
int main_plan_comment(int argc, char** argv);
int main_apply(int argc, char** argv);
int main_drift_verify(int argc, char** argv);
int main_record_manifest(int argc, char** argv);
int main_destroy(int argc, char** argv);
int main_describe(int argc, char** argv);
int main_export_to_pr(int argc, char** argv);
int main_compile(int argc, char** argv);
int main_render(int argc, char** argv);
int main_secret_names(int argc, char** argv);
int main_init(int argc, char** argv);
int main_check_workflows(int argc, char** argv);

struct StepMain {
  std::string_view step;
  int (*main)(int argc, char** argv);
};

inline constexpr std::array<StepMain, 13> kStepMains{{
    {"plan", &main_plan},
    {"plan-comment", &main_plan_comment},
    {"apply", &main_apply},
    {"drift-verify", &main_drift_verify},
    {"record-manifest", &main_record_manifest},
    {"destroy", &main_destroy},
    {"describe", &main_describe},
    {"export-to-pr", &main_export_to_pr},
    {"compile", &main_compile},
    {"render", &main_render},
    {"secret-names", &main_secret_names},
    {"init", &main_init},
    {"check-workflows", &main_check_workflows},
}};

}  // namespace converge::steps

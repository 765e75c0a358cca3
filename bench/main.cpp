// converge_bench's main: Google Benchmark's, except that a case that fails (a step
// that exits non-zero, a server that does not come up) fails the whole run, so the
// smoke run in `make test` (CTest bench.smoke) turns red when a case breaks.
#include <benchmark/benchmark.h>

#include <iostream>

namespace {

// The console table, remembering whether any case reported an error.
class FailingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs)
      if (run.error_occurred) failed_ = true;
    ConsoleReporter::ReportRuns(runs);
  }
  bool failed() const { return failed_; }

 private:
  bool failed_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  FailingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  if (reporter.failed()) {
    std::cerr << "converge_bench: a case failed (its error is in the table above)\n";
    return 1;
  }
  return 0;
}

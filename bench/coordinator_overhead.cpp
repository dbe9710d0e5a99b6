// The coordinator's cost per evaluation: a reproducible NSGA-II search whose candidates
// cost nothing (the analytic runner of the tests), so all the time measured is the
// coordinator's: asking the strategy, journaling with fsync, messages, telling, and
// rewriting results.h5 and report.html after each generation.
//   lathe_coordinator_bench [EVALUATIONS] [WORKERS]            in-memory workers (threads)
//   mpirun -np N lathe_coordinator_bench [EVALUATIONS]         MPI workers (ranks 1..N-1)
// Prints one JSON line: evaluations, workers, seconds, ms per evaluation, coordinator CPU s.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "search/mpi_transport.h"
#include "search/synthetic_search.h"

namespace {

using namespace lathe::search;

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

void report(int evaluations, int workers, const char* transport, double seconds, double cpu) {
  std::printf("{\"evaluations\": %d, \"workers\": %d, \"transport\": \"%s\", \"seconds\": %.3f, "
              "\"ms_per_evaluation\": %.4f, \"coordinator_cpu_seconds\": %.3f}\n",
              evaluations, workers, transport, seconds, 1000.0 * seconds / evaluations, cpu);
}

}  // namespace

int main(int argc, char** argv) {
  const int evaluations = argc > 1 ? std::atoi(argv[1]) : 2000;
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("lathe-coordinator-bench-" + std::to_string(::getpid()));
  const std::string yaml = test_support::synthetic_experiment_yaml(folder.string(), "reproducible", evaluations);
  const Experiment experiment = parse_experiment(yaml, "bench.yaml");
  if (!launched_by_mpi()) {
    const int workers = argc > 2 ? std::atoi(argv[2]) : 2;
    const auto start = std::chrono::steady_clock::now();
    const test_support::SearchRun run = test_support::run_synthetic_search(experiment, workers, 0, /*publish=*/true);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report(static_cast<int>(run.outcome.evaluations.size()), workers, "in-memory", seconds, cpu_seconds());
    std::filesystem::remove_all(folder);
    return 0;
  }
  MpiSession session;
  if (session.rank() != 0) {
    test_support::SyntheticRunner runner;
    const auto transport = make_mpi_worker_transport(session);
    run_worker(*transport, runner);
    return 0;
  }
  SearchHistory history = open_search_output(experiment);
  JournalWriter journal(search_paths(experiment.file.output).journal);
  const auto transport = make_mpi_coordinator_transport(session);
  CoordinatorHooks hooks;
  hooks.publish = [&](const SearchOutcome& outcome) { publish_outcome(search_paths(folder.string()), outcome); };
  const auto start = std::chrono::steady_clock::now();
  Coordinator coordinator(experiment, folder.string(), std::move(history), journal, *transport, hooks);
  const SearchOutcome outcome = coordinator.run();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report(static_cast<int>(outcome.evaluations.size()), session.size() - 1, "mpi", seconds, cpu_seconds());
  std::filesystem::remove_all(folder);
  return 0;
}

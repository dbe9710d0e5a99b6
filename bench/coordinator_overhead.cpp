// The coordinator's cost per evaluation: a reproducible NSGA-II search whose candidates
// cost nothing (the analytic runner of the tests), so all the time measured is the
// coordinator's: asking the strategy, journaling with fsync, messages, telling, and
// rewriting results.h5 and report.html after each generation.
//   lathe_coordinator_bench [EVALUATIONS] [WORKERS]            in-memory workers (threads)
//   mpirun -np N lathe_coordinator_bench [EVALUATIONS]         MPI workers (ranks 1..N-1)
//   lathe_coordinator_bench EVALUATIONS WORKERS MODE MIN_MS MAX_MS
//       candidates that take MIN..MAX ms (a sleep), in mode reproducible or asynchronous:
//       what the generation barrier costs when candidates' times vary
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

// Evaluations whose result was reused from an earlier candidate with the same recipe.
int reused(const SearchOutcome& outcome) {
  int count = 0;
  for (const EvaluationRecord& r : outcome.evaluations) count += r.metrics.message.find("is reused") != std::string::npos;
  return count;
}

void report(const SearchOutcome& outcome, int workers, const char* transport, double seconds, double cpu) {
  const int evaluations = static_cast<int>(outcome.evaluations.size());
  std::printf("{\"evaluations\": %d, \"reused\": %d, \"workers\": %d, \"transport\": \"%s\", \"seconds\": %.3f, "
              "\"ms_per_evaluation\": %.4f, \"coordinator_cpu_seconds\": %.3f}\n",
              evaluations, reused(outcome), workers, transport, seconds, 1000.0 * seconds / evaluations, cpu);
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
    const std::string mode = argc > 3 ? argv[3] : "reproducible";
    const int min_ms = argc > 4 ? std::atoi(argv[4]) : 0;
    const int max_ms = argc > 5 ? std::atoi(argv[5]) : 0;
    const Experiment timed = parse_experiment(
        test_support::synthetic_experiment_yaml(folder.string(), mode, evaluations), "bench.yaml");
    const auto start = std::chrono::steady_clock::now();
    const test_support::SearchRun run =
        test_support::run_synthetic_search(timed, workers, 0, /*publish=*/true, min_ms, max_ms);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report(run.outcome, workers, ("in-memory " + mode).c_str(), seconds, cpu_seconds());
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
  report(outcome, session.size() - 1, "mpi", seconds, cpu_seconds());
  std::filesystem::remove_all(folder);
  return 0;
}

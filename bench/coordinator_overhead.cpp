// The coordinator's cost per evaluation and how it scales: a search whose candidates cost
// nothing (the analytic runner of the tests) or sleep a fixed or seeded time, so all the
// time beyond the candidates' is the coordinator's: asking the strategy, journaling with
// fsync, messages, telling, and rewriting results.h5 and report.html every 10 s.
//   lathe_coordinator_bench EVALUATIONS [WORKERS [MODE [MIN_MS MAX_MS [STRATEGY]]]]
//       in-memory workers (threads); MODE reproducible (default) or asynchronous;
//       candidates that sleep MIN..MAX ms (default 0: none); STRATEGY nsga2 (default),
//       random, ...
//   mpirun -np N lathe_coordinator_bench EVALUATIONS [WORKERS [MODE [MIN_MS MAX_MS [STRATEGY]]]]
//       the same over MPI: ranks 1..N-1 are the workers (WORKERS is ignored)
// Prints one JSON line: evaluations, workers, seconds, ms per evaluation, coordinator CPU
// seconds and, for sleeping candidates, the ideal time (every worker busy from the first
// candidate to the last, nothing else) and the parallel efficiency (ideal / seconds).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <vector>
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

struct Settings {
  int evaluations = 2000;
  int workers = 2;  // in memory only
  std::string mode = "reproducible";
  int min_ms = 0;
  int max_ms = 0;
  std::string strategy = "nsga2";
};

Settings settings_from(int argc, char** argv) {
  Settings s;
  if (argc > 1) s.evaluations = std::atoi(argv[1]);
  if (argc > 2) s.workers = std::atoi(argv[2]);
  if (argc > 3) s.mode = argv[3];
  if (argc > 5) {
    s.min_ms = std::atoi(argv[4]);
    s.max_ms = std::atoi(argv[5]);
  }
  if (argc > 6) s.strategy = argv[6];
  return s;
}

// The time the candidates alone need on `workers` workers: their sleeps (the synthetic
// runner sleeps min + seed % span ms), dealt in id order to whichever worker is free first.
double ideal_seconds(const SearchOutcome& outcome, const Settings& s, int workers) {
  if (s.max_ms <= 0) return 0.0;
  std::vector<double> busy(static_cast<std::size_t>(workers), 0.0);
  const int span = s.max_ms - s.min_ms + 1;
  for (const EvaluationRecord& r : outcome.evaluations) {
    if (r.metrics.message.find("is reused") != std::string::npos) continue;
    *std::min_element(busy.begin(), busy.end()) += 1e-3 * (s.min_ms + static_cast<int>(r.metrics.seed % span));
  }
  return *std::max_element(busy.begin(), busy.end());
}

void report(const SearchOutcome& outcome, const Settings& s, int workers, const std::string& transport,
            double seconds, double cpu) {
  const int evaluations = static_cast<int>(outcome.evaluations.size());
  const double ideal = ideal_seconds(outcome, s, workers);
  std::printf("{\"evaluations\": %d, \"reused\": %d, \"workers\": %d, \"transport\": \"%s\", \"mode\": \"%s\", "
              "\"strategy\": \"%s\", \"seconds\": %.3f, \"ms_per_evaluation\": %.4f, "
              "\"coordinator_cpu_seconds\": %.3f, \"ideal_seconds\": %.3f, \"efficiency\": %.4f}\n",
              evaluations, reused(outcome), workers, transport.c_str(), s.mode.c_str(), s.strategy.c_str(), seconds,
              1000.0 * seconds / evaluations, cpu, ideal, ideal > 0.0 ? ideal / seconds : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  const Settings s = settings_from(argc, argv);
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("lathe-coordinator-bench-" + std::to_string(::getpid()));
  const Experiment experiment = parse_experiment(
      test_support::synthetic_experiment_yaml(folder.string(), s.mode, s.evaluations, s.strategy), "bench.yaml");
  if (!launched_by_mpi()) {
    const auto start = std::chrono::steady_clock::now();
    const test_support::SearchRun run =
        test_support::run_synthetic_search(experiment, s.workers, 0, /*publish=*/true, s.min_ms, s.max_ms);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report(run.outcome, s, s.workers, "in-memory", seconds, cpu_seconds());
    std::filesystem::remove_all(folder);
    return 0;
  }
  MpiSession session;
  if (session.rank() != 0) {
    test_support::SyntheticRunner runner(s.min_ms, s.max_ms);
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
  report(outcome, s, session.size() - 1, "mpi", seconds, cpu_seconds());
  std::filesystem::remove_all(folder);
  return 0;
}

// `lathe search EXPERIMENT.yaml`: the search, in one process or under mpirun/srun (rank 0
// coordinates, the other ranks are workers). Running it again continues the search in its
// output folder where it stopped.
#include <sys/resource.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/search_point.h"
#include "cli/search_run.h"
#include "cli/search_setup.h"
#include "config/field_listing.h"
#include "core/error.h"
#include "search/coordinator.h"
#include "search/in_memory_transport.h"
#include "search/journal.h"
#include "search/mpi_transport.h"
#include "search/recipe_candidate_runner.h"
#include "search/search_output.h"
#include "search/worker.h"

namespace lathe::cli {
namespace {

using search::Experiment;

std::atomic<bool> g_interrupt{false};
std::atomic<int> g_signal{0};

extern "C" void on_stop_signal(int signal_number) {
  g_signal.store(signal_number);
  g_interrupt.store(true);
}

void install_stop_handlers() {
  for (const int signal_number : {SIGTERM, SIGINT, SIGUSR1}) std::signal(signal_number, on_stop_signal);
}

void print_front(const search::SearchOutcome& outcome, const std::string& folder) {
  std::printf("\nPareto front (%zu of %zu evaluations; base %lld bytes, validation accuracy %.2f%%):\n",
              outcome.pareto_ids.size(), outcome.evaluations.size(),
              static_cast<long long>(outcome.base.size_bytes), 100.0 * outcome.base.validation_accuracy);
  std::printf("  %6s %12s %9s %9s %9s  %s\n", "id", "bytes", "smaller", "val acc", "test acc", "artifact");
  for (const search::EvaluationRecord& record : outcome.evaluations) {
    if (std::find(outcome.pareto_ids.begin(), outcome.pareto_ids.end(), record.id) == outcome.pareto_ids.end()) {
      continue;
    }
    const recipe::CandidateMetrics& m = record.metrics;
    std::printf("  %6lld %12lld %8.1fx %8.2f%% %8.2f%%  %s\n", static_cast<long long>(record.id),
                static_cast<long long>(m.size_bytes),
                static_cast<double>(outcome.base.size_bytes) / static_cast<double>(std::max<std::int64_t>(1, m.size_bytes)),
                100.0 * m.validation_accuracy, 100.0 * m.test_accuracy,
                (std::filesystem::path(folder) / record.artifact).string().c_str());
  }
}

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

// The output folder is opened (or refused) before any worker starts.
search::SearchHistory open_output(const Experiment& experiment) {
  const search::SearchPaths paths = search::search_paths(experiment.file.output);
  search::SearchHistory history = search::open_search_output(experiment);
  if (!history.results.empty()) {
    std::printf("%s: resuming from %s (%zu evaluations journaled%s)\n", experiment.file.name.c_str(),
                paths.journal.c_str(), history.results.size(),
                history.dropped_torn_tail ? "; a torn last record was dropped" : "");
  }
  return history;
}

int coordinate(const Experiment& experiment, search::SearchHistory history,
               search::CoordinatorTransport& transport) {
  const search::SearchPaths paths = search::search_paths(experiment.file.output);
  search::JournalWriter journal(paths.journal);
  search::CoordinatorHooks hooks;
  hooks.progress = [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  hooks.publish = [&paths](const search::SearchOutcome& outcome) { search::publish_outcome(paths, outcome); };
  hooks.interrupt = &g_interrupt;
  search::Coordinator coordinator(experiment, experiment.file.output, std::move(history), journal, transport,
                                  hooks);
  const auto started = std::chrono::steady_clock::now();
  const double cpu_before = process_cpu_seconds();  // a campaign runs searches one after another
  const search::SearchOutcome outcome = coordinator.run();
  print_front(outcome, experiment.file.output);
  // What the coordinator cost its node: under mpirun this process is rank 0 alone.
  const double cpu = process_cpu_seconds() - cpu_before;
  std::printf("\n%s CPU time %.2f s over %.1f s of wall time\n",
              transport.worker_count() > 1 || search::launched_by_mpi() ? "coordinator" : "process (coordinator and worker)",
              cpu, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  std::printf("\nreport: %s\nresults: %s\n", paths.report.c_str(), paths.results.c_str());
  if (coordinator.interrupted()) {
    std::printf("%s: stopped by signal %d; run the same command again to continue\n",
                experiment.file.name.c_str(), g_signal.load());
    return 128 + g_signal.load();
  }
  return 0;
}

// One process: the coordinator here, one worker in a thread (it shares the process, not
// the coordinator's logic).
int coordinate_with_worker_thread(const Experiment& experiment, bool verbose) {
  search::SearchHistory history = open_output(experiment);
  search::InMemoryNetwork network(1);
  std::thread worker([&] {
    try {
      search::RunnerSettings settings = runner_settings(experiment, 1, verbose);
      settings.stop = &g_interrupt;  // the signal pauses the candidate in flight
      const auto runner = make_runner(experiment, settings);
      search::run_worker(network.worker(1), *runner);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "lathe: error: worker: %s\n", e.what());
      std::_Exit(1);
    }
  });
  int status = 1;
  try {
    status = coordinate(experiment, std::move(history), network.coordinator());
  } catch (...) {
    network.coordinator().stop_workers();
    worker.join();
    throw;
  }
  if (g_interrupt.load()) std::_Exit(status);  // the worker may be mid-candidate
  worker.join();
  return status;
}

// --output overrides the experiment's output folder (the same on every rank).
Experiment with_output(Experiment experiment, const std::optional<std::string>& output) {
  if (output) experiment.file.output = *output;
  return experiment;
}

int run_search_command(const Arguments& arguments) {
  const std::string experiment_path = arguments.positional(0);
  const bool verbose = arguments.flag("verbose");
  const std::optional<std::string> output = arguments.value("output");
  if (arguments.flag("dimensions")) {
    std::printf("%s\n", dimensions_json(search::load_experiment(experiment_path)).c_str());
    return 0;
  }
  if (const std::optional<std::string> point = arguments.value("point")) {
    const std::int64_t id = arguments.integer("id", 0, 0, 1LL << 40);
    return evaluate_one_point(prepare_search(experiment_path), *point, id);
  }
  if (arguments.flag("check")) {
    std::printf("%s\n", check_search(experiment_path).c_str());
    return 0;
  }
  return run_search({[&] { return with_output(prepare_search(experiment_path), output); },
                     [&] { return with_output(search::load_experiment(experiment_path), output); }, verbose});
}

std::string experiment_keys(bool markdown) {
  const auto rows = config::FieldListing::of(search::ExperimentFile{});
  if (markdown) return config::format_markdown(rows);
  return "\nexperiment file keys:\n" + config::format_help(rows) + search_space_help();
}

}  // namespace

int run_search(const SearchRun& run) {
  install_stop_handlers();
  if (!search::launched_by_mpi()) {
    const Experiment experiment = run.prepare();
    return coordinate_with_worker_thread(experiment, run.verbose);
  }
  search::MpiSession session;
  if (session.rank() == 0) {
    if (session.size() == 1) {
      (void)session.broadcast_from_coordinator(0);
      return coordinate_with_worker_thread(run.prepare(), run.verbose);
    }
    std::unique_ptr<Experiment> experiment;
    search::SearchHistory history;
    try {
      experiment = std::make_unique<Experiment>(run.prepare());
      history = open_output(*experiment);
    } catch (...) {
      (void)session.broadcast_from_coordinator(1);  // the workers leave quietly
      throw;
    }
    (void)session.broadcast_from_coordinator(0);
    try {
      const std::unique_ptr<search::CoordinatorTransport> transport = search::make_mpi_coordinator_transport(session);
      return coordinate(*experiment, std::move(history), *transport);
    } catch (const std::exception& e) {
      // The workers wait for tasks: end the whole job rather than leave them waiting.
      std::fprintf(stderr, "lathe: error: %s\n", e.what());
      search::MpiSession::abort_job(1);
    }
  }
  if (session.broadcast_from_coordinator(0) != 0) return 1;  // rank 0 printed why
  try {
    const Experiment experiment = run.load();
    search::RunnerSettings settings = runner_settings(experiment, std::max(1, session.local_workers()), run.verbose);
    settings.stop = &g_interrupt;  // srun signals every rank: the candidate in flight pauses
    settings.gpu_slot = session.worker_slot();  // the coordinator's node uses all its GPUs too
    const auto runner = make_runner(experiment, settings);
    const std::unique_ptr<search::WorkerTransport> transport = search::make_mpi_worker_transport(session);
    search::run_worker(*transport, *runner);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lathe: error: worker rank %d: %s\n", session.rank(), e.what());
    search::MpiSession::abort_job(1);  // the coordinator must not wait for this rank
  }
  return 0;
}

const Command& search_command() {
  static const Command command{
      {"search",
       "lathe search EXPERIMENT.yaml [--output DIR] [--verbose]   (or: mpirun -np N lathe search ...)",
       "search for the best compressed models of a base under constraints",
       "Explores the experiment's space of recipes with its strategy and writes, in its output\n"
       "folder, the journal, results.h5, the artifacts of feasible candidates and report.html.\n"
       "Under mpirun or srun, rank 0 coordinates and every other rank is a worker; alone, one\n"
       "worker runs beside the coordinator. Running the same command again continues the search\n"
       "where it stopped (also after a kill); a folder holding another experiment is refused.\n"
       "SIGTERM, SIGINT or SIGUSR1 stop it cleanly (exit 128 + the signal): the candidates in\n"
       "flight pause at their next step boundary and the next run continues them.",
       {"EXPERIMENT.yaml"},
       {{"output", "DIR", "the output folder instead of the experiment's `output`"},
        {"check", "", "only check the experiment (and its space against the base, if it exists)"},
        {"dimensions", "", "print the space's dimensions as JSON and exit"},
        {"point", "JSON", "evaluate this one point of the space ({\"dimension\": value, ...}) and print its record"},
        {"id", "N", "with --point: the candidate id its seed comes from (default 0)"},
        {"verbose", "", "print every candidate's own progress lines"}}},
      run_search_command,
      experiment_keys};
  return command;
}

}  // namespace lathe::cli

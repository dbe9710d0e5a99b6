// The coordinator's serial costs measured alone, from which docs/benchmarks.md works out
// how many workers one coordinator can serve:
//   lathe_coordinator_rates journal [RECORDS]
//       appends RECORDS typical result records (the size a lenet5 search writes) to a
//       journal in a temporary folder: each fsynced, in groups of 16 with one fsync (the
//       asynchronous mode's group commit), and written without fsync; records per second.
//   mpirun -np 2 lathe_coordinator_rates messages [ROUND_TRIPS]
//       rank 0 sends a typical task through the MPI transport, rank 1 answers with a
//       typical result; round trips per second and rank 0's CPU per round trip (the
//       worker answers at once, so the latency is the transport's: probes and sleeps).
// Prints one JSON line per measurement.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "search/journal.h"
#include "search/mpi_transport.h"
#include "search/protocol.h"
#include "search/search_history.h"

namespace {

using namespace lathe::search;
using Clock = std::chrono::steady_clock;

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A candidate as a lenet5 search records it: a three-step recipe, every metric set.
TaskResult typical_result(std::int64_t id) {
  TaskResult result;
  result.id = id;
  result.artifact_path = "artifacts/candidate-000042.h5";
  lathe::recipe::CandidateMetrics& m = result.metrics;
  m.candidate_id = id;
  m.validation_accuracy = 0.8933;
  m.validation_loss = 0.3012;
  m.test_accuracy = 0.8914;
  m.size_bytes = 6267;
  m.parameter_count = 14523;
  m.macs = 201000;
  m.host = "node017";
  m.rank = 3;
  m.seed = 16184226688143867045ULL;
  m.recipe_hash = "7c5f33a0ad97984e";
  return result;
}

Task typical_task(std::int64_t id) {
  Task task;
  task.id = id;
  task.seed = 16184226688143867045ULL;
  task.recipe_yaml =
      "- prune: {method: filter, select: ratio, layers: [conv2, fc1, fc2], saliency: l1, ratio: {default: 0.5, "
      "conv2: 0.564639, fc1: 0.60399, fc2: 0.710978}}\n- quantize: {method: qat, act_bits: 8, granularity: "
      "per_channel, range_update: counted, weight_bits: {default: 8, conv1: 4, conv2: 3, fc1: 4, fc2: 4, fc3: 3}}\n"
      "- finetune: {epochs: 1, lr: 0.021514}\n";
  task.artifact_path = "artifacts/candidate-000042.h5";
  task.time_limit_seconds = 1800;
  return task;
}

void journal_rates(int records) {
  EvaluationRecord record;
  record.recipe_yaml = typical_task(0).recipe_yaml;
  record.point_json = R"({"prune.saliency": "l1", "prune.ratio.conv2": 0.5646390625973093, "quantize.weight_bits.fc1": 4})";
  record.metrics = typical_result(0).metrics;
  record.artifact = "artifacts/candidate-000042.h5";
  const std::string payload = result_event(record);
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("lathe-rates-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const int group : {1, 16, 0}) {  // 0: written, never synced
    const std::filesystem::path path = dir / ("journal-" + std::to_string(group) + ".lathe");
    JournalWriter journal(path.string());
    const Clock::time_point start = Clock::now();
    const double cpu = cpu_seconds();
    for (int i = 0; i < records; ++i) {
      journal.append(payload, JournalWriter::Durability::written);
      if (group > 0 && (i + 1) % group == 0) journal.sync();
    }
    const double seconds = seconds_since(start);
    std::printf("{\"measure\": \"journal\", \"records\": %d, \"record_bytes\": %zu, \"fsync_every\": %d, "
                "\"records_per_second\": %.0f, \"ms_per_record\": %.4f, \"cpu_ms_per_record\": %.4f}\n",
                records, payload.size(), group, records / seconds, 1e3 * seconds / records,
                1e3 * (cpu_seconds() - cpu) / records);
  }
  std::filesystem::remove_all(dir);
}

void message_rates(int round_trips) {
  const MpiSession session;
  if (session.size() != 2) {
    if (session.rank() == 0) std::fprintf(stderr, "messages: run under mpirun -np 2\n");
    return;
  }
  if (session.rank() == 1) {
    const std::unique_ptr<WorkerTransport> worker = make_mpi_worker_transport(session);
    const std::string answer = result_to_json(typical_result(42));
    while (worker->receive()) worker->send(answer);
    return;
  }
  const std::unique_ptr<CoordinatorTransport> coordinator = make_mpi_coordinator_transport(session);
  const std::string task = task_to_json(typical_task(42));
  const Clock::time_point start = Clock::now();
  const double cpu = cpu_seconds();
  for (int i = 0; i < round_trips; ++i) {
    coordinator->send(1, task);
    while (!coordinator->receive(std::chrono::milliseconds(1000))) {
    }
  }
  const double seconds = seconds_since(start);
  std::printf("{\"measure\": \"messages\", \"round_trips\": %d, \"task_bytes\": %zu, \"result_bytes\": %zu, "
              "\"round_trips_per_second\": %.0f, \"ms_per_round_trip\": %.4f, \"coordinator_cpu_ms_per_round_trip\": %.4f}\n",
              round_trips, task.size(), result_to_json(typical_result(42)).size(), round_trips / seconds,
              1e3 * seconds / round_trips, 1e3 * (cpu_seconds() - cpu) / round_trips);
  coordinator->stop_workers();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  const int count = argc > 2 ? std::atoi(argv[2]) : 0;
  try {
    if (what == "journal") {
      journal_rates(count > 0 ? count : 2000);
    } else if (what == "messages") {
      message_rates(count > 0 ? count : 5000);
    } else {
      std::fprintf(stderr, "usage: lathe_coordinator_rates journal [RECORDS] | messages [ROUND_TRIPS] (under mpirun -np 2)\n");
      return 2;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lathe_coordinator_rates: %s\n", e.what());
    return 1;
  }
  return 0;
}

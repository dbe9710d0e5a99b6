#include "search/results_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/checkpoint_test_support.h"
#include "support/temp_dir.h"

namespace lathe::search {
namespace {

using io::test_support::run_python;
using io::test_support::why_h5py_is_unavailable;
using test_support::TempDir;

recipe::CandidateMetrics metrics(double accuracy, std::int64_t size, std::uint64_t seed) {
  recipe::CandidateMetrics m;
  m.validation_loss = 0.25;
  m.validation_accuracy = accuracy;
  m.test_accuracy = 0.5;
  m.size_bytes = size;
  m.parameter_count = 1000;
  m.macs = 9007199254740993;  // 2^53 + 1: exact only as an integer
  m.latency_batch1_ms = 1.5;
  m.latency_batch128_ms = 20.25;
  m.wall_seconds = 3.0;
  m.compress_seconds = 0.5;
  m.finetune_seconds = 2.0;
  m.measure_seconds = 0.125;
  m.peak_memory_bytes = 1 << 30;
  m.seed = seed;
  m.recipe_hash = "00ff00ff00ff00ff";
  m.rank = 2;
  m.host = "node-1";
  return m;
}

SearchOutcome sample_outcome() {
  SearchOutcome o;
  o.experiment_name = "lenet-small";
  o.experiment_path = "configs/experiments/lenet small.yaml";
  o.experiment_yaml = "name: lenet-small\nobjectives: [validation_error, size_bytes]\n";
  o.strategy = "nsga2";
  o.mode = "reproducible";
  o.budget_evaluations = 3;
  o.elapsed_seconds = 12.5;
  o.objectives = {{"validation_accuracy", true}, {"size_bytes", false}};
  o.constraints.max_size_bytes = 20000;
  o.constraints.max_accuracy_drop = 0.01;
  o.base = metrics(0.9, 40000, 1);
  o.base.message = "base";
  o.base.candidate_id = -1;

  EvaluationRecord first;
  first.id = 0;
  first.point_json = "{\"prune.ratio\": 0.5}";
  first.recipe_yaml = "- prune: {ratio: 0.5}\n- finetune: {epochs: 1}\n";
  first.metrics = metrics(0.1 + 0.2, 12000, std::numeric_limits<std::uint64_t>::max());
  first.metrics.candidate_id = 0;
  first.objectives = {0.1 + 0.2, 12000};
  first.feasible = true;
  first.finished_seconds = 4.0;
  first.artifact = "candidates/0.h5";

  EvaluationRecord second;
  second.id = 1;
  second.rung = 1;
  second.point_json = "{\"prune.ratio\": 0.9}";
  second.recipe_yaml = "- prune: {ratio: 0.9}\n";
  second.metrics.status = recipe::CandidateStatus::timeout;
  second.metrics.message = "said \"stop\", at 600 s\ncaf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac";
  second.metrics.candidate_id = 1;
  second.metrics.host = "node-2";
  second.violated = "status timeout";
  second.finished_seconds = 8.0;

  EvaluationRecord third = first;
  third.id = 2;
  third.metrics.candidate_id = 2;
  third.metrics.validation_accuracy = 0.875;
  third.objectives = {0.875, std::numeric_limits<double>::infinity()};
  third.finished_seconds = 9.5;
  third.artifact = "candidates/2.h5";

  o.evaluations = {first, second, third};
  o.pareto_ids = {0, 2};
  return o;
}

constexpr const char* kReadScript =
    "import sys, h5py\n"
    "f = h5py.File(sys.argv[1], 'r')\n"
    "a = f.attrs\n"
    "for k in ['format', 'experiment_name', 'experiment_path', 'experiment_yaml', 'strategy', 'mode']:\n"
    "    print(k, repr(a[k]))\n"
    "for k in ['format_version', 'budget_evaluations', 'max_size_bytes', 'max_macs']:\n"
    "    print(k, a[k].dtype, int(a[k]))\n"
    "for k in ['elapsed_seconds', 'max_accuracy_drop', 'max_latency_ms']:\n"
    "    print(k, a[k].dtype, repr(float(a[k])))\n"
    "print('objectives', [str(x) for x in a['objectives']], [str(x) for x in a['objective_goals']])\n"
    "b = f['base'].attrs\n"
    "print('base', ' '.join(sorted(b.keys())))\n"
    "print('base', repr(b['status']), repr(b['message']), repr(b['host']), float(b['validation_accuracy']),\n"
    "      int(b['macs']), b['seed'].dtype, int(b['seed']), int(b['rank']), int(b['candidate_id']))\n"
    "e = f['evaluations']\n"
    "text = ['status', 'message', 'recipe', 'point', 'violated', 'artifact', 'host', 'recipe_hash']\n"
    "for k in text:\n"
    "    print(k, e[k].asstr()[()].tolist())\n"
    "for k in sorted(e.keys()):\n"
    "    if k not in text:\n"
    "        d = e[k]\n"
    "        print(k, d.dtype, d.shape, d[()].tolist())\n"
    "print('objective names', [str(x) for x in e['objectives'].attrs['names']])\n"
    "print('pareto', f['pareto/ids'].dtype, f['pareto/ids'][()].tolist())\n";

TEST(ResultsFile, H5pyReadsBackEveryColumnAndAttribute) {
  const std::string why = why_h5py_is_unavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  TempDir dir;
  write_results_file(dir.file("results.h5"), sample_outcome());
  dir.write("read.py", kReadScript);
  const std::string output = run_python(dir.file("read.py"), {dir.file("results.h5")});
  EXPECT_EQ(output,
            "format 'lathe-search-results'\n"
            "experiment_name 'lenet-small'\n"
            "experiment_path 'configs/experiments/lenet small.yaml'\n"
            "experiment_yaml 'name: lenet-small\\nobjectives: [validation_error, size_bytes]\\n'\n"
            "strategy 'nsga2'\n"
            "mode 'reproducible'\n"
            "format_version int64 1\n"
            "budget_evaluations int64 3\n"
            "max_size_bytes int64 20000\n"
            "max_macs int64 0\n"
            "elapsed_seconds float64 12.5\n"
            "max_accuracy_drop float64 0.01\n"
            "max_latency_ms float64 0.0\n"
            "objectives ['validation_accuracy', 'size_bytes'] ['maximize', 'minimize']\n"
            "base candidate_id compress_seconds finetune_seconds host latency_batch128_ms latency_batch1_ms macs "
            "measure_seconds message parameter_count peak_memory_bytes rank recipe_hash seed size_bytes status "
            "test_accuracy validation_accuracy validation_loss wall_seconds\n"
            "base 'ok' 'base' 'node-1' 0.9 9007199254740993 uint64 1 2 -1\n"
            "status ['ok', 'timeout', 'ok']\n"
            "message ['', 'said \"stop\", at 600 s\\ncaf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac', '']\n"
            "recipe ['- prune: {ratio: 0.5}\\n- finetune: {epochs: 1}\\n', '- prune: {ratio: 0.9}\\n', "
            "'- prune: {ratio: 0.5}\\n- finetune: {epochs: 1}\\n']\n"
            "point ['{\"prune.ratio\": 0.5}', '{\"prune.ratio\": 0.9}', '{\"prune.ratio\": 0.5}']\n"
            "violated ['', 'status timeout', '']\n"
            "artifact ['candidates/0.h5', '', 'candidates/2.h5']\n"
            "host ['node-1', 'node-2', 'node-1']\n"
            "recipe_hash ['00ff00ff00ff00ff', '', '00ff00ff00ff00ff']\n"
            "candidate_id int64 (3,) [0, 1, 2]\n"
            "compress_seconds float64 (3,) [0.5, 0.0, 0.5]\n"
            "continued_steps int64 (3,) [0, 0, 0]\n"
            "feasible int8 (3,) [1, 0, 1]\n"
            "finetune_seconds float64 (3,) [2.0, 0.0, 2.0]\n"
            "finished_seconds float64 (3,) [4.0, 8.0, 9.5]\n"
            "id int64 (3,) [0, 1, 2]\n"
            "latency_batch128_ms float64 (3,) [20.25, nan, 20.25]\n"
            "latency_batch1_ms float64 (3,) [1.5, nan, 1.5]\n"
            "macs int64 (3,) [9007199254740993, 0, 9007199254740993]\n"
            "measure_seconds float64 (3,) [0.125, 0.0, 0.125]\n"
            "objectives float64 (3, 2) [[0.30000000000000004, 12000.0], [nan, nan], [0.875, inf]]\n"
            "parameter_count int64 (3,) [1000, 0, 1000]\n"
            "peak_memory_bytes int64 (3,) [1073741824, 0, 1073741824]\n"
            "rank int64 (3,) [2, -1, 2]\n"
            "rung int64 (3,) [0, 1, 0]\n"
            "seed uint64 (3,) [18446744073709551615, 0, 18446744073709551615]\n"
            "size_bytes int64 (3,) [12000, 0, 12000]\n"
            "test_accuracy float64 (3,) [0.5, nan, 0.5]\n"
            "validation_accuracy float64 (3,) [0.30000000000000004, nan, 0.875]\n"
            "validation_loss float64 (3,) [0.25, nan, 0.25]\n"
            "wall_seconds float64 (3,) [3.0, 0.0, 3.0]\n"
            "objective names ['validation_accuracy', 'size_bytes']\n"
            "pareto int64 [0, 2]\n");
}

TEST(ResultsFile, ASearchWithNoEvaluationsHasEveryColumnEmpty) {
  const std::string why = why_h5py_is_unavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  TempDir dir;
  SearchOutcome outcome = sample_outcome();
  outcome.evaluations.clear();
  outcome.pareto_ids.clear();
  write_results_file(dir.file("results.h5"), outcome);
  dir.write("read.py",
            "import sys, h5py\n"
            "f = h5py.File(sys.argv[1], 'r')\n"
            "e = f['evaluations']\n"
            "print(len(e.keys()), sorted(set(e[k].shape for k in e.keys())))\n"
            "print(f['pareto/ids'].shape, f.attrs['experiment_name'])\n");
  EXPECT_EQ(run_python(dir.file("read.py"), {dir.file("results.h5")}), "30 [(0,), (0, 2)]\n(0,) lenet-small\n");
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ResultsFile, AFailedWriteLeavesTheExistingFileAsItWas) {
  TempDir dir;
  const std::string path = dir.file("results.h5");
  write_results_file(path, sample_outcome());
  const std::string before = bytes_of(path);
  ASSERT_FALSE(before.empty());

  SearchOutcome broken = sample_outcome();
  broken.experiment_name = "second try";
  broken.evaluations[1].metrics.message = std::string("cut\0here", 8);  // fails half way through
  try {
    write_results_file(path, broken);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ": /evaluations/message[1]: expected text without NUL bytes, found one at byte 3");
  }
  EXPECT_EQ(bytes_of(path), before);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"results.h5"}) << "a temporary file was left behind";
}

TEST(ResultsFile, MismatchedObjectiveCountsAndMissingDirectoriesThrowNamingThePath) {
  TempDir dir;
  SearchOutcome outcome = sample_outcome();
  outcome.evaluations[2].objectives = {1.0};
  try {
    write_results_file(dir.file("results.h5"), outcome);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), dir.file("results.h5") +
                                         ": /evaluations/objectives: evaluation 2: expected 2 objective values (or "
                                         "none), found 1");
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("results.h5")));
  EXPECT_THROW(write_results_file(dir.file("missing/results.h5"), sample_outcome()), Error);
}

}  // namespace
}  // namespace lathe::search

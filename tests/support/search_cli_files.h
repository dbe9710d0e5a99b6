// What the search CLI tests share: shipped experiments with edits, written into a test's
// folder, and columns of `lathe results DIR --csv`.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/read_text.h"
#include "support/run_lathe.h"
#include "support/temp_dir.h"

namespace lathe::test_support {

// A shipped experiment with some text replaced, written into `dir`.
inline std::filesystem::path experiment_with(const TempDir& dir, const std::vector<std::pair<std::string, std::string>>& edits,
                                      const std::string& experiment = "tiny_synthetic") {
  std::string text = read_text(LATHE_SOURCE_DIR "/configs/experiments/" + experiment + ".yaml");
  for (const auto& [from, to] : edits) {
    const std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  }
  const std::filesystem::path path = dir.path() / "experiment.yaml";
  std::ofstream(path) << text;
  return path;
}

// Column `name` of every row of `lathe results DIR --csv`: one of the columns before the
// first text field that may hold a comma (the point), or the last column.
inline std::vector<std::string> csv_column(const std::filesystem::path& out, const std::string& name) {
  const RunResult csv = run_lathe("results " + out.string() + " --csv");
  EXPECT_EQ(csv.exit_code, 0) << csv.output;
  std::istringstream lines(csv.output);
  std::string line;
  std::getline(lines, line);
  const auto split = [](const std::string& text) {
    std::vector<std::string> fields;
    std::istringstream in(text);
    for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
    return fields;
  };
  const std::vector<std::string> header = split(line);
  const auto column = std::find(header.begin(), header.end(), name) - header.begin();
  std::vector<std::string> values;
  const bool last = column + 1 == static_cast<std::ptrdiff_t>(header.size());
  while (std::getline(lines, line)) {
    const std::vector<std::string> fields = split(line);
    values.push_back(last ? fields.back() : fields.at(static_cast<std::size_t>(column)));
  }
  return values;
}

// A quantisation search over the model of the search in `earlier` (base_search), as
// DIR/chained.yaml.
inline std::filesystem::path chained_experiment(const TempDir& dir, const std::filesystem::path& earlier,
                                                const std::filesystem::path& out, const std::string& extra = "") {
  const std::filesystem::path path = dir.path() / "chained.yaml";
  std::ofstream(path) << "name: tiny_quantised_after_ablation\n"
                         "base_search: " << earlier.string() << "\n" << extra <<
                         "seed: 7\n"
                         "output: " << out.string() << "\n"
                         "budget: {evaluations: 4}\n"
                         "candidate: {threads: 1, batch_size: 32, time_limit_seconds: 120}\n"
                         "objectives:\n"
                         "  - {metric: size_bytes, goal: minimize}\n"
                         "  - {metric: validation_accuracy, goal: maximize}\n"
                         "constraints: {max_accuracy_drop: 0.2}\n"
                         "strategy: {name: nsga2, population: 4}\n"
                         "space:\n"
                         "  steps:\n"
                         "    - quantize: {method: qat, weight_bits: {int_range: [2, 8]}, act_bits: 8}\n"
                         "    - finetune: {epochs: 20, lr: {log_range: [0.005, 0.05]}}\n";
  return path;
}

}  // namespace lathe::test_support

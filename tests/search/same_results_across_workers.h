// The reproducibility check of the coordinator tests: one reproducible search per worker
// count, each in its own folder, and the same results from every run (ids, points,
// recipes, metrics other than timings and placement, the front).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "search/synthetic_search.h"
#include "support/temp_dir.h"

namespace lathe::search::test_support {

inline void expect_same_results_across_workers(
    const std::function<Experiment(const std::filesystem::path&)>& experiment_in,
    std::initializer_list<int> worker_counts, std::size_t evaluations) {
  std::vector<std::string> reference;
  for (const int workers : worker_counts) {
    lathe::test_support::TempDir dir;
    const SearchRun run = run_synthetic_search(experiment_in(dir.path()), workers);
    ASSERT_EQ(run.outcome.evaluations.size(), evaluations) << workers << " workers";
    const std::vector<std::string> rows = comparable_rows(run.outcome);
    if (reference.empty()) {
      reference = rows;
    } else {
      EXPECT_EQ(rows, reference) << workers << " workers";
    }
  }
}

}  // namespace lathe::search::test_support

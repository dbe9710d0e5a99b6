// The numbers a campaign summary is made of, on outcomes built in code: the front's
// hypervolume in (size / base size, validation accuracy), and the spread over seeds.
#include <gtest/gtest.h>

#include <cmath>

#include "campaign/campaign_summary.h"
#include "campaign/summary_csv.h"

namespace lathe::campaign {
namespace {

search::EvaluationRecord record(std::int64_t id, std::int64_t bytes, double accuracy, bool feasible) {
  search::EvaluationRecord r;
  r.id = id;
  r.metrics.size_bytes = bytes;
  r.metrics.validation_accuracy = accuracy;
  r.feasible = feasible;
  return r;
}

TEST(CampaignSummary, HypervolumeIsTheAreaOfTheFeasibleFrontInsideTheReferenceBox) {
  search::SearchOutcome outcome;
  outcome.base.size_bytes = 1000;
  outcome.base.validation_accuracy = 0.9;
  outcome.evaluations = {record(0, 500, 0.9, true), record(1, 250, 0.85, true),
                         record(2, 100, 0.95, false),   // infeasible: never counts
                         record(3, 600, 0.86, true),    // dominated by #0
                         record(4, 200, 0.79, true)};   // below the reference accuracy 0.8
  // Reference (1, 0.9 - 0.1): (1 - 0.25) x (0.85 - 0.8) + (1 - 0.5) x (0.9 - 0.85).
  EXPECT_NEAR(size_accuracy_hypervolume(outcome, 0.1), 0.75 * 0.05 + 0.5 * 0.05, 1e-15);
  EXPECT_NEAR(size_accuracy_hypervolume(outcome, 0.0), 0.0, 1e-15) << "nothing is above the base's accuracy";
  outcome.evaluations.clear();
  EXPECT_EQ(size_accuracy_hypervolume(outcome, 0.1), 0.0);
}

TEST(CampaignSummary, SpreadIsMeanSampleDeviationLeastAndLargest) {
  const Spread spread = spread_of({1.0, 2.0, 6.0});
  EXPECT_EQ(spread.count, 3);
  EXPECT_DOUBLE_EQ(spread.mean, 3.0);
  EXPECT_DOUBLE_EQ(spread.deviation, std::sqrt((4.0 + 1.0 + 9.0) / 2.0));
  EXPECT_EQ(spread.min, 1.0);
  EXPECT_EQ(spread.max, 6.0);
  EXPECT_EQ(spread_of({4.0}).deviation, 0.0);
  EXPECT_TRUE(std::isnan(spread_of({}).mean));
}

TEST(CampaignSummary, BestSizeColumnsAreNamedByTheirDrop) {
  EXPECT_EQ(best_size_column(0.005), "best_size_bytes_drop_0.005");
  EXPECT_EQ(best_size_column(0.02), "best_size_bytes_drop_0.02");
}

}  // namespace
}  // namespace lathe::campaign

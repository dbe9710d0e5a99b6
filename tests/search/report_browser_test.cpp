// report.html as a real browser sees it: headless chromium parses the page (its DOM keeps
// every point and row) and draws it (the screenshot is not blank).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "search/report_html.h"
#include "support/browser.h"
#include "support/temp_dir.h"

namespace lathe::search {
namespace {

// Thirty evaluations from 2 kB to 200 kB, accuracy rising with size plus a fixed
// wobble; the base is 240 kB at 87.5 %, the limits 120 kB and a 5-point drop. Every
// eleventh failed; the front is computed here, as the coordinator would.
SearchOutcome synthetic_outcome() {
  SearchOutcome outcome;
  outcome.experiment_name = "browser-check";
  outcome.experiment_path = "configs/search/browser.yaml";
  outcome.experiment_yaml = "name: browser-check\nstrategy: {name: random}\n";
  outcome.strategy = "random";
  outcome.mode = "asynchronous";
  outcome.budget_evaluations = 32;
  outcome.objectives = {{"size_bytes", false}, {"validation_accuracy", true}};
  outcome.constraints.max_size_bytes = 120000;
  outcome.constraints.max_accuracy_drop = 0.05;
  outcome.base.size_bytes = 240000;
  outcome.base.validation_accuracy = 0.875;
  outcome.elapsed_seconds = 310.0;
  for (int i = 0; i < 30; ++i) {
    EvaluationRecord r;
    r.id = i;
    const double position = static_cast<double>((i * 7) % 30) / 29.0;
    r.point_json = "{\"prune.ratio\": " + std::to_string(1.0 - position) + "}";
    r.recipe_yaml = "- prune: {ratio: " + std::to_string(1.0 - position) + "}\n- finetune: {epochs: 1}\n";
    r.finished_seconds = 10.0 * (i + 1);
    r.metrics.rank = 1 + i % 4;
    r.metrics.host = "node" + std::to_string(i % 2);
    if (i % 11 == 5) {
      r.metrics.status = recipe::CandidateStatus::failed;
      r.metrics.message = "worker: out of memory <at step 3>";
      outcome.evaluations.push_back(r);
      continue;
    }
    r.metrics.size_bytes = static_cast<std::int64_t>(2000.0 * std::pow(100.0, position));
    r.metrics.validation_accuracy = 0.80 + 0.09 * position + 0.012 * std::sin(3.0 * i);
    r.metrics.test_accuracy = r.metrics.validation_accuracy - 0.004;
    r.metrics.macs = 40000 + 1000 * i;
    r.metrics.wall_seconds = 8.0 + i;
    r.objectives = {static_cast<double>(r.metrics.size_bytes), r.metrics.validation_accuracy};
    const bool small_enough = r.metrics.size_bytes <= outcome.constraints.max_size_bytes;
    const bool accurate_enough = outcome.base.validation_accuracy - r.metrics.validation_accuracy <=
                                 outcome.constraints.max_accuracy_drop;
    r.feasible = small_enough && accurate_enough;
    if (!small_enough) r.violated = "stored size > 120 kB";
    if (!accurate_enough)
      r.violated += (r.violated.empty() ? "" : ", ") + std::string("accuracy drop > 5 pt");
    outcome.evaluations.push_back(r);
  }
  for (const EvaluationRecord& a : outcome.evaluations) {
    if (!a.feasible) continue;
    bool dominated = false;
    for (const EvaluationRecord& b : outcome.evaluations) {
      dominated = dominated || (b.feasible && b.metrics.size_bytes <= a.metrics.size_bytes &&
                                b.metrics.validation_accuracy >= a.metrics.validation_accuracy &&
                                (b.metrics.size_bytes < a.metrics.size_bytes ||
                                 b.metrics.validation_accuracy > a.metrics.validation_accuracy));
    }
    if (!dominated) outcome.pareto_ids.push_back(a.id);
  }
  return outcome;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t found = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++found;
  }
  return found;
}

std::size_t feasible_count(const SearchOutcome& outcome) {
  std::size_t feasible = 0;
  for (const EvaluationRecord& record : outcome.evaluations) feasible += record.feasible ? 1 : 0;
  return feasible;
}

TEST(ReportBrowser, SyntheticOutcomeHasFeasibleInfeasibleFailedAndAFront) {
  // Guards the other tests' premise: every kind of mark is on the page they check.
  const SearchOutcome outcome = synthetic_outcome();
  const std::size_t feasible = feasible_count(outcome);
  EXPECT_GE(feasible, 10U);
  EXPECT_LE(feasible, 25U);
  EXPECT_GE(outcome.pareto_ids.size(), 3U);
  EXPECT_LT(outcome.pareto_ids.size(), feasible);
}

TEST(ReportBrowser, ChromiumsDomHasOnePointPerFeasibleEvaluationAndOneRowPerEvaluation) {
  const std::string why = test_support::why_no_chromium();
  ASSERT_TRUE(why.empty()) << why;
  const test_support::TempDir dir;
  const SearchOutcome outcome = synthetic_outcome();
  write_report_html(dir.file("report.html"), outcome);

  const test_support::BrowserRun run = test_support::dump_dom(dir.file("report.html"), dir.file("profile"));
  ASSERT_EQ(run.exit_code, 0) << run.log;
  // The DOM as parsed, not the text written: a stray '<' in a message would have
  // opened an element and swallowed rows.
  EXPECT_NE(run.output.find("</html>"), std::string::npos) << run.output.substr(0, 400);
  EXPECT_EQ(count(run.output, "<circle class=\"point"), feasible_count(outcome));
  EXPECT_EQ(count(run.output, "<circle class=\"point front"), outcome.pareto_ids.size());
  EXPECT_EQ(count(run.output, "<tr id=\"eval-"), outcome.evaluations.size());
  EXPECT_NE(run.output.find("worker: out of memory &lt;at step 3&gt;"), std::string::npos);
}

TEST(ReportBrowser, ChromiumsScreenshotOfTheReportIsNotBlank) {
  const std::string why = test_support::why_no_chromium();
  ASSERT_TRUE(why.empty()) << why;
  const test_support::TempDir dir;
  write_report_html(dir.file("report.html"), synthetic_outcome());

  const std::string png = dir.file("report.png");
  const test_support::BrowserRun run =
      test_support::screenshot(dir.file("report.html"), png, 1200, 1600, dir.file("profile"));
  ASSERT_EQ(run.exit_code, 0) << run.log;
  ASSERT_TRUE(std::filesystem::exists(png)) << run.log;
  const test_support::PngSummary summary = test_support::summarize_png(png);
  ASSERT_TRUE(summary.error.empty()) << summary.error;
  EXPECT_EQ(summary.width, 1200);
  EXPECT_EQ(summary.height, 1600);
  // Text, the tiles, grey crosses, blue and orange points: many colours; a blank or
  // error page has one or two.
  EXPECT_GE(summary.distinct_colours, 8U);
  EXPECT_GT(summary.non_white_fraction, 0.01);
}

}  // namespace
}  // namespace lathe::search

#include "search/report_html.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "core/error.h"
#include "search/report_format.h"
#include "search/report_selection.h"
#include "search/svg_plot.h"
#include "support/temp_dir.h"

namespace lathe::search {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

EvaluationRecord record(std::int64_t id, std::int64_t size, double accuracy, bool feasible,
                        recipe::CandidateStatus status = recipe::CandidateStatus::ok) {
  EvaluationRecord r;
  r.id = id;
  r.point_json = "{\"prune.ratio\": 0." + std::to_string(id) + "}";
  r.recipe_yaml = "- prune: {ratio: 0." + std::to_string(id) + "}\n";
  r.metrics.status = status;
  r.metrics.size_bytes = size;
  r.metrics.validation_accuracy = accuracy;
  r.metrics.test_accuracy = accuracy - 0.01;
  r.metrics.candidate_id = id;
  r.metrics.rank = static_cast<int>(id % 3) + 1;
  r.metrics.host = "node" + std::to_string(id % 2);
  r.feasible = feasible;
  r.violated = feasible ? "" : "stored size too large";
  r.objectives = {static_cast<double>(size), accuracy};
  r.finished_seconds = 10.0 * static_cast<double>(id + 1);
  return r;
}

SearchOutcome outcome_with(std::vector<EvaluationRecord> evaluations, std::vector<std::int64_t> front) {
  SearchOutcome outcome;
  outcome.experiment_name = "lenet5-fashion";
  outcome.experiment_path = "configs/search/lenet5.yaml";
  outcome.experiment_yaml = "name: lenet5-fashion\nbudget: {evaluations: 40}\n";
  outcome.strategy = "nsga2";
  outcome.mode = "reproducible";
  outcome.budget_evaluations = 40;
  outcome.objectives = {{"size_bytes", false}, {"validation_accuracy", true}};
  outcome.constraints.max_size_bytes = 60000;
  outcome.constraints.max_accuracy_drop = 0.02;
  outcome.base.size_bytes = 240000;
  outcome.base.validation_accuracy = 0.90;
  outcome.evaluations = std::move(evaluations);
  outcome.pareto_ids = std::move(front);
  outcome.elapsed_seconds = 125.0;
  return outcome;
}

// Ten evaluations: six feasible (three on the front), two measured but infeasible, a
// failure and a timeout (neither drawn).
SearchOutcome mixed_outcome() {
  return outcome_with(
      {record(0, 50000, 0.895, true), record(1, 20000, 0.885, true), record(2, 30000, 0.884, true),
       record(3, 8000, 0.881, true), record(4, 12000, 0.879, true), record(5, 40000, 0.890, true),
       record(6, 90000, 0.899, false), record(7, 3000, 0.70, false),
       record(8, 0, kNaN, false, recipe::CandidateStatus::failed),
       record(9, 0, kNaN, false, recipe::CandidateStatus::timeout)},
      {0, 1, 3});
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t found = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++found;
  }
  return found;
}

std::vector<std::string> svgs_of(const std::string& html) {
  std::vector<std::string> svgs;
  for (std::size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    svgs.push_back(html.substr(at, html.find("</svg>", at) - at));
  }
  return svgs;
}

// The values of every geometry attribute in `svg`.
std::vector<std::string> coordinates_of(const std::string& svg) {
  static const std::regex attribute(
      R"re(\s(cx|cy|r|x|y|x1|x2|y1|y2|width|height|d|transform|viewBox)="([^"]*)")re");
  std::vector<std::string> values;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), attribute); it != std::sregex_iterator();
       ++it) {
    values.push_back((*it)[2].str());
  }
  return values;
}

std::vector<std::int64_t> front_circle_ids(const std::string& html) {
  static const std::regex front(R"re(<circle class="point front[^"]*" data-id="(\d+)")re");
  std::vector<std::int64_t> ids;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), front); it != std::sregex_iterator(); ++it) {
    ids.push_back(std::stoll((*it)[1].str()));
  }
  return ids;
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void expect_finite_coordinates(const std::string& html) {
  for (const std::string& svg : svgs_of(html)) {
    for (const std::string& value : coordinates_of(svg)) {
      const std::string lower = lowercase(value);
      EXPECT_EQ(lower.find("nan"), std::string::npos) << value;
      EXPECT_EQ(lower.find("inf"), std::string::npos) << value;
    }
  }
}

TEST(ReportHtml, DrawsOnePointCircleForEachFeasibleEvaluationAndCrossesForInfeasibleOnes) {
  const std::string html = render_report_html(mixed_outcome());
  EXPECT_EQ(count(html, "<circle class=\"point"), 6U);
  // The two measured infeasible ones are crosses (paths), the failure and timeout not drawn.
  EXPECT_EQ(count(html, "<path class=\"infeasible"), 2U);
  EXPECT_EQ(count(html, "<path class=\"base\""), 1U);
  EXPECT_EQ(count(html, "<tr id=\"eval-"), 10U);
  for (int id = 0; id < 10; ++id) {
    EXPECT_EQ(count(html, "<tr id=\"eval-" + std::to_string(id) + "\""), 1U) << id;
  }
  // Every point links to its row and carries a tooltip.
  EXPECT_NE(html.find("<a href=\"#eval-4\"><circle class=\"point\" data-id=\"4\""), std::string::npos);
  EXPECT_NE(html.find("<title>#4: 12 kB, 87.90 % validation accuracy, 20.0× smaller than the base</title>"),
            std::string::npos);
}

TEST(ReportHtml, MarksExactlyTheParetoIdsAsTheFrontAndJoinsThemWithAStepLine) {
  const SearchOutcome outcome = mixed_outcome();
  const std::string html = render_report_html(outcome);
  EXPECT_EQ(front_circle_ids(html), outcome.pareto_ids);
  EXPECT_EQ(count(html, "<path class=\"front-line\""), 1U);
  // Three members: a move, then a horizontal and a vertical segment to each next one.
  const std::size_t line = html.find("<path class=\"front-line\" d=\"M");
  const std::string d = html.substr(line, html.find("\"/>", line) - line);
  EXPECT_EQ(count(d, " H"), 2U);
  EXPECT_EQ(count(d, " V"), 2U);
  EXPECT_EQ(count(html, "<tr id=\"eval-0\" class=\"feasible front\""), 1U);
}

TEST(ReportHtml, DrawsTheLimitLinesWithLabels) {
  const std::string html = render_report_html(mixed_outcome());
  EXPECT_EQ(count(html, "<line class=\"constraint\""), 2U);
  EXPECT_NE(html.find(">max size 60 kB</text>"), std::string::npos);
  EXPECT_NE(html.find(">max drop 2.00 pt (88.00 %)</text>"), std::string::npos);

  SearchOutcome unconstrained = mixed_outcome();
  unconstrained.constraints.max_size_bytes = 0;
  unconstrained.constraints.max_accuracy_drop = -1.0;
  EXPECT_EQ(count(render_report_html(unconstrained), "<line class=\"constraint\""), 0U);
}

TEST(ReportHtml, EscapesMessagesRecipesPointsAndTheExperimentFile) {
  SearchOutcome outcome = mixed_outcome();
  outcome.evaluations[8].metrics.message = "<script>alert(\"x\")</script> & 'quoted'";
  outcome.evaluations[2].recipe_yaml = "- note: \"<b>bold</b> & more\"\n";
  outcome.evaluations[2].point_json = "{\"name\": \"<i>\"}";
  outcome.experiment_yaml = "name: <img src=x onerror=alert(1)>\n";
  outcome.experiment_name = "a&b <c>";
  const std::string html = render_report_html(outcome);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;"),
            std::string::npos);
  EXPECT_EQ(html.find("<b>bold</b>"), std::string::npos);
  EXPECT_NE(html.find("&quot;&lt;b&gt;bold&lt;/b&gt; &amp; more&quot;"), std::string::npos);
  EXPECT_NE(html.find("{&quot;name&quot;: &quot;&lt;i&gt;&quot;}"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("<h1>a&amp;b &lt;c&gt;</h1>"), std::string::npos);
  // The page's own script is the only one.
  EXPECT_EQ(count(html, "<script>"), 1U);
}

TEST(ReportHtml, IsOneSelfContainedFileThatFetchesNothing) {
  const std::string html = render_report_html(mixed_outcome());
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0U);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
}

TEST(ReportHtml, ShowsTheHeaderFactsAndTheExperimentFile) {
  const std::string html = render_report_html(mixed_outcome());
  EXPECT_NE(html.find("\">nsga2</div>"), std::string::npos);
  EXPECT_NE(html.find("\">reproducible</div>"), std::string::npos);
  EXPECT_NE(html.find("\">10 / 40</div>"), std::string::npos);     // evaluations done / budget
  EXPECT_NE(html.find("\">2 min 05 s</div>"), std::string::npos);  // elapsed
  EXPECT_NE(html.find("\">240 kB</div>"), std::string::npos);      // base size
  EXPECT_NE(html.find("\">90.00 %</div>"), std::string::npos);     // base validation accuracy
  EXPECT_NE(html.find("<pre class=\"experiment\">name: lenet5-fashion\nbudget: {evaluations: 40}\n</pre>"),
            std::string::npos);
  EXPECT_NE(html.find("<details><summary>point &amp; recipe</summary>"), std::string::npos);
  // One column per objective, its direction marked; counts print whole.
  EXPECT_NE(html.find(">size_<wbr>bytes ↓</th>"), std::string::npos);
  EXPECT_NE(html.find(">validation_<wbr>accuracy ↑</th>"), std::string::npos);
  EXPECT_NE(
      html.find(
          "<td class=\"num\" data-v=\"12000\">12,000</td><td class=\"num\" data-v=\"0.879\">0.8790</td>"),
      std::string::npos);
}

TEST(ReportHtml, RendersAnEmptySearch) {
  SearchOutcome outcome = outcome_with({}, {});
  outcome.base = recipe::CandidateMetrics{};  // not measured yet either
  outcome.elapsed_seconds = 0.0;
  const std::string html = render_report_html(outcome);
  EXPECT_EQ(count(html, "<circle class=\"point"), 0U);
  EXPECT_EQ(count(html, "<tr id=\"eval-"), 0U);
  EXPECT_EQ(count(html, "<path class=\"base\""), 0U);
  EXPECT_NE(html.find("No evaluations yet"), std::string::npos);
  for (const char* section :
       {"id=\"front\"", "id=\"best\"", "id=\"progress\"", "id=\"evaluations\"", "id=\"experiment\""}) {
    EXPECT_NE(html.find(section), std::string::npos) << section;
  }
  EXPECT_NE(html.rfind("</html>"), std::string::npos);
  expect_finite_coordinates(html);
}

TEST(ReportHtml, RendersAnAllInfeasibleSearch) {
  const std::string html =
      render_report_html(outcome_with({record(0, 90000, 0.80, false), record(1, 70000, 0.85, false),
                                       record(2, 0, kNaN, false, recipe::CandidateStatus::diverged)},
                                      {}));
  EXPECT_EQ(count(html, "<circle class=\"point"), 0U);
  EXPECT_EQ(count(html, "<path class=\"infeasible"), 2U);
  EXPECT_EQ(count(html, "<tr id=\"eval-"), 3U);
  EXPECT_NE(html.find("No feasible evaluation yet"), std::string::npos);
  // None under any accuracy limit: 0.5, 1 and 2 points (the experiment's own, merged).
  EXPECT_EQ(count(html, "no feasible evaluation within it"), 3U);
  expect_finite_coordinates(html);
}

TEST(ReportHtml, PrintsNoNanIntoSvgCoordinatesForUnmeasuredMetrics) {
  // Feasible but unmeasured (no accuracy limit, so NaN accuracy passes), a zero size, a
  // NaN base, NaN times: every mark is still drawn, at the axis, with finite numbers.
  SearchOutcome outcome = outcome_with({record(0, 20000, kNaN, true), record(1, 0, 0.85, true),
                                        record(2, 30000, 0.86, true), record(3, 5000, kNaN, false)},
                                       {2});
  outcome.constraints.max_accuracy_drop = -1.0;
  outcome.base.validation_accuracy = kNaN;
  outcome.base.size_bytes = 0;
  outcome.elapsed_seconds = kNaN;
  outcome.evaluations[1].finished_seconds = kNaN;
  const std::string html = render_report_html(outcome);
  EXPECT_EQ(count(html, "<circle class=\"point"), 3U);
  EXPECT_EQ(count(html, "<circle class=\"point unmeasured\""), 2U);
  EXPECT_EQ(count(html, "<path class=\"infeasible unmeasured\""), 1U);
  expect_finite_coordinates(html);
  // Nor in the tables: an unknown value prints as a dash.
  const std::string table = html.substr(html.find("<table class=\"evaluations"));
  EXPECT_EQ(lowercase(table.substr(0, table.find("</table>"))).find("nan"), std::string::npos);
}

TEST(ReportHtml, GivesASinglePointFiniteAxesWithTicks) {
  SearchOutcome outcome = outcome_with({record(0, 20000, 0.87, true)}, {0});
  outcome.constraints = recipe::TargetCondition{};
  outcome.base = recipe::CandidateMetrics{};
  const std::string html = render_report_html(outcome);
  static const std::regex circle(
      R"re(<circle class="point front" data-id="0" cx="([-0-9.]+)" cy="([-0-9.]+)")re");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(html, match, circle));
  const double cx = std::stod(match[1].str());
  const double cy = std::stod(match[2].str());
  // Inside the plot area, not on its edge: the domain was widened around the point.
  EXPECT_GT(cx, 100.0);
  EXPECT_LT(cx, 900.0);
  EXPECT_GT(cy, 60.0);
  EXPECT_LT(cy, 450.0);
  const std::string pareto = svgs_of(html).front();
  static const std::regex x_tick(R"re(<text class="tick" x="[-0-9.]+" y="[-0-9.]+" text-anchor="middle">)re");
  EXPECT_GE(std::distance(std::sregex_iterator(pareto.begin(), pareto.end(), x_tick), std::sregex_iterator()),
            2);
  EXPECT_NE(pareto.find(" kB</text>"), std::string::npos);
  expect_finite_coordinates(html);
}

TEST(ReportHtml, WritesTheFileAtomicallyLeavingNoTemporary) {
  const test_support::TempDir dir;
  const SearchOutcome outcome = mixed_outcome();
  const std::string path = dir.file("report.html");
  dir.write("report.html", "old report");
  write_report_html(path, outcome);
  std::ifstream file(path);
  const std::string written((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, render_report_html(outcome));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"report.html"});
}

TEST(ReportHtml, AFailedWriteNamesThePathAndKeepsTheOldReport) {
  const test_support::TempDir dir;
  const std::string path = dir.file("report.html");
  dir.write("report.html", "old report");
  // A directory where the temporary file goes: creating it fails (even as root).
  std::filesystem::create_directory(path + ".tmp");
  try {
    write_report_html(path, mixed_outcome());
    FAIL() << "expected lathe::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": cannot create the temporary report " + path + ".tmp"),
              std::string::npos)
        << e.what();
  }
  std::ifstream file(path);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>()),
            "old report");
  EXPECT_TRUE(std::filesystem::is_directory(path + ".tmp"));  // not ours: left alone

  try {
    write_report_html(dir.file("missing/report.html"), mixed_outcome());
    FAIL() << "expected lathe::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir.file("missing/report.html") +
                                         ": cannot write the report: its directory"),
              std::string::npos)
        << e.what();
  }
}

TEST(ReportSelection, PicksTheSmallestFeasibleWithinEachAccuracyLimit) {
  // Base 90 %: #0 drops 2 pt, #1 0.5 pt, #2 0.9 pt, #3 is smaller still but infeasible,
  // #4 ties #2's size with a higher accuracy.
  SearchOutcome outcome =
      outcome_with({record(0, 100, 0.880, true), record(1, 200, 0.895, true), record(2, 150, 0.891, true),
                    record(3, 50, 0.899, false), record(4, 150, 0.8915, true)},
                   {});
  outcome.constraints.max_accuracy_drop = 0.015;
  const std::vector<AccuracyLimitChoice> choices = best_per_accuracy_limit(outcome);
  ASSERT_EQ(choices.size(), 4U);
  const double drops[] = {0.005, 0.01, 0.015, 0.02};
  const std::int64_t best[] = {1, 4, 4, 0};
  for (std::size_t i = 0; i < choices.size(); ++i) {
    EXPECT_DOUBLE_EQ(choices[i].max_drop, drops[i]) << i;
    EXPECT_EQ(choices[i].experiment_limit, i == 2) << i;
    ASSERT_NE(choices[i].best, nullptr) << i;
    EXPECT_EQ(choices[i].best->id, best[i]) << i;
  }
}

TEST(ReportSelection, MergesTheExperimentsLimitIntoAnEqualOneAndListsNoLimitLast) {
  SearchOutcome outcome = outcome_with({record(0, 100, 0.80, true), record(1, 200, 0.899, true)}, {});
  outcome.constraints.max_accuracy_drop = 0.01;
  std::vector<AccuracyLimitChoice> choices = best_per_accuracy_limit(outcome);
  ASSERT_EQ(choices.size(), 3U);
  EXPECT_TRUE(choices[1].experiment_limit);
  EXPECT_EQ(choices[1].best->id, 1);

  outcome.constraints.max_accuracy_drop = -1.0;
  choices = best_per_accuracy_limit(outcome);
  ASSERT_EQ(choices.size(), 4U);
  EXPECT_LT(choices[3].max_drop, 0.0);
  EXPECT_TRUE(choices[3].experiment_limit);
  EXPECT_EQ(choices[3].best->id, 0);  // no accuracy limit: the smallest feasible of all
  EXPECT_EQ(choices[0].best->id, 1);
}

TEST(ReportSelection, ProgressFollowsFinishTimeWithTheRunningBestAndFeasibleCount) {
  SearchOutcome outcome = outcome_with({record(0, 5000, 0.89, true), record(1, 9000, 0.89, true),
                                        record(2, 1000, 0.7, false), record(3, 3000, 0.89, true)},
                                       {});
  outcome.evaluations[0].finished_seconds = 30.0;  // finished after #1 and #2
  outcome.evaluations[1].finished_seconds = 5.0;
  outcome.evaluations[2].finished_seconds = 6.0;
  outcome.evaluations[3].finished_seconds = 40.0;
  const std::vector<ProgressStep> steps = progress_over_time(outcome);
  ASSERT_EQ(steps.size(), 4U);
  const double seconds[] = {5.0, 6.0, 30.0, 40.0};
  const std::int64_t best[] = {9000, 9000, 5000, 3000};
  const std::int64_t feasible[] = {1, 1, 2, 3};
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_DOUBLE_EQ(steps[i].seconds, seconds[i]) << i;
    EXPECT_EQ(steps[i].best_size, best[i]) << i;
    EXPECT_EQ(steps[i].feasible, feasible[i]) << i;
    EXPECT_EQ(steps[i].finished, static_cast<std::int64_t>(i + 1)) << i;
  }
}

TEST(ReportFormat, WritesSizesRatiosPercentagesAndDurationsReadably) {
  EXPECT_EQ(format_bytes(999), "999 B");
  EXPECT_EQ(format_bytes(1000), "1 kB");
  EXPECT_EQ(format_bytes(12345), "12.3 kB");
  EXPECT_EQ(format_bytes(1.5e6), "1.5 MB");
  EXPECT_EQ(format_bytes(0), "—");
  EXPECT_EQ(format_bytes(kNaN), "—");
  EXPECT_EQ(format_ratio(240000, 12000), "20.0×");
  EXPECT_EQ(format_ratio(240000, 0), "—");
  EXPECT_EQ(format_percent(0.98312), "98.31 %");
  EXPECT_EQ(format_percent(kNaN), "—");
  EXPECT_EQ(format_duration(0.5), "0.50 s");
  EXPECT_EQ(format_duration(192), "3 min 12 s");
  EXPECT_EQ(format_duration(7500), "2 h 05 min");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_count(-1000), "-1,000");
  EXPECT_EQ(format_number(kNaN), "—");
  EXPECT_EQ(html_escape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
}

TEST(SvgPlot, LogTicksAreRoundAndAtLeastTwoForAnyDomain) {
  EXPECT_EQ(log_ticks({800, 1.2e6}), (std::vector<double>{1e3, 1e4, 1e5, 1e6}));
  EXPECT_EQ(log_ticks({1500, 40000}), (std::vector<double>{2e3, 5e3, 1e4, 2e4}));
  // Over one decade every digit is a tick; the labels keep their distance.
  const std::vector<Tick> spaced =
      spaced_ticks({{0, "90 kB"}, {20, "100 kB"}, {100, "200 kB"}, {130, "300 kB"}}, 50);
  ASSERT_EQ(spaced.size(), 2U);
  EXPECT_EQ(spaced[1].label, "200 kB");
  for (const double low : {1.0, 3.3, 7.9, 1234.0, 9.99e5}) {
    const Interval domain = log_domain({low}, 4.0, 1.0, {1, 10});
    EXPECT_NEAR(domain.high / domain.low, 4.0, 1e-9) << low;
    EXPECT_GE(log_ticks(domain).size(), 2U) << low;
  }
}

TEST(SvgPlot, DomainsNeverCollapseAndScalesReturnFinitePixels) {
  const Interval single = linear_domain({87.0, kNaN}, 1.0, 0.1, {0, 100});
  EXPECT_DOUBLE_EQ(single.low, 86.5);
  EXPECT_DOUBLE_EQ(single.high, 87.5);
  const Interval none = linear_domain({kNaN}, 1.0, 0.1, {0, 100});
  EXPECT_DOUBLE_EQ(none.low, 0.0);
  EXPECT_DOUBLE_EQ(none.high, 100.0);
  const Scale y = Scale::linear(single, 400, 50);
  EXPECT_DOUBLE_EQ(y(87.0), 225.0);
  EXPECT_DOUBLE_EQ(y(kNaN), 400.0);  // the axis
  EXPECT_DOUBLE_EQ(y(1e9), 50.0);    // clamped to the top
  const Scale x = Scale::log10({100, 10000}, 0, 200);
  EXPECT_DOUBLE_EQ(x(1000), 100.0);
  EXPECT_DOUBLE_EQ(x(0), 0.0);
  EXPECT_DOUBLE_EQ(x(-std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_EQ(svg_number(kNaN), "0");
  EXPECT_EQ(svg_number(12.04), "12");
  EXPECT_EQ(svg_number(-0.01), "0");
  EXPECT_EQ(svg_number(3.26), "3.3");
}

}  // namespace
}  // namespace lathe::search

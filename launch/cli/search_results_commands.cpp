// `lathe results OUT/ --csv|--json` and `lathe report OUT/`: the table of a search's
// evaluations for scripts, and its report, rebuilt from the journal in the output folder
// (also while the search runs, or after it was killed).
#include <cstdio>

#include "cli/commands.h"
#include "core/error.h"
#include "search/report_html.h"
#include "search/results_table.h"
#include "search/search_outcome.h"
#include "search/search_output.h"

namespace lathe::cli {
namespace {

int run_results(const Arguments& arguments) {
  const bool csv = arguments.flag("csv");
  const bool json = arguments.flag("json");
  LATHE_CHECK(csv != json, "lathe results: give exactly one of --csv and --json");
  const search::StoredSearch stored = search::read_stored_search(arguments.positional(0));
  const search::SearchOutcome outcome = search::build_outcome(stored.experiment, stored.history);
  const std::string text = csv ? search::results_csv(outcome) : search::results_json(outcome);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

int run_report(const Arguments& arguments) {
  const std::string folder = arguments.positional(0);
  const search::StoredSearch stored = search::read_stored_search(folder);
  const search::SearchOutcome outcome = search::build_outcome(stored.experiment, stored.history);
  const search::SearchPaths paths = search::search_paths(folder);
  search::publish_outcome(paths, outcome);
  std::printf("wrote %s and %s (%zu evaluations, %zu on the front)\n", paths.report.c_str(),
              paths.results.c_str(), outcome.evaluations.size(), outcome.pareto_ids.size());
  return 0;
}

}  // namespace

const Command& results_command() {
  static const Command command{
      {"results",
       "lathe results OUT/ --csv|--json",
       "print a search's evaluations as CSV or JSON",
       "Reads the journal of the search in OUT/ (finished, running or killed) and prints one row\n"
       "per evaluation: objectives, metrics, status, feasibility, front membership, provenance.",
       {"OUT"},
       {{"csv", "", "CSV with a header line"}, {"json", "", "one JSON document"}}},
      run_results,
      nullptr};
  return command;
}

const Command& report_command() {
  static const Command command{
      {"report",
       "lathe report OUT/",
       "(re)write a search's report.html and results.h5 from its journal",
       "Rebuilds OUT/report.html and OUT/results.h5 from OUT/journal.lathe, e.g. while a\n"
       "search runs or after it was killed. Both are written atomically.",
       {"OUT"},
       {}},
      run_report,
      nullptr};
  return command;
}

}  // namespace lathe::cli

#include "search/search_output.h"

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "search/journal.h"
#include "search/report_html.h"
#include "search/results_file.h"
#include "search/search_outcome.h"

namespace lathe::search {
namespace fs = std::filesystem;

SearchPaths search_paths(const std::string& folder) {
  const fs::path root(folder);
  return {folder, (root / "journal.lathe").string(), (root / "experiment.yaml").string(),
          (root / "results.h5").string(), (root / "report.html").string()};
}

SearchHistory open_search_output(const Experiment& experiment) {
  const SearchPaths paths = search_paths(experiment.file.output);
  if (fs::exists(paths.journal)) {
    SearchHistory history = read_search_history(paths.journal);
    LATHE_CHECK(history.identity == experiment.identity, paths.folder, ": holds the search of experiment '",
                history.name, "' (identity ", history.identity, "), not of ", experiment.path, " (identity ",
                experiment.identity, "); nothing was changed. Use another output folder, or remove this "
                "one to start over (only budget, output and name may change between runs)");
    const bool both_known = !history.base_file_hash.empty() && !experiment.base_file_hash.empty();
    LATHE_CHECK(!both_known || history.base_file_hash == experiment.base_file_hash, paths.folder,
                ": its search ran on another ", experiment.file.kind == "train" ? "training config " : "base ",
                experiment.file.kind == "train" ? experiment.file.train : experiment.file.base,
                " (contents hash ", history.base_file_hash, ", now ", experiment.base_file_hash,
                "); nothing was changed. Use another output folder for the new base, or restore the old one");
    return history;
  }
  if (fs::exists(paths.folder)) {
    LATHE_CHECK(fs::is_directory(paths.folder), paths.folder, ": exists and is not a folder");
    LATHE_CHECK(fs::is_empty(paths.folder), paths.folder,
                ": holds files but no journal.lathe, so it is not a Lathe search's output; nothing was "
                "changed. Use another output folder");
  }
  fs::create_directories(paths.folder);
  {
    const std::string temporary = paths.experiment + ".tmp";
    std::ofstream out(temporary);
    out << experiment.yaml_text;
    out.close();
    LATHE_CHECK(out.good(), temporary, ": cannot write the experiment copy");
    fs::rename(temporary, paths.experiment);
  }
  JournalWriter journal(paths.journal);
  journal.append(experiment_event(experiment.identity, experiment.file.name));
  SearchHistory history;
  history.identity = experiment.identity;
  history.name = experiment.file.name;
  return history;
}

StoredSearch read_stored_search(const std::string& folder) {
  const SearchPaths paths = search_paths(folder);
  LATHE_CHECK(fs::exists(paths.journal), folder, ": no journal.lathe here (expected a search's output folder)");
  LATHE_CHECK(fs::exists(paths.experiment), folder, ": no experiment.yaml here (expected a search's output folder)");
  StoredSearch stored{load_experiment(paths.experiment), read_search_history(paths.journal)};
  LATHE_CHECK(stored.history.identity == stored.experiment.identity, paths.experiment,
              ": does not match the journal beside it (identity ", stored.experiment.identity, " vs ",
              stored.history.identity, ")");
  return stored;
}

void publish_outcome(const SearchPaths& paths, const SearchOutcome& outcome) {
  write_results_file(paths.results, outcome);
  write_report_html(paths.report, outcome);
}

}  // namespace lathe::search

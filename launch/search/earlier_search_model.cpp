#include "search/earlier_search_model.h"

#include <filesystem>
#include <tuple>

#include "core/error.h"
#include "io/path_checks.h"
#include "search/search_outcome.h"
#include "search/search_output.h"

namespace lathe::search {
namespace fs = std::filesystem;

EarlierSearchModel smallest_feasible_model(const std::string& folder, const std::string& source) {
  const SearchPaths paths = search_paths(folder);
  LATHE_CHECK(!io::path_is_missing(paths.journal), source, ": base_search: ", folder,
              ": no search there (no journal.lathe); run that search first");
  const StoredSearch stored = read_stored_search(folder);
  LATHE_CHECK(stored.history.base.has_value(), source, ": base_search: ", folder,
              ": that search has not measured its base yet; run it first");
  const SearchOutcome outcome = build_outcome(stored.experiment, stored.history);
  const EvaluationRecord* chosen = nullptr;
  const auto ranking = [](const EvaluationRecord& r) {
    return std::make_tuple(r.metrics.size_bytes, -r.metrics.validation_accuracy, r.id);
  };
  for (const EvaluationRecord& record : outcome.evaluations) {
    if (!record.feasible || record.artifact.empty()) continue;
    if (!fs::is_regular_file(fs::path(folder) / record.artifact)) continue;
    if (chosen == nullptr || ranking(record) < ranking(*chosen)) chosen = &record;
  }
  LATHE_CHECK(chosen != nullptr, source, ": base_search: ", folder, ": none of its ", outcome.evaluations.size(),
              " evaluations is a feasible model with its artifact in ", folder, "/artifacts");
  EarlierSearchModel model;
  model.checkpoint = (fs::path(folder) / chosen->artifact).string();
  model.candidate_id = chosen->id;
  model.metrics = chosen->metrics;
  model.reference = *stored.history.base;
  return model;
}

void resolve_base_search(Experiment& experiment) {
  if (experiment.file.base_search.empty()) return;
  const EarlierSearchModel model = smallest_feasible_model(experiment.file.base_search, experiment.path);
  experiment.file.base = model.checkpoint;
  experiment.reference = model.reference;
}

}  // namespace lathe::search

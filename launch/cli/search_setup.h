// What `lathe search` does before any rank starts work: reads and checks the experiment,
// trains the base when the experiment says so, and checks the recipes of the space
// against the base (every choice and both ends of every range), so that a bad key fails
// at once with the experiment's file and line, not hours later in a worker.
#pragma once

#include <memory>
#include <string>

#include "search/experiment.h"
#include "search/recipe_candidate_runner.h"

namespace lathe::cli {

search::Experiment prepare_search(const std::string& experiment_path);
// The same for an experiment already read (a campaign's task); messages name its `path`.
search::Experiment prepare_search(search::Experiment experiment);

// Only checks: the experiment file, and its space against the base when the base exists
// (nothing is trained or written). Returns a one-line summary.
std::string check_search(const std::string& experiment_path);

// The worker's settings; `workers_on_node` shares the node's cores when threads is 0.
search::RunnerSettings runner_settings(const search::Experiment& experiment, int workers_on_node,
                                       bool verbose);

// The worker's runner: recipes applied to the base, or (kind: train) training runs.
std::unique_ptr<search::CandidateRunner> make_runner(const search::Experiment& experiment,
                                                     const search::RunnerSettings& settings);

// The space's syntax, for `lathe search --help`.
std::string search_space_help();

}  // namespace lathe::cli

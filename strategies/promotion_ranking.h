// How the multi-fidelity strategies rank the candidates of one rung for promotion with
// several objectives and hard constraints (as MO-ASHA, Schmucker et al. 2021, does with
// NSGA-II's ordering): constraint-domination fronts first, then the larger crowding
// distance within a front, then the smaller id. Candidates that did not complete come
// last and are never promoted.
#pragma once

#include <cstddef>
#include <vector>

#include "strategies/search_space.h"

namespace lathe::search {

// Indices into `evaluations`, best first.
std::vector<std::size_t> best_first(const std::vector<Evaluation>& evaluations);

// The indices of the candidates a rung of `evaluations` promotes: the best
// floor(size / eta), at least one when any completed, completed ones only; best first.
std::vector<std::size_t> promoted(const std::vector<Evaluation>& evaluations, int eta);

}  // namespace lathe::search

// Pareto dominance, Deb's constraint-domination, non-dominated sorting and crowding, for
// minimised objectives (launch/ negates the maximised ones before a strategy hears them).
#pragma once

#include <cstddef>
#include <vector>

#include "strategies/search_space.h"

namespace lathe::search {

// a is no worse than b in every objective and better in at least one. Throws lathe::Error
// when their lengths differ.
bool dominates(const std::vector<double>& a, const std::vector<double>& b);

// The violation constraint-domination uses: +infinity for an evaluation that did not
// complete (failed, timed out, crashed) or whose objectives or violation are NaN, so
// that it ranks below every one that did; otherwise the violation (negative counts as 0).
double effective_violation(const Evaluation& evaluation);
// Feasible: completed, with an effective violation of 0.
bool is_feasible(const Evaluation& evaluation);

// Deb's constraint-domination: a feasible evaluation beats an infeasible one; of two
// infeasible ones the smaller violation wins; two feasible ones compare by Pareto
// dominance of their objectives.
bool constraint_dominates(const Evaluation& a, const Evaluation& b);

// Fast non-dominated sorting (Deb et al. 2002) under constraint-domination: front 0 holds
// the evaluations nothing dominates, front 1 those only front 0 dominates, and so on.
// Every index appears in exactly one front; each front lists its indices in input order.
std::vector<std::vector<std::size_t>> non_dominated_fronts(
    const std::vector<Evaluation>& evaluations);

// Crowding distance of each member of `front` (indices into `evaluations`), in the
// front's order: +infinity at either end of any objective, otherwise the sum over
// objectives of the gap between neighbours divided by the objective's range. Members
// without objectives (not completed) get 0.
std::vector<double> crowding_distances(const std::vector<Evaluation>& evaluations,
                                       const std::vector<std::size_t>& front);

// Indices, in input order, of the feasible evaluations (completed, violation 0) that no
// other feasible one dominates; of several with the same objective vector only the first
// is kept. Infeasible and not-completed evaluations never enter the front.
std::vector<std::size_t> pareto_front(const std::vector<Evaluation>& evaluations);

}  // namespace lathe::search

// The search space as strategies see it: named dimensions and points in them. Nothing
// here knows what a dimension means (a pruning ratio, a bit width, a learning rate):
// launch/search/ turns an experiment's space into dimensions and a point back into a
// recipe. This folder never depends on MPI, on nn/ layers or on the evaluator.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "strategies/rng.h"

namespace YAML {
class Node;
}

namespace lathe::search {

struct Dimension {
  enum class Kind {
    categorical,  // one of `choices`; the value is the index 0..choices.size()-1
    integer,      // an integer in [low, high]
    real,         // a number in [low, high]
    log_real,     // a number in [low, high], 0 < low, sampled uniformly in log space
  };
  std::string name;   // e.g. "prune.ratio", "quantize.weight_bits.conv1"
  Kind kind = Kind::real;
  std::vector<std::string> choices;  // categorical: the labels, in the order written
  double low = 0.0;
  double high = 1.0;
};

struct SearchSpace {
  std::vector<Dimension> dimensions;
};

// One value per dimension, in the space's order: categorical values are indices,
// integers are integral doubles.
using Point = std::vector<double>;

// A candidate a strategy asks to be evaluated. Ids are assigned by the strategy, from 0,
// in the order it asks, so they are the same on every run with the same seed.
struct Candidate {
  std::int64_t id = -1;
  Point point;
  // Budget level for multi-fidelity strategies (successive halving, ASHA): rung 0 is the
  // cheapest. `parent` is the candidate whose saved state a promotion continues (-1: none).
  int rung = 0;
  std::int64_t parent = -1;
  // The candidate whose model (its artifact) this one starts from instead of the base: a
  // fallback chain's attempt that starts from the best earlier one (-1: the base).
  std::int64_t start_from = -1;
  // Ablation-greedy (M1) rounds: the round (>= 0) this candidate belongs to, and its part:
  // shard >= 0 scores that slice of `shards` of its start model's groups (removing none);
  // shard = -1 removes the groups the round's scores chose and fine-tunes.
  int round = -1;
  int shard = -1;
  int shards = 0;
};

// What the strategy hears of one evaluation. Every objective is MINIMISED here
// (launch/ negates the maximised ones, as Optuna does).
struct Evaluation {
  std::int64_t id = -1;
  Point point;
  int rung = 0;
  bool completed = false;            // false: failed, diverged, timed out or crashed
  std::vector<double> objectives;    // minimised; empty when !completed
  double constraint_violation = 0.0; // 0: feasible; > 0: by how much (normalised sum)
};

// Checks a space before a strategy searches it: at least one dimension, names non-empty
// and unique, categorical choices non-empty and unique, low <= high and finite, integer
// bounds integral, log_real low > 0. Throws lathe::Error naming the dimension.
void check_space(const SearchSpace& space);

// A uniform sample of the space: log_real uniform in log space, integers in [low, high]
// both included, categorical uniform over the indices.
Point sample_point(const SearchSpace& space, Rng& rng);

// Throws lathe::Error, naming the dimension, unless `point` has one value per dimension,
// each inside its range (integral for integers, an index for categorical ones).
void check_point(const SearchSpace& space, const Point& point);

// The point by dimension name, one line of JSON in the space's order:
// {"prune.ratio": 0.5, "quantize.act_bits": "8"}. Categorical values are their labels;
// numbers are printed with 17 significant digits, so they read back exactly.
std::string point_to_json(const SearchSpace& space, const Point& point);
// The inverse of point_to_json (any key order; every dimension once, nothing else).
// Throws lathe::Error naming `source` and the dimension for anything else.
Point point_from_json(const SearchSpace& space, const std::string& json,
                      const std::string& source = "point");
// A point given by some dimensions (a YAML or JSON mapping of names to values); the others
// keep their values in `defaults`. Errors as point_from_json's.
Point partial_point(const SearchSpace& space, const YAML::Node& values, const Point& defaults,
                    const std::string& source);

}  // namespace lathe::search

// M5: a fallback chain of lightweighting methods. An ordered list of attempts (each a
// recipe) is tried until one meets the target condition; each attempt starts from the
// base model or (ours) from the best result so far. The chain stops at the first attempt
// that meets the target, else keeps the best one (see best_attempt()).
//
//   target: {max_size_bytes: 12000, max_accuracy_drop: 0.01}
//   attempts:
//     - {name: small-student, recipe: configs/recipes/lenet5_student.yaml}
//     - {name: quantize-4bit, recipe: [{quantize: {method: qat, weight_bits: 4}},
//                                      {finetune: {epochs: 1}}]}
//     - {name: prune-then-4bit, start_from: best, recipe: ...}
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "config/field_checks.h"
#include "recipe/evaluator.h"
#include "recipe/recipe.h"

namespace lathe::recipe {

// All given conditions must hold (and). 0 / absent means no limit. The accuracy drop is
// measured on the validation split (test accuracy is never used for choosing).
struct TargetCondition {
  std::int64_t max_size_bytes = 0;
  double max_accuracy_drop = -1.0;  // fraction (0.01 = one point); negative: no limit
  std::int64_t max_macs = 0;
  double max_latency_ms = 0.0;      // at batch 1

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.number("max_size_bytes", max_size_bytes, Range::at_least(0),
             "stored weight bytes at most this (0: no limit)");
    v.number("max_accuracy_drop", max_accuracy_drop, Range::closed(-1.0, 1.0),
             "validation accuracy at most this far below the base, as a fraction (negative: no limit)");
    v.number("max_macs", max_macs, Range::at_least(0), "MACs per image at most this (0: no limit)");
    v.number("max_latency_ms", max_latency_ms, Range::at_least(0.0),
             "batch-1 latency in ms at most this (0: no limit)");
  }
};

struct FallbackAttempt {
  std::string name;
  std::string start_from = "base";  // base | best (the best attempt so far, ours)
  Recipe recipe;
};

struct FallbackChain {
  TargetCondition target;
  std::vector<FallbackAttempt> attempts;
  std::string source;
};

FallbackChain load_fallback_chain(const std::string& path);
FallbackChain parse_fallback_chain(const std::string& yaml_text, const std::string& source);
FallbackChain fallback_chain_from_yaml(const YAML::Node& root, const std::string& source);

// Which conditions a result fails, as readable text ("" when it meets the target).
std::string unmet_conditions(const TargetCondition& target, const CandidateMetrics& base,
                             const CandidateMetrics& candidate);

struct AttemptRecord {
  std::string name;
  std::string started_from;
  CandidateMetrics metrics;
  std::string unmet;  // "" when the attempt met the target
};

struct FallbackResult {
  std::vector<AttemptRecord> attempts;
  int chosen = -1;        // index into attempts, -1 when none produced a model
  bool met_target = false;
  io::Checkpoint artifact;  // the chosen attempt's model
};

// Runs the attempts in order through `evaluate(recipe, start_checkpoint)`.
using AttemptEvaluator =
    std::function<CompressionOutcome(const Recipe& recipe, const io::Checkpoint& start)>;
FallbackResult run_fallback(const FallbackChain& chain, const io::Checkpoint& base,
                            const CandidateMetrics& base_metrics, const AttemptEvaluator& evaluate);

// The better of two finished attempts when none met the target: more conditions met,
// then higher validation accuracy (ours).
bool better_attempt(const AttemptRecord& a, const AttemptRecord& b);

}  // namespace lathe::recipe

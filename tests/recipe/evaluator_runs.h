// What the continued and paused evaluation tests share: quick evaluations of a recipe on
// the small trained base, and the check that two outcomes of one recipe agree number for
// number, their artifacts tensor for tensor.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "recipe/evaluator.h"
#include "small_trained_base.h"

namespace lathe::recipe {

inline EvaluatorOptions quick_options(std::uint64_t seed) {
  EvaluatorOptions options;
  options.batch_size = 16;
  options.measure_latency = false;
  options.seed = seed;
  return options;
}

inline Recipe recipe_of(const std::string& yaml) { return parse_recipe(yaml, "r.yaml"); }

// compress_and_measure: the recipe from the start, never stopped.
inline CompressionOutcome evaluate_direct(const std::string& yaml, const EvaluatorOptions& options) {
  const auto backend = make_cpu_backend(1);
  return compress_and_measure(test_support::trained().base, "base.h5", recipe_of(yaml), test_support::trained().data,
                              *backend, options);
}

// compress_measure_and_keep, continuing `from` when it fits.
inline ResumableOutcome evaluate_keeping(const std::string& yaml, std::unique_ptr<PausedCandidate> from,
                             const EvaluatorOptions& options) {
  const auto backend = make_cpu_backend(1);
  return compress_measure_and_keep(test_support::trained().base, "base.h5", recipe_of(yaml),
                                   test_support::trained().data, *backend, options, std::move(from));
}

inline void expect_same_numbers(const CompressionOutcome& a, const CompressionOutcome& b) {
  ASSERT_EQ(a.metrics.status, CandidateStatus::ok) << a.metrics.message;
  ASSERT_EQ(b.metrics.status, CandidateStatus::ok) << b.metrics.message;
  EXPECT_EQ(a.metrics.validation_loss, b.metrics.validation_loss);
  EXPECT_EQ(a.metrics.validation_accuracy, b.metrics.validation_accuracy);
  EXPECT_EQ(a.metrics.test_accuracy, b.metrics.test_accuracy);
  EXPECT_EQ(a.metrics.size_bytes, b.metrics.size_bytes);
  EXPECT_EQ(a.metrics.parameter_count, b.metrics.parameter_count);
  EXPECT_EQ(a.metrics.recipe_hash, b.metrics.recipe_hash);
  ASSERT_EQ(a.artifact.tensors.size(), b.artifact.tensors.size());
  for (std::size_t i = 0; i < a.artifact.tensors.size(); ++i) {
    const io::NamedTensor& x = a.artifact.tensors[i];
    const io::NamedTensor& y = b.artifact.tensors[i];
    ASSERT_EQ(x.name, y.name);
    ASSERT_EQ(x.value.size(), y.value.size()) << x.name;
    for (std::int64_t k = 0; k < x.value.size(); ++k) {
      ASSERT_EQ(x.value.values()[static_cast<std::size_t>(k)], y.value.values()[static_cast<std::size_t>(k)])
          << x.name << "[" << k << "]";
    }
  }
}

}  // namespace lathe::recipe

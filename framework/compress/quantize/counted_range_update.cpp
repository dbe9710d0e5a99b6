#include "compress/quantize/counted_range_update.h"

#include <cmath>

#include "core/error.h"

namespace lathe::compress::quantize {

CountedBound::CountedBound(float initial, CountedRuleConfig config)
    : config_(std::move(config)), value_(initial) {
  LATHE_CHECK(config_.window >= 1, "counted range rule: window must be at least 1, got ",
              config_.window);
  LATHE_CHECK(config_.update_rule == "weighted_mean" || config_.update_rule == "coefficient",
              "counted range rule: update_rule must be weighted_mean or coefficient, got '",
              config_.update_rule, "'");
}

float CountedBound::raised() const {
  if (config_.update_rule == "coefficient") {
    return static_cast<float>(value_ + config_.coefficient * std::fabs(value_));
  }
  return static_cast<float>(config_.weight_old * value_ +
                            config_.weight_mean * (sum_ / iterations_));
}

float CountedBound::lowered() const {
  if (config_.update_rule == "coefficient") {
    return static_cast<float>(value_ - config_.coefficient * std::fabs(value_));
  }
  // The weighted mean moves P towards the observations, whichever way they lie.
  return raised();
}

void CountedBound::reset() {
  iterations_ = 0;
  above_ = 0;
  below_ = 0;
  sum_ = 0.0;
}

bool CountedBound::observe(float observed) {
  ++iterations_;
  if (observed > value_) ++above_;
  if (observed < value_) ++below_;
  sum_ += observed;
  if (iterations_ < config_.window) return false;
  const double n = iterations_;
  const bool increase = above_ / n > config_.ratio_up;
  const bool decrease = below_ / n > config_.ratio_down;
  if (increase == decrease) return false;  // neither condition, or both: no update
  const float candidate = increase ? raised() : lowered();
  // Skip an update that would not move P the way the counts ask; keep counting.
  if (increase ? !(candidate > value_) : !(candidate < value_)) return false;
  value_ = candidate;
  reset();
  return true;
}

std::vector<double> CountedBound::state() const {
  return {value_, static_cast<double>(iterations_), static_cast<double>(above_),
          static_cast<double>(below_), sum_};
}

void CountedBound::restore(const std::vector<double>& state) {
  LATHE_CHECK(state.size() == 5, "counted range rule: expected a state of 5 numbers, got ", state.size());
  value_ = static_cast<float>(state[0]);
  iterations_ = static_cast<int>(state[1]);
  above_ = static_cast<int>(state[2]);
  below_ = static_cast<int>(state[3]);
  sum_ = state[4];
}

namespace {

// The two bounds of a range as one state: min's numbers, then max's.
std::vector<double> joined(std::vector<double> first, const std::vector<double>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

void check_state_size(const std::vector<double>& state, std::size_t expected, const char* rule) {
  LATHE_CHECK(state.size() == expected, rule, " range rule: expected a state of ", expected,
              " numbers, got ", state.size());
}

class CountedRange final : public RangeRule {
 public:
  CountedRange(const CountedRuleConfig& config, float initial_min, float initial_max)
      : min_(initial_min, config), max_(initial_max, config) {}
  void observe(float observed_min, float observed_max) override {
    min_.observe(observed_min);
    max_.observe(observed_max);
  }
  [[nodiscard]] float min() const override { return min_.value(); }
  [[nodiscard]] float max() const override { return max_.value(); }
  [[nodiscard]] std::vector<double> state() const override { return joined(min_.state(), max_.state()); }
  void restore(const std::vector<double>& state) override {
    check_state_size(state, 10, "counted");
    min_.restore({state.begin(), state.begin() + 5});
    max_.restore({state.begin() + 5, state.end()});
  }

 private:
  CountedBound min_;
  CountedBound max_;
};

class EmaRange final : public RangeRule {
 public:
  EmaRange(double momentum, float initial_min, float initial_max)
      : momentum_(momentum), min_(initial_min), max_(initial_max) {}
  void observe(float observed_min, float observed_max) override {
    min_ = static_cast<float>(momentum_ * min_ + (1.0 - momentum_) * observed_min);
    max_ = static_cast<float>(momentum_ * max_ + (1.0 - momentum_) * observed_max);
  }
  [[nodiscard]] float min() const override { return min_; }
  [[nodiscard]] float max() const override { return max_; }
  [[nodiscard]] std::vector<double> state() const override { return {min_, max_}; }
  void restore(const std::vector<double>& state) override {
    check_state_size(state, 2, "ema");
    min_ = static_cast<float>(state[0]);
    max_ = static_cast<float>(state[1]);
  }

 private:
  double momentum_;
  float min_;
  float max_;
};

class FixedRange final : public RangeRule {
 public:
  FixedRange(float initial_min, float initial_max) : min_(initial_min), max_(initial_max) {}
  void observe(float /*observed_min*/, float /*observed_max*/) override {}
  [[nodiscard]] float min() const override { return min_; }
  [[nodiscard]] float max() const override { return max_; }
  [[nodiscard]] std::vector<double> state() const override { return {}; }
  void restore(const std::vector<double>& state) override { check_state_size(state, 0, "fixed"); }

 private:
  float min_;
  float max_;
};

}  // namespace

std::unique_ptr<RangeRule> make_range_rule(const RangeRuleConfig& config, float initial_min,
                                           float initial_max) {
  if (config.kind == "counted") {
    return std::make_unique<CountedRange>(config.counted, initial_min, initial_max);
  }
  if (config.kind == "ema") return std::make_unique<EmaRange>(config.momentum, initial_min, initial_max);
  LATHE_CHECK(config.kind == "none", "range rule: expected counted, ema or none, got '",
              config.kind, "'");
  return std::make_unique<FixedRange>(initial_min, initial_max);
}

}  // namespace lathe::compress::quantize

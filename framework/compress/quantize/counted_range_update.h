// How an activation quantiser's range follows training (docs/methods.md M3 steps 3-5).
//
// CountedBound is the counted rule for one quantisation parameter P: after each
// iteration it sees the value q_i observed in it (the batch's min or max), counts
// N = iterations since the last update, c1 = how many q exceeded P and c2 = how many
// fell below it (equal ones count in neither). Once N reaches `window`, P increases
// when c1/N > ratio_up and decreases when c2/N > ratio_down (both at once: neither), to
//   weighted_mean:  w_P * P + w_m * mean(q_1..q_N)
//   coefficient:    P + c*|P| up, P - c*|P| down                     (ours:
//                   P*(1±c) for a positive P, and a negative min bound still moves the
//                   way the counts ask)
// An update that would move P the wrong way (or not at all) is skipped and the counts
// go on; every applied update resets N, c1, c2 and the mean. window = 1 is
// the rule's check after every iteration; larger windows (ours) wait for
// enough evidence.
//
// A range (min, max) is two independent bounds. RangeRule wraps the choices a recipe
// can make: counted, ema (ours: P = momentum*P + (1-momentum)*q each iteration) or none.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace lathe::compress::quantize {

struct CountedRuleConfig {
  int window = 16;            // (ours) iterations before the ratios are checked
  double ratio_up = 0.5;      // r1 (ours)
  double ratio_down = 0.5;    // r2 (ours)
  std::string update_rule = "weighted_mean";  // or "coefficient"
  double weight_old = 0.5;    // w_P (ours)
  double weight_mean = 0.5;   // w_m (ours)
  double coefficient = 0.1;   // c (ours)
};

class CountedBound {
 public:
  CountedBound(float initial, CountedRuleConfig config);

  // One iteration's observation; true when it triggered an applied update.
  bool observe(float observed);
  [[nodiscard]] float value() const { return value_; }
  [[nodiscard]] int iterations() const { return iterations_; }  // N
  [[nodiscard]] int above() const { return above_; }            // c1
  [[nodiscard]] int below() const { return below_; }            // c2
  // P, N, c1, c2 and the sum of the observations: all a paused run needs to go on.
  [[nodiscard]] std::vector<double> state() const;
  void restore(const std::vector<double>& state);

 private:
  [[nodiscard]] float raised() const;
  [[nodiscard]] float lowered() const;
  void reset();

  CountedRuleConfig config_;
  float value_;
  int iterations_ = 0;
  int above_ = 0;
  int below_ = 0;
  double sum_ = 0.0;
};

class RangeRule {
 public:
  RangeRule() = default;
  RangeRule(const RangeRule&) = delete;
  RangeRule& operator=(const RangeRule&) = delete;
  virtual ~RangeRule() = default;
  // One iteration's observed min and max.
  virtual void observe(float observed_min, float observed_max) = 0;
  [[nodiscard]] virtual float min() const = 0;
  [[nodiscard]] virtual float max() const = 0;
  // Everything the rule has counted, as numbers, for a paused run (TrainingHook::save_state).
  [[nodiscard]] virtual std::vector<double> state() const = 0;
  // Puts state() back; throws lathe::Error for a state of another length.
  virtual void restore(const std::vector<double>& state) = 0;
};

struct RangeRuleConfig {
  std::string kind = "counted";  // counted | ema | none
  CountedRuleConfig counted;
  double momentum = 0.9;         // ema only (ours)
};

std::unique_ptr<RangeRule> make_range_rule(const RangeRuleConfig& config, float initial_min,
                                           float initial_max);

}  // namespace lathe::compress::quantize

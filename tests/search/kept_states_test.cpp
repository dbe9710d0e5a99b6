// A worker's kept training states: the most recent ones, each taken once.
#include "search/kept_states.h"

#include <gtest/gtest.h>

#include "nn/layer_spec.h"

namespace lathe::search {
namespace {

std::unique_ptr<recipe::PausedCandidate> state() {
  const nn::ModelSpec spec = nn::parse_model_spec(
      "name: s\ninput: {channels: 1, height: 2, width: 2}\nlayers:\n  - {name: flatten, type: flatten}\n"
      "  - {name: fc, type: linear, out_features: 2}\n",
      "s.yaml");
  return std::make_unique<recipe::PausedCandidate>(recipe::PausedCandidate{nn::Model(spec, 1), {}, {}, 0, 0, 0, std::nullopt, {}});
}

TEST(KeptStates, KeepsTheMostRecentUpToItsCapacityAndGivesEachOnce) {
  KeptStates kept(2);
  EXPECT_TRUE(kept.keep(10, state()));
  EXPECT_TRUE(kept.keep(11, state()));
  EXPECT_TRUE(kept.keep(12, state()));  // 10, the oldest, makes room
  EXPECT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept.take(10), nullptr);
  EXPECT_NE(kept.take(11), nullptr);
  EXPECT_EQ(kept.take(11), nullptr) << "a state is continued once";
  EXPECT_NE(kept.take(12), nullptr);
  EXPECT_EQ(kept.size(), 0u);
}

TEST(KeptStates, ACapacityOfZeroKeepsNothing) {
  KeptStates kept(0);
  EXPECT_FALSE(kept.keep(1, state()));
  EXPECT_EQ(kept.take(1), nullptr);
}

}  // namespace
}  // namespace lathe::search

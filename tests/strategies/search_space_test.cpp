#include "strategies/search_space.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace lathe::search {
namespace {

SearchSpace mixed_space() {
  SearchSpace space;
  space.dimensions.push_back({"prune.ratio", Dimension::Kind::real, {}, 0.0, 0.9});
  space.dimensions.push_back(
      {"quantize.act_bits", Dimension::Kind::categorical, {"4", "8", "16"}, 0, 0});
  space.dimensions.push_back({"finetune.epochs", Dimension::Kind::integer, {}, 1, 5});
  space.dimensions.push_back({"finetune.lr", Dimension::Kind::log_real, {}, 1e-5, 1e-1});
  return space;
}

std::string error_of(const auto& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(SamplePoint, StaysInsideEveryDimensionAndIsIntegralWhereItMustBe) {
  const SearchSpace space = mixed_space();
  Rng rng(5);
  for (int i = 0; i < 2000; ++i) {
    const Point point = sample_point(space, rng);
    ASSERT_NO_THROW(check_point(space, point));
    ASSERT_EQ(point[1], std::floor(point[1]));
    ASSERT_EQ(point[2], std::floor(point[2]));
  }
}

TEST(SamplePoint, IntegersIncludeBothEndsAndChoicesEveryIndex) {
  const SearchSpace space = mixed_space();
  Rng rng(9);
  std::set<double> epochs;
  std::set<double> bits;
  for (int i = 0; i < 500; ++i) {
    const Point point = sample_point(space, rng);
    bits.insert(point[1]);
    epochs.insert(point[2]);
  }
  EXPECT_EQ(bits, (std::set<double>{0, 1, 2}));
  EXPECT_EQ(epochs, (std::set<double>{1, 2, 3, 4, 5}));
}

TEST(SamplePoint, LogRealIsUniformInLogSpace) {
  const SearchSpace space = mixed_space();
  Rng rng(2);
  int below_geometric_mean = 0;  // 1e-3: the middle in log space, far below the linear middle
  int in_lowest_decade = 0;      // [1e-5, 1e-4): a quarter in log space, ~0.1% linearly
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    const double lr = sample_point(space, rng)[3];
    below_geometric_mean += lr < 1e-3 ? 1 : 0;
    in_lowest_decade += lr < 1e-4 ? 1 : 0;
  }
  EXPECT_NEAR(below_geometric_mean / static_cast<double>(n), 0.5, 0.03);
  EXPECT_NEAR(in_lowest_decade / static_cast<double>(n), 0.25, 0.03);
}

TEST(SamplePoint, IsTheSameForTheSameSeed) {
  const SearchSpace space = mixed_space();
  Rng a(42);
  Rng b(42);
  Rng c(43);
  const Point first = sample_point(space, a);
  EXPECT_EQ(first, sample_point(space, b));
  EXPECT_NE(first, sample_point(space, c));
}

TEST(CheckPoint, NamesTheDimensionOutsideItsRange) {
  const SearchSpace space = mixed_space();
  EXPECT_EQ(
      error_of([&] {
        check_point(space, {1.2, 1, 2, 1e-3});
      }),
      "point: dimension 'prune.ratio' (index 0): expected a real value in [0, 0.9], found 1.2");
  EXPECT_EQ(error_of([&] {
              check_point(space, {0.5, 3, 2, 1e-3});
            }),
            "point: dimension 'quantize.act_bits' (index 1): expected a choice index in [0, 2], "
            "found 3");
  EXPECT_EQ(error_of([&] {
              check_point(space, {0.5, 1, 2.5, 1e-3});
            }),
            "point: dimension 'finetune.epochs' (index 2): expected an integer, found 2.5");
  EXPECT_NE(error_of([&] {
              check_point(space, {0.5, 1, 2, NAN});
            }).find("'finetune.lr'"),
            std::string::npos);
  EXPECT_EQ(error_of([&] {
              check_point(space, {0.5, 1, 2});
            }),
            "point: expected 4 values (one per dimension), found 3");
}

TEST(CheckSpace, RefusesSpacesNoStrategyCouldSearch) {
  SearchSpace space = mixed_space();
  EXPECT_NO_THROW(check_space(space));
  space.dimensions[3].low = 0.0;
  EXPECT_EQ(error_of([&] { check_space(space); }),
            "search space: dimension 'finetune.lr' (index 3): log_real: expected low > 0, found 0");
  space = mixed_space();
  space.dimensions[2].high = 4.5;
  EXPECT_NE(error_of([&] { check_space(space); }).find("'finetune.epochs' (index 2): integer"),
            std::string::npos);
  space = mixed_space();
  space.dimensions[1].choices.clear();
  EXPECT_NE(error_of([&] { check_space(space); }).find("'quantize.act_bits'"), std::string::npos);
  space = mixed_space();
  space.dimensions[0].low = 1.0;
  EXPECT_NE(error_of([&] { check_space(space); }).find("low <= high"), std::string::npos);
  space = mixed_space();
  space.dimensions[2].name = "prune.ratio";
  EXPECT_NE(error_of([&] { check_space(space); }).find("used by an earlier dimension"),
            std::string::npos);
  EXPECT_THROW(check_space(SearchSpace{}), Error);
}

TEST(PointJson, WritesLabelsForChoicesAndNumbersThatReadBackExactly) {
  const SearchSpace space = mixed_space();
  EXPECT_EQ(
      point_to_json(space, {0.5, 1, 3, 0.001}),
      R"({"prune.ratio": 0.5, "quantize.act_bits": "8", "finetune.epochs": 3, "finetune.lr": 0.001})");
  Rng rng(17);
  for (int i = 0; i < 200; ++i) {
    const Point point = sample_point(space, rng);
    ASSERT_EQ(point_from_json(space, point_to_json(space, point)), point)
        << point_to_json(space, point);
  }
}

TEST(PointJson, EscapesNamesAndLabelsAndReadsThemBack) {
  SearchSpace space;
  space.dimensions.push_back({"layer \"fc1\"\\ratio", Dimension::Kind::real, {}, 0.0, 1.0});
  space.dimensions.push_back({"mode", Dimension::Kind::categorical, {"a b", "say \"hi\""}, 0, 0});
  const std::string json = point_to_json(space, {0.1, 1});
  EXPECT_EQ(json, R"({"layer \"fc1\"\\ratio": 0.1, "mode": "say \"hi\""})");
  EXPECT_EQ(point_from_json(space, json), (Point{0.1, 1}));
}

TEST(PointJson, ReadsKeysInAnyOrder) {
  const SearchSpace space = mixed_space();
  EXPECT_EQ(point_from_json(space, R"({"finetune.lr": 1e-4, "finetune.epochs": 2,
                                       "quantize.act_bits": "16", "prune.ratio": 0.25})"),
            (Point{0.25, 2, 2, 1e-4}));
}

TEST(PointJson, NamesTheSourceAndDimensionOfWhatItCannotRead) {
  const SearchSpace space = mixed_space();
  const std::string good_rest = R"("finetune.epochs": 2, "finetune.lr": 0.01)";
  EXPECT_EQ(error_of([&] {
              point_from_json(
                  space, R"({"prune.ratio": 0.5, "quantize.act_bits": "2", )" + good_rest + "}",
                  "journal record 3");
            }),
            "journal record 3: 'quantize.act_bits': expected one of 4, 8, 16, found '2'");
  EXPECT_EQ(
      error_of([&] { point_from_json(space, R"({"prune.ratio": 0.5, )" + good_rest + "}", "p"); }),
      "p: 'quantize.act_bits': missing (every dimension needs a value)");
  EXPECT_EQ(error_of([&] {
              point_from_json(space,
                              R"({"prune.ratio": 0.5, "quantize.act_bits": "8", "extra": 1, )" +
                                  good_rest + "}",
                              "p");
            }),
            "p: 'extra': not a dimension of the space");
  EXPECT_EQ(error_of([&] {
              point_from_json(
                  space, R"({"prune.ratio": "half", "quantize.act_bits": "8", )" + good_rest + "}",
                  "p");
            }),
            "p: 'prune.ratio': expected a number, found 'half'");
  EXPECT_NE(
      error_of([&] {
        point_from_json(
            space, R"({"prune.ratio": 0.95, "quantize.act_bits": "8", )" + good_rest + "}", "p");
      }).find("p: point: dimension 'prune.ratio' (index 0): expected a real value in [0, 0.9]"),
      std::string::npos);
  EXPECT_NE(
      error_of([&] { point_from_json(space, "[1, 2]", "p"); }).find("p: expected a JSON object"),
      std::string::npos);
  EXPECT_NE(
      error_of([&] { point_from_json(space, "{\"a\": [", "p"); }).find("p: expected a JSON object"),
      std::string::npos);
}

}  // namespace
}  // namespace lathe::search

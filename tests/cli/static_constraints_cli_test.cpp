// Static constraints (stored size, MACs) that no point of the space can meet are refused
// before a search starts, with the smallest model's figure; a limit it meets is not.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "support/run_lathe.h"
#include "support/search_cli_files.h"
#include "support/temp_dir.h"

namespace lathe::test_support {
namespace {

// The tiny search with one more constraint.
std::filesystem::path tiny_with_limit(const TempDir& dir, const std::string& limit) {
  return experiment_with(dir, {{"constraints: {max_accuracy_drop: 0.2}", "constraints: {max_accuracy_drop: 0.2, " + limit + "}"}});
}

// The figure the refusal gives for the space's smallest model ("stores N bytes", "takes N MACs").
std::int64_t smallest_figure(const std::string& output, const std::string& before, const std::string& after) {
  std::smatch match;
  if (!std::regex_search(output, match, std::regex(before + " ([0-9]+) " + after))) return -1;
  return std::stoll(match[1].str());
}

TEST(StaticConstraints, ASizeLimitNoPointCanMeetIsRefusedBeforeTheSearchStarts) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "search";
  const RunResult run = run_lathe("search " + tiny_with_limit(dir, "max_size_bytes: 100").string() + " --output " +
                                  out.string());
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.output.find("experiment.yaml: constraints.max_size_bytes: 100 bytes cannot be met: the space's "
                            "smallest model (prune.present = true, prune.ratio = 0.6, quantize.weight_bits = 2) stores"),
            std::string::npos)
      << run.output;
  EXPECT_FALSE(std::filesystem::exists(out)) << "refused before the output folder is made";
}

TEST(StaticConstraints, TheSmallestModelsOwnSizeIsAccepted) {
  TempDir dir;
  const RunResult refused = run_lathe("search --check " + tiny_with_limit(dir, "max_size_bytes: 100").string());
  const std::int64_t smallest = smallest_figure(refused.output, "stores", "bytes");
  ASSERT_GT(smallest, 100) << refused.output;
  const RunResult at = run_lathe("search --check " + tiny_with_limit(dir, "max_size_bytes: " + std::to_string(smallest)).string());
  EXPECT_EQ(at.exit_code, 0) << at.output;
  const RunResult below =
      run_lathe("search --check " + tiny_with_limit(dir, "max_size_bytes: " + std::to_string(smallest - 1)).string());
  EXPECT_NE(below.exit_code, 0) << below.output;
}

TEST(StaticConstraints, AMacsLimitBelowTheMostPrunedModelIsRefused) {
  TempDir dir;
  const RunResult refused = run_lathe("search --check " + tiny_with_limit(dir, "max_macs: 10").string());
  EXPECT_NE(refused.exit_code, 0);
  const std::int64_t smallest = smallest_figure(refused.output, "takes", "MACs per image");
  ASSERT_GT(smallest, 10) << refused.output;
  const RunResult at = run_lathe("search --check " + tiny_with_limit(dir, "max_macs: " + std::to_string(smallest)).string());
  EXPECT_EQ(at.exit_code, 0) << at.output;
}

}  // namespace
}  // namespace lathe::test_support

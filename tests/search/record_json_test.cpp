#include "search/record_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "core/error.h"

namespace lathe::search {
namespace {

using namespace std::string_literals;

EvaluationRecord awkward_record() {
  EvaluationRecord r;
  r.id = std::numeric_limits<std::int64_t>::max();
  r.rung = 3;
  r.point_json = "{\"prune.ratio\": 0.30000000000000004, \"quantize.bits\": 4}";
  r.recipe_yaml = "- prune: {method: filter, ratio: 0.3}\n- finetune: {epochs: 1}  # \"why\", \\ \t\n";
  r.metrics.status = recipe::CandidateStatus::diverged;
  r.metrics.message = "loss \"nan\" at step 3,\nstopped \xc3\xa9\0 end"s;
  r.metrics.validation_loss = 0.1 + 0.2;
  r.metrics.size_bytes = 12345;
  r.metrics.seed = std::numeric_limits<std::uint64_t>::max();
  r.metrics.latency_batch1_ms = std::numeric_limits<double>::infinity();
  r.metrics.host = "gpu-01";
  r.objectives = {std::nan(""), -std::numeric_limits<double>::infinity(), 1.0 / 3.0, -0.0, 5e-324};
  r.feasible = true;
  r.violated = "size 13000 > 12000, \"latency\"";
  r.finished_seconds = 123456.78901234567;
  r.artifact = "candidates/9223372036854775807.h5";
  return r;
}

void expect_same_bits(double expected, double found, const std::string& field) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(found)) << field;
    return;
  }
  EXPECT_EQ(std::memcmp(&expected, &found, sizeof expected), 0) << field << ": " << expected << " vs " << found;
}

TEST(RecordJson, RoundTripsEveryFieldExactly) {
  const EvaluationRecord r = awkward_record();
  const std::string json = record_to_json(r);
  EXPECT_EQ(json.find('\n'), std::string::npos) << json;
  const EvaluationRecord back = record_from_json(json, "test");
  EXPECT_EQ(back.id, r.id);
  EXPECT_EQ(back.rung, r.rung);
  EXPECT_EQ(back.point_json, r.point_json);
  EXPECT_EQ(back.recipe_yaml, r.recipe_yaml);
  // metrics_json_test proves metrics_to_json lossless, so equal text is equal metrics.
  EXPECT_EQ(recipe::metrics_to_json(back.metrics), recipe::metrics_to_json(r.metrics));
  EXPECT_EQ(back.metrics.message, r.metrics.message);
  ASSERT_EQ(back.objectives.size(), r.objectives.size());
  for (std::size_t i = 0; i < r.objectives.size(); ++i) {
    expect_same_bits(r.objectives[i], back.objectives[i], "objectives[" + std::to_string(i) + "]");
  }
  EXPECT_EQ(back.feasible, r.feasible);
  EXPECT_EQ(back.violated, r.violated);
  expect_same_bits(r.finished_seconds, back.finished_seconds, "finished_seconds");
  EXPECT_EQ(back.artifact, r.artifact);
}

TEST(RecordJson, RoundTripsADefaultRecordWithNoObjectives) {
  const EvaluationRecord r;
  const EvaluationRecord back = record_from_json(record_to_json(r), "test");
  EXPECT_EQ(back.id, -1);
  EXPECT_TRUE(back.objectives.empty());
  EXPECT_FALSE(back.feasible);
  EXPECT_EQ(record_to_json(back), record_to_json(r));
}

TEST(RecordJson, NestsTheMetricsAsAnObject) {
  const std::string json = record_to_json(awkward_record());
  EXPECT_NE(json.find(", \"metrics\": {\"status\": \"diverged\", "), std::string::npos) << json;
  EXPECT_NE(json.find("\"objectives\": [null, \"-inf\", 0.33333333333333331, -0, 4.9406564584124654e-324]"),
            std::string::npos)
      << json;
}

std::string error_of(const std::string& json) {
  try {
    record_from_json(json, "journal.lathe: record 7");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(RecordJson, BadRecordsThrowNamingTheSourceAndField) {
  EXPECT_NE(error_of("{\"id\": 1,").find("journal.lathe: record 7: expected one line of JSON"), std::string::npos)
      << error_of("{\"id\": 1,");
  EXPECT_NE(error_of("17").find("journal.lathe: record 7: expected a JSON object"), std::string::npos);
  EXPECT_NE(error_of("{\"id\": \"1\"}").find("journal.lathe: record 7: id: expected an integer"), std::string::npos);
  EXPECT_NE(error_of("{\"rung\": 4294967296}").find("rung: expected an integer from -2147483648"), std::string::npos);
  EXPECT_NE(error_of("{\"feasible\": yes}").find("feasible: expected true or false, found yes"), std::string::npos);
  EXPECT_NE(error_of("{\"objectives\": 3}").find("objectives: expected a list of numbers"), std::string::npos);
  EXPECT_NE(error_of("{\"objectives\": [1, \"x\"]}").find("objectives[1]: expected a number"), std::string::npos);
  const std::string nested = error_of("{\"metrics\": {\"macs\": 1.5}}");
  EXPECT_NE(nested.find("journal.lathe: record 7: metrics.macs: expected an integer"), std::string::npos) << nested;
  EXPECT_NE(error_of("{\"point\": {\"a\": 1}}").find("point: expected a string, found an object"), std::string::npos);
  EXPECT_NE(error_of("{\"id\": 1, \"id\": 2}").find("id: expected each field once"), std::string::npos);
  EXPECT_NE(error_of("{\"pareto\": true}").find("pareto: unknown field"), std::string::npos);
}

}  // namespace
}  // namespace lathe::search

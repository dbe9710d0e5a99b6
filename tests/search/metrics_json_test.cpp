#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

#include "core/error.h"
#include "recipe/metrics.h"
#include "support/temp_dir.h"

namespace lathe::recipe {
namespace {

using test_support::TempDir;
using namespace std::string_literals;

// Bit for bit, so that -0.0 and the last digit of 0.1 + 0.2 count; any NaN equals any NaN.
void expect_same_double(double expected, double found, const char* field) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(found)) << field << ": " << found;
    return;
  }
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  std::memcpy(&a, &expected, sizeof a);
  std::memcpy(&b, &found, sizeof b);
  EXPECT_EQ(a, b) << field << ": expected " << expected << ", found " << found;
}

void expect_same_metrics(const CandidateMetrics& e, const CandidateMetrics& f) {
  EXPECT_EQ(e.status, f.status);
  EXPECT_EQ(e.message, f.message);
  expect_same_double(e.validation_loss, f.validation_loss, "validation_loss");
  expect_same_double(e.validation_accuracy, f.validation_accuracy, "validation_accuracy");
  expect_same_double(e.test_accuracy, f.test_accuracy, "test_accuracy");
  EXPECT_EQ(e.size_bytes, f.size_bytes);
  EXPECT_EQ(e.parameter_count, f.parameter_count);
  EXPECT_EQ(e.macs, f.macs);
  expect_same_double(e.latency_batch1_ms, f.latency_batch1_ms, "latency_batch1_ms");
  expect_same_double(e.latency_batch128_ms, f.latency_batch128_ms, "latency_batch128_ms");
  expect_same_double(e.wall_seconds, f.wall_seconds, "wall_seconds");
  expect_same_double(e.compress_seconds, f.compress_seconds, "compress_seconds");
  expect_same_double(e.finetune_seconds, f.finetune_seconds, "finetune_seconds");
  expect_same_double(e.measure_seconds, f.measure_seconds, "measure_seconds");
  EXPECT_EQ(e.peak_memory_bytes, f.peak_memory_bytes);
  EXPECT_EQ(e.candidate_id, f.candidate_id);
  EXPECT_EQ(e.seed, f.seed);
  EXPECT_EQ(e.recipe_hash, f.recipe_hash);
  EXPECT_EQ(e.rank, f.rank);
  EXPECT_EQ(e.host, f.host);
}

// Every field away from its default, most of them at a value that is easy to get wrong.
CandidateMetrics awkward_metrics() {
  CandidateMetrics m;
  m.status = CandidateStatus::timeout;
  m.message = "said \"no\", twice\nthen \\ left\ttab\r, caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\xa5 \x01\x1f"
              " and a NUL \0 and raw \xff\xfe bytes"s;
  m.validation_loss = 0.1 + 0.2;
  m.validation_accuracy = -0.0;
  m.test_accuracy = std::numeric_limits<double>::denorm_min();
  m.size_bytes = std::numeric_limits<std::int64_t>::max();
  m.parameter_count = std::numeric_limits<std::int64_t>::min();
  m.macs = (std::int64_t{1} << 53) + 1;  // not a double
  m.latency_batch1_ms = std::numeric_limits<double>::infinity();
  m.latency_batch128_ms = -std::numeric_limits<double>::infinity();
  m.wall_seconds = std::numeric_limits<double>::max();
  m.compress_seconds = 1.0 / 3.0;
  m.finetune_seconds = std::numeric_limits<double>::min();
  m.measure_seconds = -2.5e-10;
  m.peak_memory_bytes = 123456789012345;
  m.candidate_id = std::numeric_limits<std::int64_t>::max() - 1;
  m.seed = std::numeric_limits<std::uint64_t>::max();
  m.recipe_hash = "0123456789abcdef";
  m.rank = std::numeric_limits<int>::min();
  m.host = "node-7, \"rack\" 3\n";
  return m;
}

std::string error_of(const std::string& json, const std::string& source = "worker 3 reply") {
  try {
    metrics_from_json(json, source);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(MetricsJson, RoundTripsEveryFieldExactly) {
  const CandidateMetrics m = awkward_metrics();
  const std::string json = metrics_to_json(m);
  EXPECT_EQ(json.find('\n'), std::string::npos) << json;
  expect_same_metrics(m, metrics_from_json(json, "test"));
}

TEST(MetricsJson, RoundTripsTheDefaultsWithTheirNaNs) {
  const CandidateMetrics m;
  const std::string json = metrics_to_json(m);
  EXPECT_NE(json.find("\"validation_loss\": null"), std::string::npos) << json;
  expect_same_metrics(m, metrics_from_json(json, "test"));
}

TEST(MetricsJson, WritesInfinitiesAsStringsAndIntegersInFull) {
  const std::string json = metrics_to_json(awkward_metrics());
  EXPECT_NE(json.find("\"latency_batch1_ms\": \"inf\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"latency_batch128_ms\": \"-inf\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"seed\": 18446744073709551615"), std::string::npos) << json;
  EXPECT_NE(json.find("\"size_bytes\": 9223372036854775807"), std::string::npos) << json;
  EXPECT_NE(json.find("\"validation_loss\": 0.30000000000000004"), std::string::npos) << json;
}

// yaml-cpp reads more than JSON; an independent strict reader proves the text is JSON (the
// compress report and `lathe evaluate --json` print it for scripts).
TEST(MetricsJson, IsStrictJsonThatPythonReads) {
  if (std::system("/usr/bin/python3 -c 'import json' > /dev/null 2>&1") != 0) GTEST_SKIP() << "no /usr/bin/python3";
  TempDir dir;
  dir.write("m.json", metrics_to_json(awkward_metrics()));
  const std::string command = "/usr/bin/python3 -c \"import json, sys; m = json.load(open(sys.argv[1], "
                              "encoding='utf-8', errors='surrogateescape')); print(m['seed'], m['rank'], "
                              "m['latency_batch1_ms'], m['validation_loss'], repr(m['host']))\" '" +
                              dir.file("m.json") + "' 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  ASSERT_EQ(::pclose(pipe), 0) << output;
  EXPECT_EQ(output, "18446744073709551615 -2147483648 inf 0.30000000000000004 'node-7, \"rack\" 3\\n'\n");
}

TEST(MetricsJson, MissingFieldsKeepTheirDefaults) {
  const CandidateMetrics m = metrics_from_json("{\"status\": \"crashed\", \"rank\": 4}", "test");
  CandidateMetrics expected;
  expected.status = CandidateStatus::crashed;
  expected.rank = 4;
  expect_same_metrics(expected, m);
}

TEST(MetricsJson, StatusNamesReadBackForEveryStatus) {
  for (const CandidateStatus status : {CandidateStatus::ok, CandidateStatus::diverged, CandidateStatus::failed,
                                       CandidateStatus::timeout, CandidateStatus::crashed}) {
    EXPECT_EQ(status_from_name(status_name(status), "test"), status) << status_name(status);
  }
  EXPECT_STREQ(status_name(CandidateStatus::timeout), "timeout");
  EXPECT_STREQ(status_name(CandidateStatus::crashed), "crashed");
}

TEST(MetricsJson, UnknownStatusNameThrowsNamingTheSource) {
  try {
    status_from_name("exploded", "journal.lathe: record 4: status");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "journal.lathe: record 4: status: expected a status (ok, diverged, failed, timeout or crashed), "
                 "found \"exploded\"");
  }
}

struct BadJson {
  const char* json;
  const char* message;  // what the error says after the source
};

TEST(MetricsJson, MalformedOrMistypedJsonThrowsNamingTheSourceAndField) {
  const BadJson cases[] = {
      {"{\"status\": \"ok\", \"macs\": 3", "expected one line of JSON, found malformed text"},
      {"{\"status\": \"ok\" \"macs\": 3}", "expected one line of JSON, found malformed text"},
      {"", "expected a JSON object of candidate metrics, found null"},
      {"[1, 2]", "expected a JSON object of candidate metrics, found a list"},
      {"{\"status\": \"exploded\"}", "status: expected a status (ok, diverged, failed, timeout or crashed)"},
      {"{\"size_bytes\": 1.5}", "size_bytes: expected an integer, found 1.5"},
      {"{\"size_bytes\": \"12\"}", "size_bytes: expected an integer, found \"12\""},
      {"{\"size_bytes\": 9223372036854775808}", "size_bytes: expected an integer from -9223372036854775808 to "
                                                "9223372036854775807, found 9223372036854775808"},
      {"{\"seed\": -1}", "seed: expected a non-negative integer from 0 to 18446744073709551615, found -1"},
      {"{\"rank\": 3000000000}", "rank: expected an integer from -2147483648 to 2147483647, found 3000000000"},
      {"{\"validation_loss\": \"nan\"}",
       "validation_loss: expected a number (or null, \"inf\", \"-inf\"), found \"nan\""},
      {"{\"validation_loss\": 0x10}", "validation_loss: expected a number (or null, \"inf\", \"-inf\"), found 0x10"},
      {"{\"validation_loss\": inf}", "validation_loss: expected a number (or null, \"inf\", \"-inf\"), found inf"},
      {"{\"validation_loss\": 1e999}", "validation_loss: expected a number within the range of a double"},
      {"{\"message\": 5}", "message: expected a string, found 5"},
      {"{\"host\": null}", "host: expected a string, found null"},
      {"{\"macs\": 1, \"macs\": 2}", "macs: expected each field once, found it twice"},
      {"{\"colour\": \"red\"}", "colour: unknown field"},
  };
  for (const BadJson& bad : cases) {
    const std::string error = error_of(bad.json);
    EXPECT_EQ(error.rfind("worker 3 reply: ", 0), 0U) << bad.json << " -> " << error;
    EXPECT_NE(error.find(bad.message), std::string::npos) << bad.json << " -> " << error;
  }
}

}  // namespace
}  // namespace lathe::recipe

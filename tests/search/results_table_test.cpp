#include "search/results_table.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "search/record_json.h"

namespace lathe::search {
namespace {

SearchOutcome sample_outcome() {
  SearchOutcome o;
  o.experiment_name = "lenet \"small\"";
  o.experiment_path = "configs/experiments/lenet.yaml";
  o.experiment_yaml = "name: lenet\n";
  o.strategy = "random";
  o.mode = "asynchronous";
  o.budget_evaluations = 3;
  o.elapsed_seconds = 7.25;
  o.objectives = {{"validation_error", false}, {"size_bytes", false}};
  o.base.validation_accuracy = 0.9;
  for (std::int64_t id = 0; id < 3; ++id) {
    EvaluationRecord r;
    r.id = id;
    r.point_json = "{\"prune.ratio\": 0." + std::to_string(id + 1) + "}";
    r.recipe_yaml = "- prune: {ratio: 0." + std::to_string(id + 1) + "}\n";
    r.metrics.validation_loss = 0.1 + 0.2;
    r.metrics.validation_accuracy = 0.75;
    r.metrics.size_bytes = 1000 * (id + 1);
    r.metrics.seed = std::numeric_limits<std::uint64_t>::max();
    r.metrics.rank = 1;
    r.metrics.host = "node-1";
    r.objectives = {0.25, 1000.0 * static_cast<double>(id + 1)};
    r.feasible = true;
    o.evaluations.push_back(r);
  }
  o.evaluations[1].metrics.status = recipe::CandidateStatus::failed;
  o.evaluations[1].metrics.message = "bad shape, \"conv1\"\nsecond line";
  o.evaluations[1].objectives.clear();
  o.evaluations[1].feasible = false;
  o.evaluations[1].violated = "status failed";
  o.pareto_ids = {0, 2};
  return o;
}

// A minimal RFC 4180 reader, independent of the writer: fields of every record.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        rows.back().back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        rows.back().back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\n') {
      rows.emplace_back(1);
    } else {
      rows.back().back() += c;
    }
  }
  if (rows.back() == std::vector<std::string>(1)) rows.pop_back();  // after the last "\n"
  return rows;
}

TEST(ResultsTable, CsvHasTheHeaderAndOneRowPerEvaluation) {
  const std::string csv = results_csv(sample_outcome());
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "id,rung,status,feasible,pareto,objective_validation_error,objective_size_bytes,validation_loss,"
            "validation_accuracy,test_accuracy,size_bytes,parameter_count,macs,latency_batch1_ms,wall_seconds,"
            "rank,host,seed,recipe_hash,violated,message,point,artifact,continued_steps");
  const auto rows = parse_csv(csv);
  ASSERT_EQ(rows.size(), 4U) << csv;
  for (const auto& row : rows) EXPECT_EQ(row.size(), rows[0].size()) << csv;
  EXPECT_EQ(rows[1][0], "0");
  EXPECT_EQ(rows[1][2], "ok");
  EXPECT_EQ(rows[1][7], "0.30000000000000004");  // exact, not rounded
  EXPECT_EQ(rows[1][9], "") << "NaN (not measured) is an empty field";
  EXPECT_EQ(rows[1][17], "18446744073709551615");
  EXPECT_EQ(rows[2][5], "") << "a failed evaluation has no objective values";
}

TEST(ResultsTable, CsvQuotesCommasQuotesAndNewlines) {
  const std::string csv = results_csv(sample_outcome());
  EXPECT_NE(csv.find(",\"bad shape, \"\"conv1\"\"\nsecond line\","), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"{\"\"prune.ratio\"\": 0.2}\","), std::string::npos) << csv;
  const auto rows = parse_csv(csv);
  ASSERT_EQ(rows.size(), 4U) << csv;
  EXPECT_EQ(rows[2][20], "bad shape, \"conv1\"\nsecond line");
  EXPECT_EQ(rows[2][21], "{\"prune.ratio\": 0.2}");
  EXPECT_EQ(rows[2][19], "status failed");
}

TEST(ResultsTable, CsvParetoFlagsMatchTheParetoIds) {
  const auto rows = parse_csv(results_csv(sample_outcome()));
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_EQ(rows[0][4], "pareto");
  EXPECT_EQ(rows[1][4], "yes");
  EXPECT_EQ(rows[2][4], "no");
  EXPECT_EQ(rows[3][4], "yes");
  EXPECT_EQ(rows[2][3], "no");
  EXPECT_EQ(rows[3][3], "yes");
}

TEST(ResultsTable, JsonParsesAndHoldsEveryEvaluationWithItsParetoFlag) {
  const SearchOutcome outcome = sample_outcome();
  const std::string json = results_json(outcome);
  const YAML::Node root = YAML::Load(json);
  EXPECT_EQ(root["experiment_name"].as<std::string>(), "lenet \"small\"");
  EXPECT_EQ(root["mode"].as<std::string>(), "asynchronous");
  ASSERT_EQ(root["objectives"].size(), 2U);
  EXPECT_EQ(root["objectives"][0]["metric"].as<std::string>(), "validation_error");
  EXPECT_EQ(root["objectives"][0]["goal"].as<std::string>(), "minimize");
  EXPECT_EQ(root["base"]["validation_accuracy"].as<double>(), 0.9);
  const YAML::Node evaluations = root["evaluations"];
  ASSERT_EQ(evaluations.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    const YAML::Node e = evaluations[i];
    EXPECT_EQ(e["id"].as<std::int64_t>(), outcome.evaluations[i].id);
    EXPECT_EQ(e["metrics"]["status"].as<std::string>(), recipe::status_name(outcome.evaluations[i].metrics.status));
    EXPECT_EQ(e["point"].as<std::string>(), outcome.evaluations[i].point_json);
    EXPECT_EQ(e["recipe"].as<std::string>(), outcome.evaluations[i].recipe_yaml);
  }
  EXPECT_EQ(evaluations[1]["metrics"]["message"].as<std::string>(), "bad shape, \"conv1\"\nsecond line");
  EXPECT_EQ(evaluations[0]["pareto"].as<std::string>(), "true");
  EXPECT_EQ(evaluations[1]["pareto"].as<std::string>(), "false");
  EXPECT_EQ(evaluations[2]["pareto"].as<std::string>(), "true");
  ASSERT_EQ(root["pareto_ids"].size(), 2U);
  EXPECT_EQ(root["pareto_ids"][0].as<std::int64_t>(), 0);
  EXPECT_EQ(root["pareto_ids"][1].as<std::int64_t>(), 2);
}

TEST(ResultsTable, JsonEvaluationsAreTheJournalRecordsPlusTheFlag) {
  const SearchOutcome outcome = sample_outcome();
  std::istringstream lines(results_json(outcome));
  std::vector<std::string> evaluations;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("{\"pareto\": ", 0) == 0) evaluations.push_back(line);
  }
  ASSERT_EQ(evaluations.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string flag = i == 1 ? "false" : "true";
    std::string record = evaluations[i];
    if (record.back() == ',') record.pop_back();
    if (i == 2) record.pop_back();  // the array's ']' follows the last
    EXPECT_EQ(record, "{\"pareto\": " + flag + ", " + record_to_json(outcome.evaluations[i]).substr(1));
  }
}

TEST(ResultsTable, NoEvaluationsGiveAHeaderAndAnEmptyArray) {
  SearchOutcome outcome = sample_outcome();
  outcome.evaluations.clear();
  outcome.pareto_ids.clear();
  EXPECT_EQ(parse_csv(results_csv(outcome)).size(), 1U);
  const YAML::Node root = YAML::Load(results_json(outcome));
  EXPECT_TRUE(root["evaluations"].IsSequence());
  EXPECT_EQ(root["evaluations"].size(), 0U);
}

TEST(ResultsTable, AParetoIdWithNoEvaluationThrows) {
  SearchOutcome outcome = sample_outcome();
  outcome.pareto_ids = {0, 7};
  try {
    results_csv(outcome);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "search results of 'lenet \"small\"': pareto id 7: expected the id of an evaluation, "
                           "found none with it among 3");
  }
  EXPECT_THROW(results_json(outcome), Error);
}

}  // namespace
}  // namespace lathe::search

// YAML defects through every config reader: a key given twice, a second document after
// `---` and malformed text are errors at file:line:column, never a silent pick.
#include "config/yaml_document.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "nn/layer_spec.h"
#include "nn/train_config.h"
#include "recipe/fallback.h"
#include "recipe/recipe.h"
#include "search/experiment.h"
#include "support/temp_dir.h"

namespace {

using lathe::config::parse_yaml_document;

std::string error_of(const std::function<void()>& read) {
  try {
    read();
  } catch (const lathe::Error& e) {
    return e.what();
  }
  return "";
}

std::string file_text(const std::string& relative) {
  std::ifstream in(std::string(LATHE_SOURCE_DIR) + "/" + relative);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// One reader of a config file kind: a real file of that kind from configs/, a line that
// repeats one of its keys, and the dotted key the message must name.
struct ConfigReader {
  std::string name;
  std::string example;
  std::string repeated_key_line;
  std::string repeated_key;
  std::function<void(const std::string& text, const std::string& source)> read;
};

std::vector<ConfigReader> readers() {
  return {
      {"training config", "configs/train/lenet5.yaml", "epochs: 3\n", "epochs",
       [](const std::string& text, const std::string& source) {
         (void)lathe::nn::parse_train_config(parse_yaml_document(text, source), source);
       }},
      {"model spec", "configs/models/lenet5.yaml", "name: again\n", "name",
       [](const std::string& text, const std::string& source) { (void)lathe::nn::parse_model_spec(text, source); }},
      {"recipe", "configs/recipes/ptq8.yaml", "- finetune: {epochs: 1, lr: 0.1, epochs: 2}\n", "[1].finetune.epochs",
       [](const std::string& text, const std::string& source) { (void)lathe::recipe::parse_recipe(text, source); }},
      {"fallback chain", "configs/chains/lenet5_20x.yaml", "target: {max_size_bytes: 1}\n", "target",
       [](const std::string& text, const std::string& source) {
         (void)lathe::recipe::parse_fallback_chain(text, source);
       }},
      {"experiment", "configs/experiments/lenet5_joint.yaml", "seed: 2\n", "seed",
       [](const std::string& text, const std::string& source) { (void)lathe::search::parse_experiment(text, source); }},
  };
}

int line_count(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

TEST(YamlDocument, EveryReaderRejectsARepeatedKeyAtItsLineAndColumn) {
  for (const ConfigReader& reader : readers()) {
    const std::string text = file_text(reader.example);
    ASSERT_FALSE(text.empty()) << reader.example;
    const std::string line = std::to_string(line_count(text) + 1);
    const std::string message = error_of([&] { reader.read(text + reader.repeated_key_line, "x.yaml"); });
    EXPECT_NE(message.find(": " + reader.repeated_key + ": key given twice"), std::string::npos)
        << reader.name << ": " << message;
    EXPECT_EQ(message.rfind("x.yaml:" + line + ":", 0), 0U) << reader.name << ": " << message;
  }
}

TEST(YamlDocument, EveryReaderRejectsASecondDocument) {
  for (const ConfigReader& reader : readers()) {
    const std::string text = file_text(reader.example);
    const std::string message = error_of([&] { reader.read(text + "---\nmore: 1\n", "x.yaml"); });
    EXPECT_NE(message.find("x.yaml:" + std::to_string(line_count(text) + 1) + ":1: a second YAML document"),
              std::string::npos) << reader.name << ": " << message;
  }
}

TEST(YamlDocument, EveryReaderGivesLineAndColumnOfMalformedYaml) {
  const std::regex at_line_and_column(R"(^x\.yaml:[0-9]+:[0-9]+: not valid YAML: )");
  for (const ConfigReader& reader : readers()) {
    for (const std::string& broken : {std::string("key: [1, 2\n"), std::string("key: {a: 1\n"),
                                      std::string("\tkey: 1\n")}) {
      const std::string message = error_of([&] { reader.read(file_text(reader.example) + broken, "x.yaml"); });
      EXPECT_TRUE(std::regex_search(message, at_line_and_column)) << reader.name << " + " << broken << ": " << message;
    }
  }
}

TEST(YamlDocument, ARepeatedKeyDeepInsideIsNamedByItsPath) {
  const std::string message = error_of([] {
    (void)parse_yaml_document("data:\n  format: idx\n  synthetic: {classes: 2, classes: 3}\n", "t.yaml");
  });
  EXPECT_EQ(message, "t.yaml:3:27: data.synthetic.classes: key given twice (first at line 3); give each key once");
}

TEST(YamlDocument, DocumentMarkersAreFoundWhereverTheSecondDocumentStarts) {
  struct Case {
    const char* text;
    const char* error;  // "" when the text is one document
  };
  const std::vector<Case> cases = {
      {"---\na: 1\n", ""},
      {"%YAML 1.2\n# comment\n---\na: 1\n...\n# trailing comment\n", ""},
      {"a: |\n  ---\n  text\n", ""},
      {"a: '--- not a marker'\n---x: 1\n", ""},
      {"a: 1\n---\n", "t.yaml:2:1: a second YAML document; expected one document per file"},
      {"a: 1\n--- # comment\nb: 2\n", "t.yaml:2:1: a second YAML document; expected one document per file"},
      {"--- {a: 1}\n--- {b: 2}\n", "t.yaml:2:1: a second YAML document; expected one document per file"},
      {"a: 1\n...\nb: 2\n", "t.yaml:3:1: a second YAML document; expected one document per file"},
  };
  for (const Case& c : cases) {
    const std::string message = error_of([&] { (void)parse_yaml_document(c.text, "t.yaml"); });
    if (std::string(c.error).empty()) {
      EXPECT_EQ(message, "") << c.text;
    } else {
      EXPECT_EQ(message.rfind(c.error, 0), 0U) << c.text << message;
    }
  }
}

TEST(YamlDocument, AliasesThatExpandExponentiallyAreRefusedQuickly) {
  // Ten levels of ten aliases each: 10^10 values once expanded.
  std::string text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 10; ++level) {
    const std::string previous = "*l" + std::to_string(level - 1);
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [" + previous;
    for (int i = 1; i < 10; ++i) text += ", " + previous;
    text += "]\n";
  }
  const std::string message = error_of([&] { (void)parse_yaml_document(text, "t.yaml"); });
  EXPECT_NE(message.find("t.yaml:"), std::string::npos) << message;
  EXPECT_NE(message.find(": the document expands to more than 1000000 values (through aliases)"), std::string::npos)
      << message;
  // A few aliases, as people use them to repeat a block, are fine.
  EXPECT_EQ(error_of([] { (void)parse_yaml_document("a: &o {lr: 1}\nb: *o\nc: *o\n", "t.yaml"); }), "");
}

TEST(YamlDocument, OneDocumentWithDistinctKeysReadsAsItIs) {
  const YAML::Node node = parse_yaml_document("---\na: 1\nb: {a: 2}\nc: [{a: 1}, {a: 1}]\n", "t.yaml");
  EXPECT_EQ(node["b"]["a"].as<int>(), 2);
  EXPECT_TRUE(parse_yaml_document("", "t.yaml").IsNull());
  EXPECT_TRUE(parse_yaml_document("# only a comment\n", "t.yaml").IsNull());
}

}  // namespace

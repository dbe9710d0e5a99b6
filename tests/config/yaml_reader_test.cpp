#include "config/yaml_reader.h"

#include <gtest/gtest.h>

#include "config/field_listing.h"

namespace lathe::config {
namespace {

struct InnerSection {
  double lr = 0.01;
  template <class V>
  void visit(V& v) {
    v.number("lr", lr, Range::positive(), "learning rate");
  }
};

struct OuterSection {
  int epochs = 5;
  std::string kind = "sgd";
  bool shuffle = true;
  std::string output;
  InnerSection inner;
  template <class V>
  void visit(V& v) {
    v.number("epochs", epochs, Range::at_least(1), "passes over the data");
    v.choice("kind", kind, {"sgd", "adam"}, "optimiser");
    v.flag("shuffle", shuffle, "shuffle every epoch");
    v.text("output", output, "where to write", Presence::required);
    v.section("inner", inner, "nested section");
  }
};

std::string read_error(const std::string& yaml) {
  OuterSection section;
  try {
    YamlReader::read(YAML::Load(yaml), section, "test.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(YamlReader, ReadsDeclaredKeysIntoTheSection) {
  OuterSection section;
  YamlReader::read(YAML::Load("epochs: 7\nkind: adam\nshuffle: false\noutput: x.h5\ninner: {lr: 0.5}"),
                   section, "test.yaml");
  EXPECT_EQ(section.epochs, 7);
  EXPECT_EQ(section.kind, "adam");
  EXPECT_FALSE(section.shuffle);
  EXPECT_EQ(section.output, "x.h5");
  EXPECT_DOUBLE_EQ(section.inner.lr, 0.5);
}

TEST(YamlReader, UnknownKeyNamesFileLineKeyAndSuggestion) {
  const std::string message = read_error("output: x\nepoch: 3\n");
  EXPECT_NE(message.find("test.yaml:2: epoch: unknown key (did you mean 'epochs'?)"), std::string::npos)
      << message;
}

TEST(YamlReader, NestedKeyOutOfRangeNamesDottedKeyAndRange) {
  const std::string message = read_error("output: x\ninner:\n  lr: -1\n");
  EXPECT_NE(message.find("inner.lr: expected a number greater than 0, got -1"), std::string::npos)
      << message;
}

TEST(YamlReader, RejectsWrongTypes) {
  EXPECT_NE(read_error("output: x\nepochs: 2.5").find("expected an integer at least 1"), std::string::npos);
  EXPECT_NE(read_error("output: x\nepochs: many").find("got 'many'"), std::string::npos);
  EXPECT_NE(read_error("output: x\nshuffle: 3").find("expected true or false"), std::string::npos);
  EXPECT_NE(read_error("output: [a]").find("output: expected a string, got a list"), std::string::npos);
  EXPECT_NE(read_error("output: x\ninner: 3").find("inner: expected a mapping"), std::string::npos);
}

TEST(YamlReader, IntegerBeyondItsTypeIsRefusedNotConverted) {
  // An int holds less than 2^31: converting 1e70 to it would be undefined (fuzz_config).
  EXPECT_NE(read_error("output: x\nepochs: 1e70").find("epochs: expected a value from -2147483648 to 2147483647 (what this key holds), got 1e70"),
            std::string::npos)
      << read_error("output: x\nepochs: 1e70");
  EXPECT_NE(read_error("output: x\nepochs: 2147483648").find("got 2147483648"), std::string::npos);
  EXPECT_EQ(read_error("output: x\nepochs: 2147483647"), "");
}

TEST(YamlReader, ChoiceOutsideListSuggestsNearest) {
  EXPECT_NE(read_error("output: x\nkind: adma").find("expected one of sgd, adam, got 'adma' (did you mean 'adam'?)"),
            std::string::npos);
}

TEST(YamlReader, MissingRequiredKeyIsAnError) {
  EXPECT_NE(read_error("epochs: 3").find("output: required key is missing"), std::string::npos);
}

TEST(FieldListing, ListsEveryDeclaredFieldWithDefaultsAndNestedKeys) {
  const std::vector<FieldRow> rows = FieldListing::of(OuterSection{});
  ASSERT_EQ(rows.size(), 6U);
  EXPECT_EQ(rows[0].key, "epochs");
  EXPECT_EQ(rows[0].fallback, "5");
  EXPECT_EQ(rows[3].fallback, "required");
  EXPECT_EQ(rows[5].key, "inner.lr");
  EXPECT_NE(format_help(rows).find("inner.lr  number greater than 0 (default 0.01)"), std::string::npos);
}

}  // namespace
}  // namespace lathe::config

// io/path_checks.h: every kind of path that is not a readable regular file gets its own
// message, naming the path and, given one, the config key that named it.
#include "io/path_checks.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "support/bad_paths.h"
#include "support/temp_dir.h"

namespace {

using lathe::test_support::BadPath;
using lathe::test_support::TempDir;

std::string error_of(const std::string& path, const std::string& where) {
  try {
    lathe::io::require_input_file(path, "a recipe YAML file", where);
  } catch (const lathe::Error& e) {
    return e.what();
  }
  return "";
}

TEST(PathChecks, EachKindOfBadInputPathHasItsOwnMessage) {
  TempDir dir;
  for (const BadPath& bad : lathe::test_support::make_bad_paths(dir)) {
    const std::string plain = error_of(bad.path, "");
    EXPECT_EQ(plain.rfind(bad.path + ": ", 0), 0U) << bad.kind << ": " << plain;
    EXPECT_NE(plain.find(bad.phrase), std::string::npos) << bad.kind << ": " << plain;
    EXPECT_NE(plain.find("a recipe YAML file"), std::string::npos) << bad.kind << ": " << plain;
    const std::string keyed = error_of(bad.path, "exp.yaml: data.train_file");
    EXPECT_EQ(keyed.rfind("exp.yaml: data.train_file: ", 0), 0U) << bad.kind << ": " << keyed;
    EXPECT_NE(keyed.find(bad.path), std::string::npos) << bad.kind << ": " << keyed;
    EXPECT_NE(keyed.find(bad.phrase), std::string::npos) << bad.kind << ": " << keyed;
  }
}

TEST(PathChecks, ARegularFileAndALinkToItPass) {
  TempDir dir;
  dir.write("good.yaml", "a: 1\n");
  std::filesystem::create_symlink(dir.file("good.yaml"), dir.file("link.yaml"));
  EXPECT_EQ(error_of(dir.file("good.yaml"), ""), "");
  EXPECT_EQ(error_of(dir.file("link.yaml"), ""), "");
  EXPECT_EQ(lathe::io::read_text_file(dir.file("link.yaml"), "a YAML file"), "a: 1\n");
}

TEST(PathChecks, OnlyAnAbsentPathCountsAsMissing) {
  TempDir dir;
  EXPECT_TRUE(lathe::io::path_is_missing(dir.file("absent.h5")));
  for (const BadPath& bad : lathe::test_support::make_bad_paths(dir)) {
    if (bad.kind == "missing" || bad.kind == "under a file") continue;
    EXPECT_FALSE(lathe::io::path_is_missing(bad.path)) << bad.kind;
  }
}

}  // namespace

// A group B-tree node whose child address is undefined is refused before libhdf5 walks
// the group: libhdf5 1.10 reads from a null pointer on an undefined
// one, so without the check these tests crash the test binary.
#include <gtest/gtest.h>

#include <string>

#include "io/checkpoint_file.h"
#include "io/checkpoint_test_support.h"
#include "io/hdf5_damage.h"
#include "support/temp_dir.h"

namespace lathe::io {
namespace {

using lathe::test_support::TempDir;
using namespace test_support;  // NOLINT(google-build-using-namespace): the checkpoint test helpers

TEST(GroupBtreeCheck, UndefinedChildAddressIsRefusedNamingTheFileAndOffsets) {
  const TempDir scratch;
  const std::string path = scratch.file("damaged.h5");
  write_checkpoint(path, small_checkpoint_with_text());
  const std::size_t child_field = point_group_btree_child_at(path, kUndefinedAddress);
  ASSERT_GT(child_field, 0U);

  expect_mentions(read_error(path), {path, "damaged group B-tree", "child 0 at byte " + std::to_string(child_field),
                                     "an undefined address"});
}

// libhdf5 refuses a defined address past the end of allocation itself; the check leaves
// it (and a truncated file) to libhdf5's message.
TEST(GroupBtreeCheck, ChildAddressPastTheEndIsStillAnErrorNamingTheFile) {
  const TempDir scratch;
  const std::string path = scratch.file("damaged.h5");
  write_checkpoint(path, small_checkpoint_with_text());
  ASSERT_GT(point_group_btree_child_at(path, file_bytes(path).size() + 4096), 0U);

  const std::string message = read_error(path);
  expect_mentions(message, {path + ": "});
  EXPECT_EQ(message.find("damaged group B-tree"), std::string::npos) << message;
}

TEST(GroupBtreeCheck, FuzzerInputThatCrashedLibhdf5IsRefused) {
  const std::string path = std::string(LATHE_SOURCE_DIR) +
                           "/fuzz/regressions/fuzz_checkpoint/hdf5_group_iteration_reads_null.h5";
  expect_mentions(read_error(path), {path, "damaged group B-tree", "an undefined address"});
}

}  // namespace
}  // namespace lathe::io

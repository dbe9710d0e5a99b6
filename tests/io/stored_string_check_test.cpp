// A damaged stored length of /model_spec (a variable-length string) is refused before
// libhdf5 reads it: libhdf5 1.10 would first allocate that length (2 GB here), then fail
// with a message of its own.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <string>

#include "io/checkpoint_file.h"
#include "io/checkpoint_test_support.h"
#include "io/hdf5_damage.h"
#include "io/stored_string_check.h"
#include "support/temp_dir.h"

namespace lathe::io {
namespace {

using lathe::test_support::TempDir;
using namespace test_support;  // NOLINT(google-build-using-namespace): the checkpoint test helpers

haddr_t model_spec_offset(const std::string& path) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t spec = H5Dopen2(file, "model_spec", H5P_DEFAULT);
  const haddr_t offset = H5Dget_offset(spec);
  H5Dclose(spec);
  H5Fclose(file);
  return offset;
}

TEST(StoredStringCheck, ModelSpecLengthBeyondTheFileIsRefusedBeforeLibhdf5AllocatesIt) {
  const TempDir scratch;
  const std::string path = scratch.file("damaged.h5");
  write_checkpoint(path, small_checkpoint_with_text());
  const haddr_t offset = model_spec_offset(path);
  ASSERT_NE(offset, HADDR_UNDEF);
  std::string bytes = file_bytes(path);
  bytes.replace(offset, 4, std::string("\xff\xff\xff\x7f", 4));
  write_bytes(path, bytes);

  // The object header walk (object_header_walk.h) meets the value first and refuses it
  // as a length its heap object disagrees with; the check of its own stays for values the
  // walk does not reach (chunked storage), and is called alone here.
  expect_mentions(read_error(path), {path, "stores a length of 2147483647 bytes", "holds"});
  const Hdf5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  const Hdf5Handle spec(H5Dopen2(file.get(), "model_spec", H5P_DEFAULT), H5Dclose);
  std::string refusal = "(no error)";
  try {
    require_stored_string_within_file(spec.get(), path + ": /model_spec");
  } catch (const Error& e) {
    refusal = e.what();
  }
  expect_mentions(refusal, {path + ": /model_spec", "stored length of 2147483647 bytes",
                            "in a file of " + std::to_string(bytes.size()) + " bytes"});
}

}  // namespace
}  // namespace lathe::io

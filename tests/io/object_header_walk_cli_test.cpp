// The damage the object header walk refuses (framework/io/object_header_walk.h), through
// the command line: the inputs fuzzers found (fuzz/regressions/) and a checkpoint damaged
// byte by byte. Each is refused in one line naming the file, exit status 1, nothing
// written, the input left as it was; before the walk libhdf5 crashed on them or
// allocated 4 GiB.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "io/checkpoint_test_support.h"
#include "io/object_header_bytes.h"
#include "support/run_lathe.h"
#include "support/temp_dir.h"

namespace {

using lathe::test_support::RunResult;
using lathe::test_support::run_lathe;
using lathe::test_support::TempDir;

// The one line of `output` that reports an error (train prints its device choice
// first), or all of `output` when it reports none or more than one.
std::string the_error_line(const std::string& output) {
  constexpr std::string_view kError = "lathe: error: ";
  const std::size_t first = output.find(kError);
  if (first == std::string::npos || output.find(kError, first + 1) != std::string::npos) return output;
  return output.substr(first, output.find('\n', first) - first);
}

std::string damaged(const std::string& path, const std::string& what, const std::string& details) {
  return "lathe: error: " + path + ": expected an HDF5 file whose " + what + " can be read, found " + details +
         "; the file is damaged";
}

// `lathe evaluate` on a copy of fuzz/regressions/fuzz_checkpoint/<name>.
void expect_evaluate_refuses(const std::string& name, const std::string& what, const std::string& details) {
  const TempDir dir;
  const std::string checkpoint = dir.file(name);
  std::filesystem::copy_file(std::string(LATHE_SOURCE_DIR) + "/fuzz/regressions/fuzz_checkpoint/" + name,
                             checkpoint);
  const std::string before = lathe::io::test_support::file_bytes(checkpoint);

  const RunResult r = run_lathe("evaluate " + checkpoint);

  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(the_error_line(r.output), damaged(checkpoint, what, details)) << r.output;
  EXPECT_EQ(lathe::io::test_support::file_bytes(checkpoint), before);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{name}) << "something was written";
}

TEST(ObjectHeaderWalkCli, EvaluateRefusesAContinuationMessageTooSmallForItsFieldsBeforeAllocating4Gib) {
  expect_evaluate_refuses("object_header_load_allocates_4_gb.h5", "objects",
                          "a damaged object header (the header at byte 96 has a message of type 16 at byte 912 "
                          "declaring 0 bytes, fewer than its 16 bytes of fields)");
}

TEST(ObjectHeaderWalkCli, EvaluateRefusesAStringNamingTheHeapFreeSpaceBeforeLibhdf5OverflowsABuffer) {
  expect_evaluate_refuses("heap_buffer_overflow_in_libhdf5_read.h5", "text",
                          "a damaged variable-length value (value 0 of the data set whose object header is at byte "
                          "960, at byte 6144, names object 0 of the global heap collection at byte 2048, which "
                          "holds no such object (0 is its free space), and libhdf5 would copy what is not the "
                          "value)");
}

TEST(ObjectHeaderWalkCli, EvaluateRefusesAttributesWhoseFieldsRunPastTheirMessage) {
  // Values placed past the message by a damaged part size; an enumeration type of 257
  // names where the format's string type was: libhdf5 copied both from beyond its buffer.
  expect_evaluate_refuses("attribute_values_past_their_message.h5", "objects",
                          "a damaged object header (the header at byte 19888 has a message of type 12 at byte "
                          "21592 declaring 72 bytes, fewer than its 184 bytes of fields)");
  expect_evaluate_refuses("attribute_type_names_past_their_message.h5", "objects",
                          "a damaged object header (the header at byte 96 has a message of type 12 at byte 832 "
                          "declaring 64 bytes, fewer than its 325 bytes of fields)");
}

TEST(ObjectHeaderWalkCli, TrainRefusesDataWhoseRootGroupNamesNoLocalHeapInsteadOfCrashing) {
  const TempDir dir;
  const std::string data = dir.file("damaged.h5");
  std::filesystem::copy_file(
      LATHE_SOURCE_DIR "/fuzz/regressions/fuzz_hdf5_data/local_heap_read_at_damaged_address_segv.h5", data);
  const std::string before = lathe::io::test_support::file_bytes(data);
  dir.write("config.yaml", "model: " LATHE_SOURCE_DIR "/configs/tests/tiny_cnn.yaml\noutput: " +
                               dir.file("m.h5") + "\ndata: {format: hdf5, train_file: " + data +
                               ", test_file: " + data + "}\nepochs: 1\nthreads: 1\n");

  const RunResult r = run_lathe("train " + dir.file("config.yaml"));

  EXPECT_EQ(r.exit_code, 1) << r.output;  // 139 before: a segmentation fault inside libhdf5
  EXPECT_EQ(the_error_line(r.output),
            damaged(data, "objects",
                    "a damaged group (the object header at byte 96 has a symbol-table message at byte 120 naming a "
                    "local heap at byte 18446744073709551615, where no local heap is)"))
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.h5")));
  EXPECT_EQ(lathe::io::test_support::file_bytes(data), before);
}

TEST(ObjectHeaderWalkCli, EvaluateRefusesACheckpointWhoseContinuationBlockLiesPastTheFileEnd) {
  using namespace lathe::io::test_support;  // NOLINT(google-build-using-namespace)
  const TempDir dir;
  const std::string checkpoint = dir.file("model.h5");
  lathe::io::write_checkpoint(checkpoint, small_checkpoint_with_text());
  const HeaderMessage continuation = header_message(checkpoint, "/", 0x10);
  const std::size_t file_size = file_bytes(checkpoint).size();
  overwrite_number(checkpoint, continuation.data_at + 8, std::uint64_t{1} << 32, 8);
  const std::string before = file_bytes(checkpoint);

  const RunResult r = run_lathe("evaluate " + checkpoint);

  EXPECT_EQ(r.exit_code, 1) << r.output;
  const std::uint64_t address = little_endian_at(before, continuation.data_at, 8);
  EXPECT_EQ(the_error_line(r.output),
            damaged(checkpoint, "objects",
                    "a damaged object header (the header at byte " + std::to_string(continuation.header) +
                        " has a continuation message at byte " + std::to_string(continuation.data_at) +
                        " naming a block of 4294967296 bytes at byte " + std::to_string(address) +
                        ", past the file's end of " + std::to_string(file_size) +
                        " bytes, which libhdf5 would allocate)"))
      << r.output;
  EXPECT_EQ(file_bytes(checkpoint), before);
}

}  // namespace

#include "io/stored_size.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/bit_packing.h"
#include "io/checkpoint_file.h"
#include "support/temp_dir.h"

namespace lathe::io {
namespace {

using lathe::test_support::TempDir;

NamedTensor quantized(const std::string& name, Shape shape, int bits, std::size_t scales) {
  PackedTensor packed;
  packed.encoding = PackedTensor::Encoding::quantized;
  packed.bits = bits;
  packed.shape = shape;
  packed.codes = pack_codes(std::vector<std::uint8_t>(static_cast<std::size_t>(shape.elements()), 1), bits);
  packed.scales.assign(scales, 0.5F);
  packed.zero_points.assign(scales, 1);
  return {name, Tensor(shape), packed};
}

NamedTensor codebook(const std::string& name, Shape shape, int bits, std::size_t entries) {
  PackedTensor packed;
  packed.encoding = PackedTensor::Encoding::codebook;
  packed.bits = bits;
  packed.shape = shape;
  packed.codes = pack_codes(std::vector<std::uint8_t>(static_cast<std::size_t>(shape.elements()), 0), bits);
  packed.codebook.assign(entries, 0.0F);
  return {name, Tensor(shape), packed};
}

// Sizes worked out by hand in the comments.
Checkpoint small_artifact() {
  Checkpoint checkpoint;
  checkpoint.model_spec_yaml = "input: [5]\nlayers: []\n";
  // 15 codes * 3 bits = 45 bits -> 6 bytes; 3 scales * 4 + 3 zero points * 1 = 15. Total 21.
  checkpoint.tensors.push_back(quantized("fc1/weight", {3, 5}, 3, 3));
  // float32: 3 * 4 = 12.
  checkpoint.tensors.push_back({"fc1/bias", Tensor({3})});
  // 6 codes * 4 bits -> 3 bytes; 1 scale * 4 + 1 zero point = 5. Total 8.
  checkpoint.tensors.push_back(quantized("conv1/weight", {2, 3}, 4, 1));
  // 7 codes * 2 bits = 14 bits -> 2 bytes; 4 entries * 4 = 16. Total 18.
  checkpoint.tensors.push_back(codebook("fc2/weight", {7}, 2, 4));
  return checkpoint;
}

TEST(StoredSize, CountsEachTensorFormAsDocumented) {
  const Checkpoint artifact = small_artifact();
  EXPECT_EQ(payload_bytes(artifact.tensors[0]), 21);
  EXPECT_EQ(payload_bytes(artifact.tensors[1]), 12);
  EXPECT_EQ(payload_bytes(artifact.tensors[2]), 8);
  EXPECT_EQ(payload_bytes(artifact.tensors[3]), 18);
  EXPECT_EQ(payload_bytes(artifact), 21 + 12 + 8 + 18);
}

TEST(StoredSize, FloatCheckpointCountsFourBytesPerElement) {
  Checkpoint checkpoint;
  checkpoint.tensors.push_back({"conv1/weight", Tensor({6, 1, 5, 5})});
  checkpoint.tensors.push_back({"conv1/bias", Tensor({6})});
  EXPECT_EQ(payload_bytes(checkpoint), 4 * (150 + 6));
  EXPECT_EQ(payload_bytes(Checkpoint{}), 0);
}

TEST(StoredSize, MetadataSpecAndNormalizationAreNotPayload) {
  Checkpoint checkpoint = small_artifact();
  const std::int64_t before = payload_bytes(checkpoint);
  checkpoint.model_spec_yaml += std::string(1000, '#');
  checkpoint.text_metadata["config"] = std::string(1000, 'x');
  checkpoint.number_metadata["test_accuracy"] = 0.9;
  checkpoint.normalization_mean = {0.5F, 0.5F, 0.5F};
  checkpoint.normalization_std = {0.25F, 0.25F, 0.25F};
  EXPECT_EQ(payload_bytes(checkpoint), before);
}

TEST(StoredSize, BreakdownListsEveryTensorInOrderWithItsForm) {
  const std::vector<TensorPayload> rows = payload_breakdown(small_artifact());
  ASSERT_EQ(rows.size(), 4U);
  const auto expect_row = [](const TensorPayload& row, const char* name, const char* form, int bits,
                             std::int64_t elements, std::int64_t bytes) {
    SCOPED_TRACE(name);
    EXPECT_EQ(row.name, name);
    EXPECT_EQ(row.form, form);
    EXPECT_EQ(row.bits, bits);
    EXPECT_EQ(row.elements, elements);
    EXPECT_EQ(row.bytes, bytes);
    EXPECT_EQ(row.float32_bytes, 4 * elements);
  };
  expect_row(rows[0], "fc1/weight", "quantized", 3, 15, 21);
  expect_row(rows[1], "fc1/bias", "float32", 32, 3, 12);
  expect_row(rows[2], "conv1/weight", "quantized", 4, 6, 8);
  expect_row(rows[3], "fc2/weight", "codebook", 2, 7, 18);
}

TEST(StoredSize, SameAfterAFileRoundTripAndSmallerThanTheFile) {
  const TempDir scratch;
  const std::string path = scratch.file("artifact.h5");
  const Checkpoint artifact = small_artifact();
  write_checkpoint(path, artifact);
  EXPECT_EQ(payload_bytes(read_checkpoint(path)), payload_bytes(artifact));
  // HDF5's headers, attributes and the spec text come on top of the payload.
  EXPECT_GT(file_size_bytes(path), payload_bytes(artifact));
}

TEST(StoredSize, FileSizeOfAMissingFileNamesIt) {
  const TempDir scratch;
  const std::string path = scratch.file("absent.h5");
  try {
    file_size_bytes(path);
    FAIL() << "no error for a missing file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": cannot read its size"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lathe::io

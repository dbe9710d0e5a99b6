// Packed tensors in checkpoint files (format version 2): quantised codes with scales and
// zero points, codebook indices; written in packed form only, decoded on reading.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "io/bit_packing.h"
#include "io/checkpoint_file.h"
#include "io/checkpoint_test_support.h"
#include "io/hdf5_handle.h"
#include "support/temp_dir.h"

namespace lathe::io {
namespace {

using lathe::test_support::TempDir;
using namespace test_support;  // NOLINT(google-build-using-namespace): the checkpoint test helpers

Tensor tensor_of(Shape shape, const std::vector<float>& values) {
  Tensor tensor(std::move(shape));
  EXPECT_EQ(static_cast<std::size_t>(tensor.size()), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) tensor[static_cast<std::int64_t>(i)] = values[i];
  return tensor;
}

// Power-of-two scales and small codes: every decoded value is exact in float32, so the
// expected values below are written out, not computed with the decoder's formula.

// Per channel, asymmetric, 3 bits: 15 codes are 45 bits in 6 bytes, several codes
// straddle a byte boundary.
const std::vector<std::uint8_t> kPerChannelCodes = {0, 1, 2, 3, 7, 7, 6, 5, 4, 0, 1, 3, 5, 7, 2};

NamedTensor per_channel_quantized(const std::string& name) {
  PackedTensor packed;
  packed.encoding = PackedTensor::Encoding::quantized;
  packed.bits = 3;
  packed.shape = {3, 5};
  packed.codes = pack_codes(kPerChannelCodes, 3);
  packed.scales = {0.5F, 0.25F, 2.0F};
  packed.zero_points = {3, 0, 7};
  // value = scale[c] * (code - zero_point[c])
  return {name,
          tensor_of({3, 5}, {-1.5F, -1.0F, -0.5F, 0.0F, 2.0F,        // * 0.5, - 3
                             1.75F, 1.5F, 1.25F, 1.0F, 0.0F,         // * 0.25, - 0
                             -12.0F, -8.0F, -4.0F, 0.0F, -10.0F}),  // * 2, - 7
          packed};
}

// One scale for the tensor, symmetric: 4-bit codes offset by 2^(4-1) = 8.
NamedTensor per_tensor_symmetric(const std::string& name) {
  PackedTensor packed;
  packed.encoding = PackedTensor::Encoding::quantized;
  packed.bits = 4;
  packed.shape = {2, 3};
  packed.codes = pack_codes(std::vector<std::uint8_t>{0, 8, 15, 7, 9, 1}, 4);
  packed.scales = {0.5F};
  packed.zero_points = {8};
  return {name, tensor_of({2, 3}, {-4.0F, 0.0F, 3.5F, -0.5F, 0.5F, -3.5F}), packed};
}

// 2-bit indices into a full codebook of 4 shared values.
NamedTensor codebook_tensor(const std::string& name) {
  PackedTensor packed;
  packed.encoding = PackedTensor::Encoding::codebook;
  packed.bits = 2;
  packed.shape = {7};
  packed.codes = pack_codes(std::vector<std::uint8_t>{3, 0, 1, 2, 2, 1, 3}, 2);
  packed.codebook = {-0.75F, 0.0F, 0.125F, 3.0F};
  return {name, tensor_of({7}, {3.0F, -0.75F, 0.0F, 0.125F, 0.125F, 0.0F, 3.0F}), packed};
}

// Packed and float tensors mixed, in an order that is not alphabetical.
Checkpoint mixed_checkpoint() {
  Checkpoint checkpoint;
  checkpoint.model_spec_yaml = "input: [5]\nlayers: []\n";
  checkpoint.tensors.push_back(per_tensor_symmetric("conv1/weight"));
  checkpoint.tensors.push_back({"conv1/bias", tensor_of({2}, {0.25F, -0.5F})});
  checkpoint.tensors.push_back(per_channel_quantized("fc1/weight"));
  checkpoint.tensors.push_back({"fc1/bias", tensor_of({3}, {1.0F, 2.0F, 3.0F})});
  checkpoint.tensors.push_back(codebook_tensor("fc2/weight"));
  checkpoint.text_metadata["method"] = "quantize";
  return checkpoint;
}

void expect_same_packed(const PackedTensor& want, const PackedTensor& got, const std::string& name) {
  EXPECT_EQ(got.encoding, want.encoding) << name;
  EXPECT_EQ(got.bits, want.bits) << name;
  EXPECT_EQ(got.shape, want.shape) << name;
  EXPECT_EQ(got.codes, want.codes) << name;
  EXPECT_EQ(got.scales, want.scales) << name;
  EXPECT_EQ(got.zero_points, want.zero_points) << name;
  EXPECT_EQ(got.codebook, want.codebook) << name;
}

void expect_same_tensors(const std::vector<NamedTensor>& expected, const std::vector<NamedTensor>& actual) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const NamedTensor& want = expected[i];
    const NamedTensor& got = actual[i];
    EXPECT_EQ(got.name, want.name) << "tensor " << i;
    EXPECT_EQ(got.value.shape(), want.value.shape()) << want.name;
    const std::vector<float> want_values(want.value.values().begin(), want.value.values().end());
    const std::vector<float> got_values(got.value.values().begin(), got.value.values().end());
    EXPECT_EQ(got_values, want_values) << want.name;
    ASSERT_EQ(got.packed.has_value(), want.packed.has_value()) << want.name;
    if (want.packed) expect_same_packed(*want.packed, *got.packed, want.name);
  }
}

std::string text_attribute(hid_t object, const char* name) {
  const Hdf5Handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  const Hdf5Handle type(H5Aget_type(attribute.get()), H5Tclose);
  char* text = nullptr;
  EXPECT_GE(H5Aread(attribute.get(), type.get(), &text), 0) << name;
  std::string result = text == nullptr ? "" : text;
  H5free_memory(text);
  return result;
}

std::vector<std::int64_t> integer_attribute(hid_t object, const char* name) {
  const Hdf5Handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  const Hdf5Handle space(H5Aget_space(attribute.get()), H5Sclose);
  std::vector<std::int64_t> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  EXPECT_GE(H5Aread(attribute.get(), H5T_NATIVE_INT64, values.data()), 0) << name;
  return values;
}

bool has_type(hid_t data_set, hid_t type) {
  const Hdf5Handle stored(H5Dget_type(data_set), H5Tclose);
  return H5Tequal(stored.get(), type) > 0;
}

// ---------------------------------------------------------------- round trip and layout

TEST(CheckpointPacked, RoundTripDecodesEveryEncodingExactlyBesideFloatTensorsInOrder) {
  const TempDir scratch;
  const std::string path = scratch.file("artifact.h5");
  const Checkpoint written = mixed_checkpoint();
  write_checkpoint(path, written);
  const Checkpoint read = read_checkpoint(path);
  expect_same_tensors(written.tensors, read.tensors);
  EXPECT_EQ(read.text_metadata, written.text_metadata);
}

TEST(CheckpointPacked, FileHoldsOnlyThePackedFormInTheDocumentedLayout) {
  const TempDir scratch;
  const std::string path = scratch.file("artifact.h5");
  write_checkpoint(path, mixed_checkpoint());
  const Hdf5Handle file = open_for_editing(path);

  const Hdf5Handle quantized = open_group(file.get(), "weights/fc1/weight");
  EXPECT_EQ(text_attribute(quantized.get(), "encoding"), "quantized");
  EXPECT_EQ(integer_attribute(quantized.get(), "bits"), std::vector<std::int64_t>{3});
  EXPECT_EQ(integer_attribute(quantized.get(), "shape"), (std::vector<std::int64_t>{3, 5}));
  EXPECT_EQ(integer_attribute(quantized.get(), "order"), std::vector<std::int64_t>{2});
  const Hdf5Handle codes = open_data_set(quantized.get(), "codes");
  EXPECT_TRUE(has_type(codes.get(), H5T_STD_U8LE));
  EXPECT_EQ(dims_of(codes.get()), std::vector<hsize_t>{6});  // ceil(15 * 3 / 8)
  const Hdf5Handle scales = open_data_set(quantized.get(), "scales");
  EXPECT_TRUE(has_type(scales.get(), H5T_IEEE_F32LE));
  EXPECT_EQ(dims_of(scales.get()), std::vector<hsize_t>{3});
  const Hdf5Handle zero_points = open_data_set(quantized.get(), "zero_points");
  EXPECT_TRUE(has_type(zero_points.get(), H5T_STD_U8LE));
  EXPECT_EQ(dims_of(zero_points.get()), std::vector<hsize_t>{3});
  EXPECT_LE(H5Lexists(quantized.get(), "codebook", H5P_DEFAULT), 0);

  const Hdf5Handle shared = open_group(file.get(), "weights/fc2/weight");
  EXPECT_EQ(text_attribute(shared.get(), "encoding"), "codebook");
  EXPECT_EQ(integer_attribute(shared.get(), "bits"), std::vector<std::int64_t>{2});
  EXPECT_EQ(integer_attribute(shared.get(), "shape"), std::vector<std::int64_t>{7});
  EXPECT_EQ(dims_of(open_data_set(shared.get(), "codes").get()), std::vector<hsize_t>{2});
  const Hdf5Handle codebook = open_data_set(shared.get(), "codebook");
  EXPECT_TRUE(has_type(codebook.get(), H5T_IEEE_F32LE));
  EXPECT_EQ(dims_of(codebook.get()), std::vector<hsize_t>{4});
  EXPECT_LE(H5Lexists(shared.get(), "scales", H5P_DEFAULT), 0);
  EXPECT_LE(H5Lexists(shared.get(), "zero_points", H5P_DEFAULT), 0);

  // Float tensors stay float32 data sets.
  EXPECT_TRUE(has_type(open_data_set(file.get(), "weights/fc1/bias").get(), H5T_IEEE_F32LE));
}

// ---------------------------------------------------------------- writing bad tensors

struct BadPackedTensor {
  const char* problem;
  std::function<NamedTensor()> make;
  const char* expected;
};

template <class Edit>
std::function<NamedTensor()> edited(NamedTensor (*make)(const std::string&), Edit edit) {
  return [make, edit] {
    NamedTensor tensor = make("fc1/weight");
    edit(*tensor.packed, tensor.value);
    return tensor;
  };
}

TEST(CheckpointPacked, WriterRejectsInconsistentPackedTensorsNamingWhatWasExpected) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<BadPackedTensor> cases = {
      {"bits 0", edited(per_channel_quantized, [](PackedTensor& p, Tensor&) { p.bits = 0; }),
       "/weights/fc1/weight attribute 'bits': expected 1 to 8, found 0"},
      {"bits 9", edited(per_channel_quantized, [](PackedTensor& p, Tensor&) { p.bits = 9; }),
       "/weights/fc1/weight attribute 'bits': expected 1 to 8, found 9"},
      {"one code byte short",
       edited(per_channel_quantized, [](PackedTensor& p, Tensor&) { p.codes.pop_back(); }),
       "/weights/fc1/weight/codes: expected 6 bytes (15 codes of 3 bits, shape [3, 5]), found 5"},
      {"bits that do not match the codes",
       edited(per_channel_quantized, [](PackedTensor& p, Tensor&) { p.bits = 4; }),
       "/weights/fc1/weight/codes: expected 8 bytes (15 codes of 4 bits, shape [3, 5]), found 6"},
      {"two scales for three channels",
       edited(per_channel_quantized, [](PackedTensor& p, Tensor&) { p.scales.pop_back(); }),
       "/weights/fc1/weight/scales: expected 1 scale (per tensor) or 3 (one per channel along axis 0 of shape "
       "[3, 5]), found 2"},
      {"a NaN scale", edited(per_channel_quantized, [nan](PackedTensor& p, Tensor&) { p.scales[1] = nan; }),
       "/weights/fc1/weight/scales: expected finite scales, found nan at index 1"},
      {"fewer zero points than scales",
       edited(per_channel_quantized, [](PackedTensor& p, Tensor&) { p.zero_points.pop_back(); }),
       "/weights/fc1/weight/zero_points: expected as many zero points as scales (3), found 2"},
      {"a zero point beyond 2^bits - 1",
       edited(per_channel_quantized, [](PackedTensor& p, Tensor&) { p.zero_points[2] = 8; }),
       "/weights/fc1/weight/zero_points: expected values up to 7 (3 bits), found 8 at index 2"},
      {"a codebook in a quantized tensor",
       edited(per_channel_quantized, [](PackedTensor& p, Tensor&) { p.codebook = {1.0F}; }),
       "/weights/fc1/weight/codebook: expected none in a quantized tensor, found 1 entries"},
      {"a packed shape unlike the value's",
       edited(per_channel_quantized,
              [](PackedTensor& p, Tensor&) {
                p.shape = {5, 3};
                p.scales = {1.0F};
                p.zero_points = {0};
              }),
       "/weights/fc1/weight: expected the packed shape [5, 3] to equal the value's shape, found [3, 5]"},
      {"more codebook entries than 2^bits",
       edited(codebook_tensor, [](PackedTensor& p, Tensor&) { p.codebook.push_back(5.0F); }),
       "/weights/fc1/weight/codebook: expected 1 to 4 entries (2 bits), found 5"},
      {"an empty codebook", edited(codebook_tensor, [](PackedTensor& p, Tensor&) { p.codebook.clear(); }),
       "/weights/fc1/weight/codebook: expected 1 to 4 entries (2 bits), found 0"},
      {"a code beyond the codebook",
       edited(codebook_tensor, [](PackedTensor& p, Tensor&) { p.codebook.pop_back(); }),
       "/weights/fc1/weight/codes: expected indices below 3 (the codebook's size), found 3 at element 0"},
      {"scales in a codebook tensor",
       edited(codebook_tensor, [](PackedTensor& p, Tensor&) { p.scales = {1.0F}; }),
       "/weights/fc1/weight: expected no scales or zero points in a codebook tensor, found 1 scales"},
  };
  for (const BadPackedTensor& bad : cases) {
    SCOPED_TRACE(bad.problem);
    const TempDir scratch;
    const std::string path = scratch.file("artifact.h5");
    Checkpoint checkpoint;
    checkpoint.tensors.push_back({"fc1/bias", tensor_of({3}, {1.0F, 2.0F, 3.0F})});
    checkpoint.tensors.push_back(bad.make());
    expect_mentions(write_error(path, checkpoint), {path, bad.expected});
    EXPECT_TRUE(scratch.entries().empty()) << "a failed write leaves no file";
  }
}

TEST(CheckpointPacked, TensorCannotBeStoredInsideAPackedOne) {
  const TempDir scratch;
  Checkpoint checkpoint;
  checkpoint.tensors.push_back(per_channel_quantized("fc1/weight"));
  checkpoint.tensors.push_back({"fc1/weight/extra", tensor_of({1}, {1.0F})});
  expect_mentions(write_error(scratch.file("artifact.h5"), checkpoint),
                  {"/weights/fc1/weight", "expected a group to hold tensor \"fc1/weight/extra\"",
                   "found a packed tensor of that name"});
}

// ---------------------------------------------------------------- reading corrupt files

struct CorruptFile {
  const char* problem;
  std::function<void(const std::string& path)> edit;
  const char* expected;
};

TEST(CheckpointPacked, ReaderRejectsCorruptPackedTensorsNamingFileObjectAndExpectation) {
  const std::vector<CorruptFile> cases = {
      {"an unknown encoding",
       [](const std::string& path) { replace_text_attribute(path, "weights/fc1/weight", "encoding", "lut"); },
       "/weights/fc1/weight attribute 'encoding': expected \"quantized\" or \"codebook\", found \"lut\""},
      {"bits 9",
       [](const std::string& path) {
         replace_attribute(path, "weights/fc1/weight", "bits", H5T_NATIVE_INT64, std::int64_t{9});
       },
       "/weights/fc1/weight attribute 'bits': expected 1 to 8, found 9"},
      {"bits 0",
       [](const std::string& path) {
         replace_attribute(path, "weights/fc2/weight", "bits", H5T_NATIVE_INT64, std::int64_t{0});
       },
       "/weights/fc2/weight attribute 'bits': expected 1 to 8, found 0"},
      {"bits that do not match the code bytes",
       [](const std::string& path) {
         replace_attribute(path, "weights/fc1/weight", "bits", H5T_NATIVE_INT64, std::int64_t{4});
       },
       "/weights/fc1/weight/codes: expected 8 bytes (15 codes of 4 bits, shape [3, 5]), found 6"},
      {"codes one byte short",
       [](const std::string& path) {
         replace_data_set(path, "weights/fc1/weight/codes", H5T_STD_U8LE, H5T_NATIVE_UINT8,
                          std::vector<std::uint8_t>(5, 0));
       },
       "/weights/fc1/weight/codes: expected 6 bytes (15 codes of 3 bits, shape [3, 5]), found 5"},
      {"codes stored as int32",
       [](const std::string& path) {
         replace_data_set(path, "weights/fc1/weight/codes", H5T_STD_I32LE, H5T_NATIVE_INT32,
                          std::vector<std::int32_t>(6, 0));
       },
       "/weights/fc1/weight/codes: expected uint8 values, found int32"},
      {"a code beyond the codebook",
       [](const std::string& path) {
         // 3 shared values for 2-bit codes; the stored codes use index 3 as well.
         replace_data_set(path, "weights/fc2/weight/codebook", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                          std::vector<float>{-0.75F, 0.0F, 0.125F});
       },
       "/weights/fc2/weight/codes: expected indices below 3 (the codebook's size), found 3 at element 0"},
      {"a codebook larger than 2^bits",
       [](const std::string& path) {
         replace_data_set(path, "weights/fc2/weight/codebook", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                          std::vector<float>(5, 1.0F));
       },
       "/weights/fc2/weight/codebook: expected 1 to 4 entries (2 bits), found 5"},
      {"a zero point beyond 2^bits - 1",
       [](const std::string& path) {
         replace_data_set(path, "weights/fc1/weight/zero_points", H5T_STD_U8LE, H5T_NATIVE_UINT8,
                          std::vector<std::uint8_t>{3, 8, 7});
       },
       "/weights/fc1/weight/zero_points: expected values up to 7 (3 bits), found 8 at index 1"},
      {"two scales for three channels",
       [](const std::string& path) {
         replace_data_set(path, "weights/fc1/weight/scales", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                          std::vector<float>{1.0F, 2.0F});
       },
       "/weights/fc1/weight/scales: expected 1 scale (per tensor) or 3"},
      {"missing codebook",
       [](const std::string& path) {
         ASSERT_GE(H5Ldelete(open_for_editing(path).get(), "weights/fc2/weight/codebook", H5P_DEFAULT), 0);
       },
       "/weights/fc2/weight/codebook: expected a float32 data set, found nothing"},
      {"missing shape",
       [](const std::string& path) {
         const Hdf5Handle file = open_for_editing(path);
         ASSERT_GE(H5Adelete_by_name(file.get(), "weights/fc1/weight", "shape", H5P_DEFAULT), 0);
       },
       "/weights/fc1/weight attribute 'shape': expected the tensor's shape (an integer array), found none"},
      {"a negative dimension",
       [](const std::string& path) {
         const Hdf5Handle file = open_for_editing(path);
         const Hdf5Handle group = open_group(file.get(), "weights/fc1/weight");
         const Hdf5Handle shape(H5Aopen(group.get(), "shape", H5P_DEFAULT), H5Aclose);
         const std::vector<std::int64_t> negative = {-3, -5};
         ASSERT_GE(H5Awrite(shape.get(), H5T_NATIVE_INT64, negative.data()), 0);
       },
       "/weights/fc1/weight attribute 'shape': expected dimensions of 0 or more, found [-3, -5]"},
  };
  for (const CorruptFile& corrupt : cases) {
    SCOPED_TRACE(corrupt.problem);
    const TempDir scratch;
    const std::string path = scratch.file("artifact.h5");
    write_checkpoint(path, mixed_checkpoint());
    corrupt.edit(path);
    expect_mentions(read_error(path), {path, corrupt.expected});
  }
}

TEST(CheckpointPacked, Version1FileWithAPackedTensorIsRejected) {
  const TempDir scratch;
  const std::string path = scratch.file("artifact.h5");
  write_checkpoint(path, mixed_checkpoint());
  {
    const Hdf5Handle file = open_for_editing(path);
    const Hdf5Handle version(H5Aopen(file.get(), "format_version", H5P_DEFAULT), H5Aclose);
    const std::int64_t first = 1;
    ASSERT_GE(H5Awrite(version.get(), H5T_NATIVE_INT64, &first), 0);
  }
  expect_mentions(read_error(path), {path, "/weights/conv1/weight", "found a packed tensor",
                                     "which needs format version 2"});
}

// ---------------------------------------------------------------- other readers and writers

std::vector<float> floats_in(const std::string& path) {
  const std::string bytes = file_bytes(path);
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

// docs/checkpoint-format.md's decoding, done by numpy: another reader following the
// documented layout gets the very same float32 values.
TEST(CheckpointPacked, PythonDecodesTheSameValuesFromTheDocumentedLayout) {
  const std::string unavailable = why_h5py_is_unavailable();
  if (!unavailable.empty()) GTEST_SKIP() << unavailable;
  const TempDir scratch;
  const std::string path = scratch.file("artifact.h5");
  const Checkpoint written = mixed_checkpoint();
  write_checkpoint(path, written);
  const std::string script = scratch.file("decode.py");
  write_bytes(script,
              "import sys, h5py, numpy as np\n"
              "def unpack(codes, count, bits):\n"
              "    stream = np.unpackbits(codes, bitorder='little')[:count * bits].reshape(count, bits)\n"
              "    return (stream.astype(np.int64) << np.arange(bits)).sum(axis=1)\n"
              "with h5py.File(sys.argv[1], 'r') as f:\n"
              "    tensors = {}\n"
              "    f['weights'].visititems(\n"
              "        lambda name, obj: tensors.__setitem__(name, obj) if 'order' in obj.attrs else None)\n"
              "    for name in sorted(tensors, key=lambda n: tensors[n].attrs['order']):\n"
              "        obj = tensors[name]\n"
              "        if isinstance(obj, h5py.Dataset):\n"
              "            values = obj[()]\n"
              "            print(name, 'float32')\n"
              "        else:\n"
              "            shape, bits = [int(d) for d in obj.attrs['shape']], int(obj.attrs['bits'])\n"
              "            count = int(np.prod(shape))\n"
              "            codes = unpack(obj['codes'][()], count, bits)\n"
              "            if obj.attrs['encoding'] == 'quantized':\n"
              "                scales = obj['scales'][()]\n"
              "                zero_points = obj['zero_points'][()].astype(np.int64)\n"
              "                channel = np.arange(count) // (count // shape[0]) if len(scales) > 1 else 0\n"
              "                values = scales[channel] * (codes - zero_points[channel]).astype(np.float32)\n"
              "            else:\n"
              "                values = obj['codebook'][()][codes]\n"
              "            print(name, obj.attrs['encoding'], bits, shape)\n"
              "        np.asarray(values, '<f4').tofile(sys.argv[2] + '/' + name.replace('/', '_'))\n");
  const std::string output = run_python(script, {path, scratch.file("")});

  EXPECT_EQ(output,
            "conv1/weight quantized 4 [2, 3]\n"
            "conv1/bias float32\n"
            "fc1/weight quantized 3 [3, 5]\n"
            "fc1/bias float32\n"
            "fc2/weight codebook 2 [7]\n");
  for (const NamedTensor& tensor : read_checkpoint(path).tensors) {
    std::string file_name = tensor.name;
    file_name.replace(file_name.find('/'), 1, "_");
    EXPECT_EQ(floats_in(scratch.file(file_name)),
              std::vector<float>(tensor.value.values().begin(), tensor.value.values().end()))
        << tensor.name;
  }
}

// The "Writing one from Python" example of docs/checkpoint-format.md, packed tensors included.
TEST(CheckpointPacked, PythonWrittenPackedCheckpointIsRead) {
  const std::string unavailable = why_h5py_is_unavailable();
  if (!unavailable.empty()) GTEST_SKIP() << unavailable;
  const TempDir scratch;
  const std::string path = scratch.file("from_python.h5");
  const std::string script = scratch.file("write.py");
  write_bytes(script,
              "import sys, h5py, numpy as np\n"
              "def pack(codes, bits):\n"
              "    code_bits = (np.asarray(codes, np.uint8)[:, None] >> np.arange(bits)) & 1\n"
              "    return np.packbits(code_bits.astype(np.uint8).reshape(-1), bitorder='little')\n"
              "with h5py.File(sys.argv[1], 'w') as f:\n"
              "    f.attrs['format'] = 'lathe-checkpoint'\n"
              "    f.attrs['format_version'] = 2\n"
              "    f['model_spec'] = 'input: [5]\\nlayers: []\\n'\n"
              "    w = f.create_group('weights/fc1/weight')\n"
              "    w.attrs.update(encoding='quantized', bits=3, shape=[3, 5], order=0)\n"
              "    w['codes'] = pack([0, 1, 2, 3, 7, 7, 6, 5, 4, 0, 1, 3, 5, 7, 2], 3)\n"
              "    w['scales'] = np.array([0.5, 0.25, 2.0], np.float32)\n"
              "    w['zero_points'] = np.array([3, 0, 7], np.uint8)\n"
              "    f['weights/fc1/bias'] = np.array([1, 2, 3], np.float32)\n"
              "    f['weights/fc1/bias'].attrs['order'] = 1\n"
              "    c = f.create_group('weights/fc2/weight')\n"
              "    c.attrs.update(encoding='codebook', bits=2, shape=[7], order=2)\n"
              "    c['codes'] = pack([3, 0, 1, 2, 2, 1, 3], 2)\n"
              "    c['codebook'] = np.array([-0.75, 0, 0.125, 3], np.float32)\n"
              "    f['normalization/mean'] = np.zeros(0, np.float32)\n"
              "    f['normalization/std'] = np.zeros(0, np.float32)\n"
              "    f.create_group('training')\n");
  run_python(script, {path});

  const Checkpoint read = read_checkpoint(path);
  expect_same_tensors({per_channel_quantized("fc1/weight"), {"fc1/bias", tensor_of({3}, {1.0F, 2.0F, 3.0F})},
                       codebook_tensor("fc2/weight")},
                      read.tensors);
}

}  // namespace
}  // namespace lathe::io

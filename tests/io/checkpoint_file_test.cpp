#include "io/checkpoint_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "io/checkpoint_test_support.h"
#include "io/hdf5_handle.h"
#include "support/temp_dir.h"

namespace lathe::io {
namespace {

namespace fs = std::filesystem;
using lathe::test_support::TempDir;
using namespace test_support;  // NOLINT(google-build-using-namespace): the checkpoint test helpers

// Values 0.25 apart from `start`: exact in float32, and different in every tensor.
Tensor counting_tensor(Shape shape, float start) {
  Tensor tensor(std::move(shape));
  for (std::int64_t i = 0; i < tensor.size(); ++i) tensor[i] = start + 0.25F * static_cast<float>(i);
  return tensor;
}

Checkpoint sample_checkpoint() {
  Checkpoint checkpoint;
  checkpoint.model_spec_yaml =
      "model:\n  - conv: {name: conv1, filters: 6, kernel: 5}\n  - dense: {name: fc1, units: 10}\n";
  // Not in alphabetical order, so that reading back in name order would show.
  checkpoint.tensors.push_back({"conv1/weight", counting_tensor({6, 1, 5, 5}, 0.0F)});
  checkpoint.tensors.push_back({"conv1/bias", counting_tensor({6}, 100.0F)});
  checkpoint.tensors.push_back({"block2/conv/weight", counting_tensor({2, 6, 3, 3}, -50.0F)});
  checkpoint.tensors.push_back({"fc1/weight", counting_tensor({10, 18}, 7.0F)});
  checkpoint.tensors.push_back({"bn1/running_mean", counting_tensor({6}, 3.0F)});
  checkpoint.normalization_mean = {0.5F, 0.25F, 0.125F};
  checkpoint.normalization_std = {2.0F, 4.0F, 0.5F};
  checkpoint.text_metadata = {
      {"config", "train:\n  epochs: 5\n"}, {"lathe_version", "0.1.0"}, {"note", "Größe ✓"}, {"empty", ""}};
  checkpoint.number_metadata = {{"epochs", 5.0}, {"test_accuracy", 0.9871}, {"final_loss", 1e-30}};
  return checkpoint;
}

void expect_same_checkpoint(const Checkpoint& expected, const Checkpoint& actual) {
  EXPECT_EQ(actual.model_spec_yaml, expected.model_spec_yaml);
  ASSERT_EQ(actual.tensors.size(), expected.tensors.size());
  for (std::size_t i = 0; i < expected.tensors.size(); ++i) {
    const NamedTensor& want = expected.tensors[i];
    const NamedTensor& got = actual.tensors[i];
    EXPECT_EQ(got.name, want.name) << "tensor " << i;
    EXPECT_EQ(got.value.shape(), want.value.shape()) << want.name;
    EXPECT_TRUE(std::equal(got.value.values().begin(), got.value.values().end(), want.value.values().begin(),
                           want.value.values().end()))
        << want.name;
  }
  EXPECT_EQ(actual.normalization_mean, expected.normalization_mean);
  EXPECT_EQ(actual.normalization_std, expected.normalization_std);
  EXPECT_EQ(actual.text_metadata, expected.text_metadata);
  EXPECT_EQ(actual.number_metadata, expected.number_metadata);
}

// ---------------------------------------------------------------- writing

TEST(CheckpointFile, RoundTripPreservesEveryTensorShapeValueAndOrder) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  const Checkpoint written = sample_checkpoint();
  write_checkpoint(path, written);
  expect_same_checkpoint(written, read_checkpoint(path));
}

TEST(CheckpointFile, EmptyCheckpointRoundTrips) {
  const TempDir scratch;
  const std::string path = scratch.file("empty.h5");
  const Checkpoint written;
  write_checkpoint(path, written);
  expect_same_checkpoint(written, read_checkpoint(path));
}

TEST(CheckpointFile, WritesTheDocumentedLayout) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_checkpoint(path, sample_checkpoint());
  const Hdf5Handle file = open_for_editing(path);

  EXPECT_GT(H5Aexists(file.get(), "format"), 0);
  const Hdf5Handle version(H5Aopen(file.get(), "format_version", H5P_DEFAULT), H5Aclose);
  std::int64_t version_value = 0;
  ASSERT_GE(H5Aread(version.get(), H5T_NATIVE_INT64, &version_value), 0);
  EXPECT_EQ(version_value, 2);

  EXPECT_GT(H5Lexists(file.get(), "model_spec", H5P_DEFAULT), 0);
  const Hdf5Handle weight = open_data_set(file.get(), "weights/conv1/weight");
  const Hdf5Handle weight_type(H5Dget_type(weight.get()), H5Tclose);
  EXPECT_GT(H5Tequal(weight_type.get(), H5T_IEEE_F32LE), 0);
  EXPECT_EQ(dims_of(weight.get()), (std::vector<hsize_t>{6, 1, 5, 5}));
  const Hdf5Handle order(H5Aopen(weight.get(), "order", H5P_DEFAULT), H5Aclose);
  std::int64_t order_value = -1;
  ASSERT_GE(H5Aread(order.get(), H5T_NATIVE_INT64, &order_value), 0);
  EXPECT_EQ(order_value, 0);

  EXPECT_EQ(dims_of(open_data_set(file.get(), "weights/block2/conv/weight").get()),
            (std::vector<hsize_t>{2, 6, 3, 3}));
  EXPECT_EQ(dims_of(open_data_set(file.get(), "normalization/mean").get()), (std::vector<hsize_t>{3}));
  EXPECT_EQ(dims_of(open_data_set(file.get(), "normalization/std").get()), (std::vector<hsize_t>{3}));
  EXPECT_GT(H5Aexists_by_name(file.get(), "training", "test_accuracy", H5P_DEFAULT), 0);
  EXPECT_GT(H5Aexists_by_name(file.get(), "training", "lathe_version", H5P_DEFAULT), 0);
}

TEST(CheckpointFile, OverwritesAnExistingCheckpointAndLeavesNoTempFile) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_checkpoint(path, sample_checkpoint());
  Checkpoint second = sample_checkpoint();
  second.tensors.pop_back();
  second.number_metadata["epochs"] = 6.0;
  write_checkpoint(path, second);

  expect_same_checkpoint(second, read_checkpoint(path));
  EXPECT_EQ(scratch.entries(), std::vector<std::string>{"model.h5"});
}

TEST(CheckpointFile, FailedWriteLeavesExistingFileUntouchedAndNoTempFile) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_checkpoint(path, sample_checkpoint());
  const std::string bytes_before = file_bytes(path);

  // The duplicate is found half-way through writing, after the temporary file exists.
  Checkpoint duplicated = sample_checkpoint();
  duplicated.tensors.push_back({"conv1/bias", counting_tensor({6}, 1.0F)});
  const std::string message = write_error(path, duplicated);

  expect_mentions(message, {path, "/weights/conv1/bias", "expected each tensor name once"});
  EXPECT_EQ(file_bytes(path), bytes_before);
  EXPECT_EQ(scratch.entries(), std::vector<std::string>{"model.h5"});
}

TEST(CheckpointFile, FailedRenameOverADirectoryLeavesItAndNoTempFile) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  fs::create_directory(path);
  write_bytes(path + "/kept.txt", "kept");

  expect_mentions(write_error(path, sample_checkpoint()), {path, "cannot replace it"});
  EXPECT_EQ(file_bytes(path + "/kept.txt"), "kept");
  EXPECT_EQ(scratch.entries(), std::vector<std::string>{"model.h5"});
}

TEST(CheckpointFile, MissingParentDirectoryIsAnErrorNamingIt) {
  const TempDir scratch;
  const std::string directory = scratch.file("no-such-directory");
  const std::string message = write_error(directory + "/model.h5", sample_checkpoint());
  expect_mentions(message, {directory, "does not exist"});
  EXPECT_FALSE(fs::exists(directory));
}

TEST(CheckpointFile, TensorNameWithAnEmptyPartIsRejected) {
  const TempDir scratch;
  Checkpoint checkpoint = sample_checkpoint();
  checkpoint.tensors.push_back({"conv2//weight", counting_tensor({2}, 0.0F)});
  expect_mentions(write_error(scratch.file("model.h5"), checkpoint),
                  {"/weights/conv2//weight", "expected a tensor name of parts joined by"});
  EXPECT_TRUE(scratch.entries().empty());
}

TEST(CheckpointFile, TensorNameThatIsAlsoAGroupIsRejected) {
  const TempDir scratch;
  Checkpoint checkpoint = sample_checkpoint();
  checkpoint.tensors.push_back({"fc1/weight/extra", counting_tensor({2}, 0.0F)});
  expect_mentions(write_error(scratch.file("model.h5"), checkpoint),
                  {"/weights/fc1/weight", "expected a group to hold tensor \"fc1/weight/extra\""});
}

TEST(CheckpointFile, MetadataKeyUsedForTextAndNumberIsRejected) {
  const TempDir scratch;
  Checkpoint checkpoint = sample_checkpoint();
  checkpoint.number_metadata["lathe_version"] = 1.0;
  expect_mentions(write_error(scratch.file("model.h5"), checkpoint),
                  {"/training attribute 'lathe_version'", "found it in both"});
}

TEST(CheckpointFile, NormalizationOfDifferentLengthsIsRejected) {
  const TempDir scratch;
  Checkpoint checkpoint = sample_checkpoint();
  checkpoint.normalization_std.pop_back();
  expect_mentions(write_error(scratch.file("model.h5"), checkpoint),
                  {"/normalization", "expected mean and std of equal length, found 3 and 2"});
}

// ---------------------------------------------------------------- reading

TEST(CheckpointFile, MissingFileIsRejectedWithItsPath) {
  const TempDir scratch;
  const std::string path = scratch.file("absent.h5");
  expect_mentions(read_error(path), {path, "no such file"});
}

TEST(CheckpointFile, TextFileIsRejectedAsNotHdf5) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_bytes(path, "model:\n  - dense: {units: 10}\n");
  expect_mentions(read_error(path), {path, "expected an HDF5 file", "without the HDF5 signature"});
}

TEST(CheckpointFile, TruncatedFileIsRejectedWithItsPath) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_checkpoint(path, sample_checkpoint());
  const std::string bytes = file_bytes(path);
  write_bytes(path, bytes.substr(0, bytes.size() / 2));
  expect_mentions(read_error(path), {path, "truncated"});
}

TEST(CheckpointFile, ForeignHdf5FileWithoutFormatAttributeIsRejected) {
  const TempDir scratch;
  const std::string path = scratch.file("foreign.h5");
  {
    const Hdf5Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    const hsize_t length = 3;
    const Hdf5Handle space(H5Screate_simple(1, &length, nullptr), H5Sclose);
    const Hdf5Handle data(
        H5Dcreate2(file.get(), "data", H5T_STD_I32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        H5Dclose);
    ASSERT_TRUE(data.valid());
  }
  expect_mentions(read_error(path),
                  {path, "root attribute 'format'", "expected \"lathe-checkpoint\", found none"});
}

TEST(CheckpointFile, FormatAttributeNamingAnotherFormatIsRejected) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_checkpoint(path, sample_checkpoint());
  {
    const Hdf5Handle file = open_for_editing(path);
    ASSERT_GE(H5Adelete(file.get(), "format"), 0);
    const Hdf5Handle text(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(text.get(), H5T_VARIABLE);
    const char* other_format = "keras";
    add_attribute(file.get(), "format", text.get(), other_format);
  }
  expect_mentions(read_error(path), {path, "root attribute 'format'", "found \"keras\""});
}

TEST(CheckpointFile, NewerFormatVersionIsRejected) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_checkpoint(path, sample_checkpoint());
  {
    const Hdf5Handle file = open_for_editing(path);
    const Hdf5Handle version(H5Aopen(file.get(), "format_version", H5P_DEFAULT), H5Aclose);
    const std::int64_t newer = kCheckpointFormatVersion + 1;
    ASSERT_GE(H5Awrite(version.get(), H5T_NATIVE_INT64, &newer), 0);
  }
  expect_mentions(read_error(path),
                  {path, "'format_version'", "expected at most 2", "found 3", "newer Lathe"});
}

TEST(CheckpointFile, Version1FileIsStillRead) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  const Checkpoint written = sample_checkpoint();
  write_checkpoint(path, written);
  {
    // A float-only version 2 file differs from a version 1 file in this number only.
    const Hdf5Handle file = open_for_editing(path);
    const Hdf5Handle version(H5Aopen(file.get(), "format_version", H5P_DEFAULT), H5Aclose);
    const std::int64_t first = 1;
    ASSERT_GE(H5Awrite(version.get(), H5T_NATIVE_INT64, &first), 0);
  }
  expect_same_checkpoint(written, read_checkpoint(path));
}

TEST(CheckpointFile, MissingModelSpecIsRejected) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_checkpoint(path, sample_checkpoint());
  ASSERT_GE(H5Ldelete(open_for_editing(path).get(), "model_spec", H5P_DEFAULT), 0);
  expect_mentions(read_error(path), {path, "/model_spec", "expected a data set", "found nothing"});
}

TEST(CheckpointFile, MissingWeightsGroupIsRejected) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_checkpoint(path, sample_checkpoint());
  ASSERT_GE(H5Ldelete(open_for_editing(path).get(), "weights", H5P_DEFAULT), 0);
  expect_mentions(read_error(path), {path, "/weights", "expected a group", "found nothing"});
}

// Replaces the sample checkpoint's conv1 bias by 6 values of `file_type`, declared and
// never written.
void replace_bias_by_unwritten(const std::string& path, hid_t file_type) {
  const Hdf5Handle file = open_for_editing(path);
  ASSERT_GE(H5Ldelete(file.get(), "weights/conv1/bias", H5P_DEFAULT), 0);
  const hsize_t length = 6;
  const Hdf5Handle space(H5Screate_simple(1, &length, nullptr), H5Sclose);
  const Hdf5Handle bias(H5Dcreate2(file.get(), "weights/conv1/bias", file_type, space.get(), H5P_DEFAULT,
                                   H5P_DEFAULT, H5P_DEFAULT),
                        H5Dclose);
  add_attribute(bias.get(), "order", H5T_NATIVE_INT64, std::int64_t{1});
}

TEST(CheckpointFile, WeightThatIsNotFloat32IsRejectedNamingTheDataSet) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_checkpoint(path, sample_checkpoint());
  replace_bias_by_unwritten(path, H5T_IEEE_F64LE);
  expect_mentions(read_error(path), {path, "/weights/conv1/bias", "expected float32 values, found float64"});
}

// A weight's shape is a header field: it is allocated only when the stored bytes can hold
// it (fuzz_checkpoint found a bias declaring 8 GB in a 21 KB file).
TEST(CheckpointFile, WeightShapeThatTheStoredBytesCannotHoldIsRejectedBeforeAllocating) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_checkpoint(path, sample_checkpoint());
  replace_bias_by_unwritten(path, H5T_IEEE_F32LE);
  expect_mentions(read_error(path), {path, "/weights/conv1/bias: declares shape [6] (24 bytes), but the file "
                                           "stores 0 bytes for it (contiguous, no filters)"});
  const std::string fuzzed = std::string(LATHE_SOURCE_DIR) +
                             "/fuzz/regressions/fuzz_checkpoint/weight_shape_allocates_8_gb.h5";
  expect_mentions(read_error(fuzzed), {fuzzed, "/weights/conv1/bias: declares shape [1996488706] (7985954824 "
                                               "bytes), but the file stores 8 bytes for it"});
}

TEST(CheckpointFile, WeightWithoutOrderAttributeIsRejected) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_checkpoint(path, sample_checkpoint());
  ASSERT_GE(H5Adelete_by_name(open_for_editing(path).get(), "weights/fc1/weight", "order", H5P_DEFAULT), 0);
  expect_mentions(read_error(path), {path, "/weights/fc1/weight attribute 'order'", "expected an integer"});
}

TEST(CheckpointFile, RepeatedOrderIndexIsRejected) {
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_checkpoint(path, sample_checkpoint());
  {
    const Hdf5Handle file = open_for_editing(path);
    // Through the open data set: HDF5 1.10 cannot write an attribute opened by path.
    const Hdf5Handle weight = open_data_set(file.get(), "weights/fc1/weight");
    const Hdf5Handle order(H5Aopen(weight.get(), "order", H5P_DEFAULT), H5Aclose);
    const std::int64_t taken = 0;  // conv1/weight's
    ASSERT_GE(H5Awrite(order.get(), H5T_NATIVE_INT64, &taken), 0);
  }
  expect_mentions(read_error(path),
                  {path, "attribute 'order'", "numbered 0 to 4 once each, found 0 on two tensors"});
}

// ---------------------------------------------------------------- other readers

TEST(CheckpointFile, FileIsReadableByH5py) {
  const std::string unavailable = why_h5py_is_unavailable();
  if (!unavailable.empty()) GTEST_SKIP() << unavailable;
  const TempDir scratch;
  const std::string path = scratch.file("model.h5");
  write_checkpoint(path, sample_checkpoint());
  const std::string script = scratch.file("read.py");
  write_bytes(
      script,
      "import sys, h5py\n"
      "with h5py.File(sys.argv[1], 'r') as f:\n"
      "    print(f.attrs['format'], int(f.attrs['format_version']))\n"
      "    print(f['model_spec'].asstr()[()].splitlines()[0])\n"
      "    for name in ['conv1/weight', 'block2/conv/weight', 'bn1/running_mean']:\n"
      "        w = f['weights/' + name]\n"
      "        print(name, w.dtype, list(w.shape), int(w.attrs['order']), w[()].ravel()[:3].tolist())\n"
      "    print(f['normalization/mean'][()].tolist(), f['normalization/std'][()].tolist())\n"
      "    t = f['training'].attrs\n"
      "    print(t['lathe_version'], t['note'], float(t['epochs']))\n");
  const std::string output = run_python(script, {path});

  EXPECT_EQ(output,
            "lathe-checkpoint 2\n"
            "model:\n"
            "conv1/weight float32 [6, 1, 5, 5] 0 [0.0, 0.25, 0.5]\n"
            "block2/conv/weight float32 [2, 6, 3, 3] 2 [-50.0, -49.75, -49.5]\n"
            "bn1/running_mean float32 [6] 4 [3.0, 3.25, 3.5]\n"
            "[0.5, 0.25, 0.125] [2.0, 4.0, 0.5]\n"
            "0.1.0 Größe ✓ 5.0\n");
}

}  // namespace
}  // namespace lathe::io

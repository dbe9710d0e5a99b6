// NaN and infinities in files: a checkpoint's weights or normalisation and an HDF5 data
// set's images are refused on reading, naming the file, the data set and the element.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "checkpoint_test_support.h"
#include "data/hdf5_dataset.h"
#include "io/checkpoint_file.h"
#include "support/temp_dir.h"

namespace lathe::io {
namespace {

using test_support::open_data_set;
using test_support::open_for_editing;
using test_support::read_error;

struct NonFinite {
  const char* name;
  float value;
};
const std::vector<NonFinite> kNonFinite = {{"NaN", std::numeric_limits<float>::quiet_NaN()},
                                           {"+Inf", std::numeric_limits<float>::infinity()},
                                           {"-Inf", -std::numeric_limits<float>::infinity()}};

// Writes `value` over element `element` of the float32 data set `name` in `path`.
void poke(const std::string& path, const char* name, hsize_t element, float value) {
  const Hdf5Handle file = open_for_editing(path);
  const Hdf5Handle data_set = open_data_set(file.get(), name);
  const Hdf5Handle space(H5Dget_space(data_set.get()), H5Sclose);
  std::vector<float> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  ASSERT_GE(H5Dread(data_set.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
  values[element] = value;
  ASSERT_GE(H5Dwrite(data_set.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
}

Checkpoint small_checkpoint() {
  Checkpoint checkpoint;
  checkpoint.model_spec_yaml = "name: x\n";
  checkpoint.tensors.push_back({"conv1/weight", Tensor(Shape({2, 1, 3, 3}), 0.5F)});
  checkpoint.tensors.push_back({"fc1/bias", Tensor(Shape({4}), 0.25F)});
  checkpoint.normalization_mean = {0.5F};
  checkpoint.normalization_std = {2.0F};
  return checkpoint;
}

TEST(NonFiniteValues, CheckpointWeightsAndNormalizationAreRefusedNamingTheDataSetAndElement) {
  struct Place {
    const char* data_set;
    hsize_t element;
    const char* index;
  };
  const std::vector<Place> places = {{"weights/conv1/weight", 13, "[1, 0, 1, 1]"},
                                     {"weights/fc1/bias", 3, "[3]"},
                                     {"normalization/mean", 0, "[0]"},
                                     {"normalization/std", 0, "[0]"}};
  const lathe::test_support::TempDir dir;
  for (const Place& place : places) {
    for (const NonFinite& bad : kNonFinite) {
      const std::string path = dir.file("model.h5");
      write_checkpoint(path, small_checkpoint());
      poke(path, place.data_set, place.element, bad.value);
      const std::string expected = path + ": /" + place.data_set + ": expected finite values, found " + bad.name +
                                   " at " + place.index;
      EXPECT_NE(read_error(path).find(expected), std::string::npos) << expected << "\n" << read_error(path);
    }
  }
}

TEST(NonFiniteValues, Float32ImagesOfAnHdf5DataSetAreRefusedNamingTheItem) {
  const lathe::test_support::TempDir dir;
  const std::string path = dir.file("set.h5");
  for (const NonFinite& bad : kNonFinite) {
    {
      const Hdf5Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
      const std::vector<hsize_t> x_dims = {3, 1, 2, 2};
      std::vector<float> pixels(12, 0.5F);
      pixels[6] = bad.value;
      const Hdf5Handle x_space(H5Screate_simple(4, x_dims.data(), nullptr), H5Sclose);
      const Hdf5Handle x(H5Dcreate2(file.get(), "X", H5T_IEEE_F32LE, x_space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                    H5P_DEFAULT), H5Dclose);
      ASSERT_GE(H5Dwrite(x.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, pixels.data()), 0);
      const hsize_t n = 3;
      const std::vector<std::int32_t> labels = {0, 1, 0};
      const Hdf5Handle y_space(H5Screate_simple(1, &n, nullptr), H5Sclose);
      const Hdf5Handle y(H5Dcreate2(file.get(), "y", H5T_STD_I32LE, y_space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                    H5P_DEFAULT), H5Dclose);
      ASSERT_GE(H5Dwrite(y.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels.data()), 0);
    }
    std::string message;
    try {
      (void)data::read_hdf5_dataset(path);
    } catch (const Error& e) {
      message = e.what();
    }
    EXPECT_EQ(message, path + ": data set X: expected finite values, found " + bad.name +
                           " at [1, 0, 1, 0] (element 6 of shape [3, 1, 2, 2])");
  }
}

}  // namespace
}  // namespace lathe::io

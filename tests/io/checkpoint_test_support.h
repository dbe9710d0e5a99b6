// What the checkpoint tests share: error capture, byte-level file access, the HDF5 C API
// edits that make the broken files a reader must reject, and running a Python script
// with h5py as an independent reader and writer.
#pragma once

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "io/checkpoint_file.h"
#include "io/hdf5_handle.h"

namespace lathe::io::test_support {

inline std::string read_error(const std::string& path) {
  try {
    read_checkpoint(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

inline std::string write_error(const std::string& path, const Checkpoint& checkpoint) {
  try {
    write_checkpoint(path, checkpoint);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

inline void expect_mentions(const std::string& message, std::initializer_list<std::string_view> parts) {
  for (const std::string_view part : parts) {
    EXPECT_NE(message.find(part), std::string::npos) << "\"" << part << "\" is missing from: " << message;
  }
}

inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A checkpoint of one small tensor with text in every place Lathe stores some (the model
// spec, the training metadata), so its file has a global heap and a group B-tree.
inline Checkpoint small_checkpoint_with_text() {
  Checkpoint checkpoint;
  checkpoint.model_spec_yaml = "model:\n  - dense: {name: fc1, units: 2}\n";
  Tensor weight(Shape({2, 3}));
  for (std::int64_t i = 0; i < weight.size(); ++i) weight[i] = static_cast<float>(i);
  checkpoint.tensors.push_back({"fc1/weight", weight});
  checkpoint.normalization_mean = {0.5F};
  checkpoint.normalization_std = {2.0F};
  checkpoint.text_metadata = {{"config", "train:\n  epochs: 1\n"}};
  return checkpoint;
}

// ---------------------------------------------------------------- HDF5 edits

inline Hdf5Handle open_for_editing(const std::string& path) {
  silence_hdf5_error_printing();
  Hdf5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
  EXPECT_TRUE(file.valid()) << path;
  return file;
}

template <class Value>
void add_attribute(hid_t object, const char* name, hid_t type, const Value& value) {
  const Hdf5Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  const Hdf5Handle attribute(H5Acreate2(object, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  ASSERT_GE(H5Awrite(attribute.get(), type, &value), 0) << name;
}

inline Hdf5Handle open_data_set(hid_t file, const char* name) {
  Hdf5Handle data_set(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
  EXPECT_TRUE(data_set.valid()) << name;
  return data_set;
}

inline Hdf5Handle open_group(hid_t file, const char* name) {
  Hdf5Handle group(H5Gopen2(file, name, H5P_DEFAULT), H5Gclose);
  EXPECT_TRUE(group.valid()) << name;
  return group;
}

inline std::vector<hsize_t> dims_of(hid_t data_set) {
  const Hdf5Handle space(H5Dget_space(data_set), H5Sclose);
  std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space.get())));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

// Replaces attribute `name` of the group at `group_path` by a scalar of `type`. Through
// the open group: HDF5 1.10 cannot write an attribute opened by path.
template <class Value>
void replace_attribute(const std::string& file_path, const char* group_path, const char* name, hid_t type,
                       const Value& value) {
  const Hdf5Handle file = open_for_editing(file_path);
  const Hdf5Handle group = open_group(file.get(), group_path);
  ASSERT_GE(H5Adelete(group.get(), name), 0) << name;
  add_attribute(group.get(), name, type, value);
}

inline void replace_text_attribute(const std::string& file_path, const char* group_path, const char* name,
                                   const char* text) {
  const Hdf5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  replace_attribute(file_path, group_path, name, type.get(), text);
}

// Replaces the data set at `data_set_path` by a one-dimensional one of `values`.
template <class Value>
void replace_data_set(const std::string& file_path, const char* data_set_path, hid_t stored_type,
                      hid_t memory_type, const std::vector<Value>& values) {
  const Hdf5Handle file = open_for_editing(file_path);
  ASSERT_GE(H5Ldelete(file.get(), data_set_path, H5P_DEFAULT), 0) << data_set_path;
  const hsize_t length = values.size();
  const Hdf5Handle space(H5Screate_simple(1, &length, nullptr), H5Sclose);
  const Hdf5Handle data_set(
      H5Dcreate2(file.get(), data_set_path, stored_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose);
  ASSERT_TRUE(data_set.valid()) << data_set_path;
  if (!values.empty()) {
    ASSERT_GE(H5Dwrite(data_set.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
  }
}

// ---------------------------------------------------------------- Python with h5py

inline const char* kPython = "/usr/bin/python3";

// Empty when h5py can be used, else why not (for GTEST_SKIP).
inline std::string why_h5py_is_unavailable() {
  if (!std::filesystem::exists(kPython)) return std::string(kPython) + " is not installed";
  if (std::system((std::string(kPython) + " -c 'import h5py, numpy' > /dev/null 2>&1").c_str()) != 0) {
    return std::string("h5py is not installed for ") + kPython + " (Debian/Ubuntu: apt install python3-h5py)";
  }
  return "";
}

// Runs `script` (a file) with `arguments` (each quoted), expecting exit status 0;
// returns stdout and stderr together.
inline std::string run_python(const std::string& script, std::initializer_list<std::string> arguments) {
  std::string command = std::string(kPython) + " '" + script + "'";
  for (const std::string& argument : arguments) command += " '" + argument + "'";
  std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  EXPECT_NE(pipe, nullptr) << command;
  if (pipe == nullptr) return "";
  std::string output;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  EXPECT_EQ(::pclose(pipe), 0) << output;
  return output;
}

}  // namespace lathe::io::test_support

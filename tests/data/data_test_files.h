// Small files for the data tests, written in a temporary directory that is removed
// afterwards: IDX files (plain or gzip) built byte by byte, HDF5 files built through the
// C API. Each test writes exactly the malformation it is about.
#pragma once

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/dataset.h"
#include "io/hdf5_handle.h"
#include "support/temp_dir.h"

namespace lathe::data::test_files {

using test_support::TempDir;

// n items of 1 x 1 x 2 pixels; item i's pixels and label both encode i.
inline Dataset numbered_set(std::int64_t n) {
  Dataset data;
  data.source = "numbered";
  data.classes = 1000;
  data.images = Tensor({n, 1, 1, 2});
  for (std::int64_t i = 0; i < n; ++i) {
    data.images[2 * i] = static_cast<float>(i);
    data.images[2 * i + 1] = static_cast<float>(-i);
    data.labels.push_back(static_cast<std::int32_t>(i));
  }
  return data;
}

// The message of the lathe::Error that `action` throws, or "" when it throws none.
template <class Action>
std::string error_message(Action&& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// EXPECT_TRUE(contains(message, "expected text")) prints both strings when it fails.
inline ::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected to find\n  " << part << "\nin\n  " << text;
}

using Bytes = std::vector<unsigned char>;

// An IDX file: magic (0, 0, dtype, rank), big-endian dimensions, then `values`.
inline Bytes idx_bytes(unsigned char dtype, const std::vector<std::uint32_t>& dims,
                       const Bytes& values) {
  Bytes bytes = {0, 0, dtype, static_cast<unsigned char>(dims.size())};
  for (std::uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      bytes.push_back(static_cast<unsigned char>(d >> static_cast<unsigned>(shift)));
    }
  }
  bytes.insert(bytes.end(), values.begin(), values.end());
  return bytes;
}

inline Bytes idx_images(std::uint32_t n, std::uint32_t height, std::uint32_t width,
                        const Bytes& pixels) {
  return idx_bytes(0x08, {n, height, width}, pixels);
}

inline Bytes idx_labels(const Bytes& labels) {
  return idx_bytes(0x08, {static_cast<std::uint32_t>(labels.size())}, labels);
}

inline void write_plain(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline void write_gzip(const std::string& path, const Bytes& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("cannot write " + path);
  const int written = gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
  if (written != static_cast<int>(bytes.size())) throw std::runtime_error("cannot write " + path);
}

inline Bytes read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A new HDF5 file, closed when this goes out of scope.
class Hdf5Writer {
 public:
  explicit Hdf5Writer(const std::string& path)
      : file_(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose) {
    if (!file_) throw std::runtime_error("cannot create " + path);
  }

  // A data set `name` of `file_type` holding `values` (given in memory as `memory_type`),
  // stored as the creation property list `storage` says (chunks, filters).
  template <class T>
  Hdf5Writer& dataset(const char* name, hid_t file_type, hid_t memory_type,
                      const std::vector<hsize_t>& dims, const std::vector<T>& values,
                      hid_t storage = H5P_DEFAULT) {
    const io::Hdf5Handle set = create(name, file_type, dims, storage);
    if (H5Dwrite(set.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
      throw std::runtime_error(std::string("cannot write data set ") + name);
    }
    return *this;
  }

  // A data set declared but never written: its shape without stored values.
  Hdf5Writer& unwritten_dataset(const char* name, hid_t file_type, const std::vector<hsize_t>& dims,
                                hid_t storage = H5P_DEFAULT) {
    create(name, file_type, dims, storage);
    return *this;
  }

  // An int64 attribute `name` on the object at `owner` ("." for the root group).
  Hdf5Writer& attribute(const char* owner, const char* name, std::int64_t value) {
    const io::Hdf5Handle object(H5Oopen(file_.get(), owner, H5P_DEFAULT), H5Oclose);
    const io::Hdf5Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    const io::Hdf5Handle attr(
        H5Acreate2(object.get(), name, H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose);
    if (!attr || H5Awrite(attr.get(), H5T_NATIVE_INT64, &value) < 0) {
      throw std::runtime_error(std::string("cannot write attribute ") + name);
    }
    return *this;
  }

  Hdf5Writer& group(const char* name) {
    const io::Hdf5Handle created(
        H5Gcreate2(file_.get(), name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (!created) throw std::runtime_error(std::string("cannot create group ") + name);
    return *this;
  }

 private:
  io::Hdf5Handle create(const char* name, hid_t file_type, const std::vector<hsize_t>& dims,
                        hid_t storage) {
    const io::Hdf5Handle space(
        H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    io::Hdf5Handle set(H5Dcreate2(file_.get(), name, file_type, space.get(), H5P_DEFAULT, storage,
                                  H5P_DEFAULT),
                       H5Dclose);
    if (!set) throw std::runtime_error(std::string("cannot create data set ") + name);
    return set;
  }

  io::Hdf5Handle file_;
};

// X: n x 1 x height x width uint8 (pixel i holds i % 256), y: int32 with `labels`.
inline void write_hdf5_set(const std::string& path, std::uint32_t height, std::uint32_t width,
                           const std::vector<std::int32_t>& labels) {
  const hsize_t n = labels.size();
  std::vector<unsigned char> pixels(n * height * width);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<unsigned char>(i % 256);
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {n, 1, height, width}, pixels)
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {n}, labels);
}

}  // namespace lathe::data::test_files

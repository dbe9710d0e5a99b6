#include "data/hdf5_dataset.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <limits>
#include <optional>
#include <vector>

#include "core/error.h"
#include "io/hdf5_structure_check.h"
#include "io/path_checks.h"
#include "io/stored_data_bound.h"
#include "tensor/finite_values.h"
#include "io/hdf5_handle.h"

namespace lathe::data {
namespace {

using io::Hdf5Handle;

// "uint8", "int64", "float64", "string": how an error message names an HDF5 type.
std::string type_name(hid_t type) {
  const std::string bits = std::to_string(8 * H5Tget_size(type));
  switch (H5Tget_class(type)) {
    case H5T_INTEGER: return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + bits;
    case H5T_FLOAT: return "float" + bits;
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ENUM: return "enum";
    default: return "an unsupported HDF5 type";
  }
}

std::vector<hsize_t> extent(hid_t dataset) {
  const Hdf5Handle space(H5Dget_space(dataset), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

std::string shape_text(const std::vector<hsize_t>& dims) {
  std::string text = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

Hdf5Handle open_dataset(hid_t file, const std::string& path, const char* name, const char* wanted) {
  LATHE_CHECK(H5Lexists(file, name, H5P_DEFAULT) > 0, path, ": no data set '", name,
              "' (expected ", wanted, ")");
  Hdf5Handle object(H5Oopen(file, name, H5P_DEFAULT), H5Oclose);
  LATHE_CHECK(object.valid() && H5Iget_type(object.get()) == H5I_DATASET, path, ": '", name,
              "' is not a data set (expected ", wanted, ")");
  return object;
}

// The `classes` attribute of `object`, if it has one; it must exceed every label.
std::optional<std::int64_t> classes_attribute(hid_t object, const std::string& path,
                                              const char* owner, std::int64_t largest_label) {
  if (H5Aexists(object, "classes") <= 0) return std::nullopt;
  const Hdf5Handle attribute(H5Aopen(object, "classes", H5P_DEFAULT), H5Aclose);
  const Hdf5Handle type(H5Aget_type(attribute.get()), H5Tclose);
  const Hdf5Handle space(H5Aget_space(attribute.get()), H5Sclose);
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  LATHE_CHECK(H5Tget_class(type.get()) == H5T_INTEGER && count == 1, path,
              ": attribute 'classes' on ", owner, " must be a single integer, found ", count,
              " value(s) of type ", type_name(type.get()));
  std::int64_t classes = 0;
  LATHE_CHECK(H5Aread(attribute.get(), H5T_NATIVE_INT64, &classes) >= 0, path,
              ": cannot read attribute 'classes' on ", owner);
  LATHE_CHECK(classes > largest_label, path, ": attribute 'classes' on ", owner, " is ", classes,
              " but y holds the label ", largest_label, " (labels must lie in [0, classes))");
  return classes;
}

void read_images(hid_t x, const std::string& path, const std::vector<hsize_t>& dims,
                 Tensor& images) {
  const Hdf5Handle type(H5Dget_type(x), H5Tclose);
  const bool is_uint8 = H5Tget_class(type.get()) == H5T_INTEGER && H5Tget_size(type.get()) == 1 &&
                        H5Tget_sign(type.get()) == H5T_SGN_NONE;
  const bool is_float32 = H5Tget_class(type.get()) == H5T_FLOAT && H5Tget_size(type.get()) == 4;
  LATHE_CHECK(is_uint8 || is_float32, path, ": X has dtype ", type_name(type.get()),
              ", expected uint8 (scaled to [0, 1]) or float32");

  const auto n = static_cast<std::int64_t>(dims[0]);
  const bool has_channels = dims.size() == 4;
  const auto channels = has_channels ? static_cast<std::int64_t>(dims[1]) : 1;
  const auto height = static_cast<std::int64_t>(dims[dims.size() - 2]);
  const auto width = static_cast<std::int64_t>(dims[dims.size() - 1]);
  images.resize({n, channels, height, width});
  if (is_float32) {
    LATHE_CHECK(H5Dread(x, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, images.data()) >= 0,
                path, ": cannot read data set X");
    require_finite_values(images, path + ": data set X");
    return;
  }
  std::vector<unsigned char> bytes(static_cast<std::size_t>(images.size()));
  LATHE_CHECK(H5Dread(x, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()) >= 0, path,
              ": cannot read data set X");
  // A table keeps the scaling exact (v / 255) without a division per pixel.
  std::array<float, 256> scaled{};
  for (std::size_t v = 0; v < scaled.size(); ++v) scaled[v] = static_cast<float>(v) / 255.0F;
  float* out = images.data();
  for (std::size_t i = 0; i < bytes.size(); ++i) out[i] = scaled[bytes[i]];
}

}  // namespace

Dataset read_hdf5_dataset(const std::string& path) {
  io::require_input_file(path, "an HDF5 file with data sets X and y");
  io::silence_hdf5_error_printing();
  LATHE_CHECK(H5Fis_hdf5(path.c_str()) > 0, path, ": not an HDF5 file");
  io::require_walkable_hdf5_file(path);
  const Hdf5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  LATHE_CHECK(file.valid(), path, ": cannot open as HDF5");

  const Hdf5Handle x = open_dataset(file.get(), path, "X", "images, N x C x H x W or N x H x W");
  const Hdf5Handle y = open_dataset(file.get(), path, "y", "N integer labels");
  const std::vector<hsize_t> x_dims = extent(x.get());
  const std::vector<hsize_t> y_dims = extent(y.get());
  LATHE_CHECK(x_dims.size() == 3 || x_dims.size() == 4, path, ": X has rank ", x_dims.size(),
              " (shape ", shape_text(x_dims), "), expected 4 (N x C x H x W) or 3 (N x H x W)");
  LATHE_CHECK(y_dims.size() == 1, path, ": y has rank ", y_dims.size(), " (shape ",
              shape_text(y_dims), "), expected 1 (N labels)");
  LATHE_CHECK(x_dims[0] == y_dims[0], path, ": X holds ", x_dims[0], " items but y holds ",
              y_dims[0], "; the counts must match");
  LATHE_CHECK(x_dims[0] > 0, path, ": X and y hold no items");
  LATHE_CHECK(std::find(x_dims.begin(), x_dims.end(), 0) == x_dims.end(), path,
              ": X has shape ", shape_text(x_dims), ", so every image is empty");
  // The header's sizes decide the allocation: a damaged one must not overflow the element
  // count (found by fuzz/fuzz_hdf5_data) or ask for more than any real data set holds.
  constexpr hsize_t kMaxElements = hsize_t{1} << 36U;
  hsize_t elements = 1;
  for (const hsize_t d : x_dims) {
    LATHE_CHECK(d <= kMaxElements / elements, path, ": X has shape ", shape_text(x_dims),
                ", more than ", kMaxElements, " values (a damaged header?)");
    elements *= d;
  }
  // Before anything is allocated: the shapes are header fields, the stored bytes are real
  // (X was declared 3.2 GB in a 2 KB file, found by fuzz_hdf5_data). y too: its count is
  // a label set never written would read back as zeros, not labels.
  io::require_declared_size_stored(x.get(), path + ": data set X");
  io::require_declared_size_stored(y.get(), path + ": data set y");

  const Hdf5Handle y_type(H5Dget_type(y.get()), H5Tclose);
  LATHE_CHECK(H5Tget_class(y_type.get()) == H5T_INTEGER, path, ": y has dtype ",
              type_name(y_type.get()), ", expected an integer type");
  std::vector<std::int64_t> wide(y_dims[0]);
  LATHE_CHECK(H5Dread(y.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, wide.data()) >= 0,
              path, ": cannot read data set y");

  std::int64_t largest = 0;
  for (std::size_t i = 0; i < wide.size(); ++i) {
    LATHE_CHECK(wide[i] >= 0, path, ": y[", i, "] = ", wide[i], "; labels must be at least 0");
    // Below the 32-bit maximum, so that the class count (largest + 1) cannot overflow.
    LATHE_CHECK(wide[i] < std::numeric_limits<std::int32_t>::max(), path, ": y[", i, "] = ", wide[i],
                "; labels must be below ", std::numeric_limits<std::int32_t>::max(), " (32-bit labels)");
    largest = std::max(largest, wide[i]);
  }
  std::optional<std::int64_t> classes = classes_attribute(y.get(), path, "y", largest);
  if (!classes) classes = classes_attribute(file.get(), path, "the root group", largest);
  const std::int64_t class_count = classes.value_or(largest + 1);
  LATHE_CHECK(class_count <= std::numeric_limits<std::int32_t>::max(), path, ": ", class_count,
              " classes do not fit a 32-bit label");

  // Images last: the labels' checks are cheap, so a bad file fails before the big read.
  Dataset dataset;
  dataset.source = path;
  dataset.labels_source = path + ": data set y";
  read_images(x.get(), path, x_dims, dataset.images);
  dataset.classes = static_cast<int>(class_count);
  dataset.labels.reserve(wide.size());
  for (std::int64_t label : wide) dataset.labels.push_back(static_cast<std::int32_t>(label));
  return dataset;
}

}  // namespace lathe::data

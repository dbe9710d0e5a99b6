#include "io/checkpoint_file.h"


#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "io/path_checks.h"
#include "tensor/finite_values.h"
#include "io/atomic_hdf5_file.h"
#include "io/hdf5_calls.h"
#include "io/hdf5_handle.h"
#include "io/hdf5_structure_check.h"
#include "io/stored_data_bound.h"
#include "io/stored_string_check.h"
#include "io/packed_tensor.h"

namespace lathe::io {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFormatName = "lathe-checkpoint";

// ---------------------------------------------------------------- shared helpers

// HDF5 strings end at the first NUL, so text holding one would come back cut short.
const char* text_without_nul(const std::string& text, const std::string& where) {
  LATHE_CHECK(text.find('\0') == std::string::npos, where,
              ": expected text without NUL characters, found one (HDF5 strings end there)");
  return text.c_str();
}

Hdf5Handle scalar_space() {
  return own(H5Screate(H5S_SCALAR), H5Sclose, "cannot create an HDF5 scalar dataspace");
}

// ---------------------------------------------------------------- writing

// `where` is "<file>: <object>" for messages.
void write_text_attribute(hid_t object, const std::string& name, const std::string& value,
                          const std::string& where) {
  const char* text = text_without_nul(value, where + " attribute '" + name + "'");
  const Hdf5Handle type = text_type();
  const Hdf5Handle space = scalar_space();
  const Hdf5Handle attribute =
      own(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
          where, ": cannot create attribute '", name, "'");
  check(H5Awrite(attribute.get(), type.get(), &text), where, ": cannot write attribute '", name, "'");
}

template <class Value>
void write_number_attribute(hid_t object, const std::string& name, hid_t stored_type, hid_t memory_type,
                            Value value, const std::string& where) {
  const Hdf5Handle space = scalar_space();
  const Hdf5Handle attribute =
      own(H5Acreate2(object, name.c_str(), stored_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
          where, ": cannot create attribute '", name, "'");
  check(H5Awrite(attribute.get(), memory_type, &value), where, ": cannot write attribute '", name, "'");
}

Hdf5Handle create_group(hid_t parent, const std::string& name, const std::string& where) {
  return own(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, where,
             ": cannot create the group");
}

// A one-or-more-dimensional data set of `dims`, contiguous and uncompressed.
Hdf5Handle write_array(hid_t parent, const std::string& name, const std::vector<hsize_t>& dims,
                       hid_t stored_type, hid_t memory_type, const void* values, const std::string& where) {
  const Hdf5Handle space = own(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                               H5Sclose, where, ": cannot create a dataspace of its shape");
  Hdf5Handle data_set =
      own(H5Dcreate2(parent, name.c_str(), stored_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          H5Dclose, where, ": cannot create the data set");
  // An empty array has nothing to write (and HDF5 rejects a null buffer).
  const bool has_values = std::none_of(dims.begin(), dims.end(), [](hsize_t d) { return d == 0; });
  if (has_values) {
    check(H5Dwrite(data_set.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), where,
          ": cannot write the values");
  }
  return data_set;
}

Hdf5Handle write_float_array(hid_t parent, const std::string& name, const std::vector<hsize_t>& dims,
                             const float* values, const std::string& where) {
  return write_array(parent, name, dims, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, values, where);
}

void write_byte_array(hid_t parent, const std::string& name, const std::vector<std::uint8_t>& values,
                      const std::string& where) {
  write_array(parent, name, {values.size()}, H5T_STD_U8LE, H5T_NATIVE_UINT8, values.data(), where);
}

void write_integer_array_attribute(hid_t object, const std::string& name,
                                   const std::vector<std::int64_t>& values, const std::string& where) {
  const hsize_t length = values.size();
  const Hdf5Handle space =
      own(H5Screate_simple(1, &length, nullptr), H5Sclose, where, ": cannot create a dataspace for '", name,
          "'");
  const Hdf5Handle attribute =
      own(H5Acreate2(object, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
          where, ": cannot create attribute '", name, "'");
  check(H5Awrite(attribute.get(), H5T_NATIVE_INT64, values.data()), where, ": cannot write attribute '", name,
        "'");
}

// A packed tensor is a group holding its codes and their scales or codebook; its
// attributes say how to decode them (docs/checkpoint-format.md, version 2).
Hdf5Handle write_packed_tensor(hid_t parent, const std::string& name, const PackedTensor& packed,
                               const std::string& where) {
  Hdf5Handle group = create_group(parent, name, where);
  write_text_attribute(group.get(), "encoding", encoding_name(packed.encoding), where);
  write_number_attribute(group.get(), "bits", H5T_STD_I64LE, H5T_NATIVE_INT64, std::int64_t{packed.bits},
                         where);
  write_integer_array_attribute(group.get(), "shape", packed.shape.dims(), where);
  write_byte_array(group.get(), "codes", packed.codes, where + "/codes");
  if (packed.encoding == PackedTensor::Encoding::quantized) {
    write_float_array(group.get(), "scales", {packed.scales.size()}, packed.scales.data(), where + "/scales");
    write_byte_array(group.get(), "zero_points", packed.zero_points, where + "/zero_points");
  } else {
    write_float_array(group.get(), "codebook", {packed.codebook.size()}, packed.codebook.data(),
                      where + "/codebook");
  }
  return group;
}

std::vector<std::string> split_tensor_name(const std::string& name) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = name.find('/', start);
    parts.push_back(name.substr(start, slash - start));
    if (slash == std::string::npos) return parts;
    start = slash + 1;
  }
}

// Stores the tensor at /weights/<name>, creating a group for each '/'-separated part
// before the last, with its position in Checkpoint::tensors as attribute `order`.
void write_weight(hid_t weights, const NamedTensor& tensor, std::int64_t order, const std::string& path) {
  const std::string where = path + ": /weights/" + tensor.name;
  const std::vector<std::string> parts = split_tensor_name(tensor.name);
  for (const std::string& part : parts) {
    LATHE_CHECK(!part.empty() && part != ".", where,
                ": expected a tensor name of parts joined by '/' (\"conv1/weight\"), none empty or \".\", ",
                "found \"", tensor.name, "\"");
  }
  const Shape& shape = tensor.value.shape();
  LATHE_CHECK(shape.rank() > 0, where,
              ": expected a tensor with at least one dimension, found one with none");

  Hdf5Handle group;
  hid_t parent = weights;
  std::string group_path = "/weights";
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    group_path += "/" + parts[i];
    if (H5Lexists(parent, parts[i].c_str(), H5P_DEFAULT) > 0) {
      group = own(H5Gopen2(parent, parts[i].c_str(), H5P_DEFAULT), H5Gclose, path, ": ", group_path,
                  ": expected a group to hold tensor \"", tensor.name, "\", found a tensor of that name");
      // A packed tensor is a group too, but holds no other tensors.
      LATHE_CHECK(H5Aexists(group.get(), "encoding") <= 0, path, ": ", group_path,
                  ": expected a group to hold tensor \"", tensor.name,
                  "\", found a packed tensor of that name");
    } else {
      group = create_group(parent, parts[i], path + ": " + group_path);
    }
    parent = group.get();
  }
  LATHE_CHECK(H5Lexists(parent, parts.back().c_str(), H5P_DEFAULT) <= 0, where,
              ": expected each tensor name once, found \"", tensor.name,
              "\" again (or as the group of an earlier tensor)");

  if (tensor.packed) {
    // Only the packed form is stored: `value` must be what it decodes to, so its shape
    // at least must agree.
    check_packed_tensor(*tensor.packed, where);
    LATHE_CHECK(tensor.packed->shape == shape, where, ": expected the packed shape ",
                tensor.packed->shape.to_string(), " to equal the value's shape, found ", shape.to_string());
    const Hdf5Handle packed_group = write_packed_tensor(parent, parts.back(), *tensor.packed, where);
    write_number_attribute(packed_group.get(), "order", H5T_STD_I64LE, H5T_NATIVE_INT64, order, where);
    return;
  }
  std::vector<hsize_t> dims;
  for (const std::int64_t d : shape.dims()) dims.push_back(static_cast<hsize_t>(d));
  const Hdf5Handle data_set = write_float_array(parent, parts.back(), dims, tensor.value.data(), where);
  write_number_attribute(data_set.get(), "order", H5T_STD_I64LE, H5T_NATIVE_INT64, order, where);
}

void write_contents(hid_t file, const Checkpoint& checkpoint, const std::string& path) {
  write_text_attribute(file, "format", std::string(kFormatName), path + ": /");
  write_number_attribute(file, "format_version", H5T_STD_I64LE, H5T_NATIVE_INT64,
                         std::int64_t{kCheckpointFormatVersion}, path + ": /");

  {
    const std::string where = path + ": /model_spec";
    const char* text = text_without_nul(checkpoint.model_spec_yaml, where);
    const Hdf5Handle type = text_type();
    const Hdf5Handle space = scalar_space();
    const Hdf5Handle spec =
        own(H5Dcreate2(file, "model_spec", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
            H5Dclose, where, ": cannot create the data set");
    check(H5Dwrite(spec.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), where,
          ": cannot write the model spec");
  }

  {
    const Hdf5Handle weights = create_group(file, "weights", path + ": /weights");
    for (std::size_t i = 0; i < checkpoint.tensors.size(); ++i) {
      write_weight(weights.get(), checkpoint.tensors[i], static_cast<std::int64_t>(i), path);
    }
  }

  {
    const std::vector<float>& mean = checkpoint.normalization_mean;
    const std::vector<float>& std_dev = checkpoint.normalization_std;
    LATHE_CHECK(mean.size() == std_dev.size(), path,
                ": /normalization: expected mean and std of equal length, found ", mean.size(), " and ",
                std_dev.size());
    const Hdf5Handle normalization = create_group(file, "normalization", path + ": /normalization");
    write_float_array(normalization.get(), "mean", {mean.size()}, mean.data(),
                      path + ": /normalization/mean");
    write_float_array(normalization.get(), "std", {std_dev.size()}, std_dev.data(),
                      path + ": /normalization/std");
  }

  const std::string where = path + ": /training";
  const Hdf5Handle training = create_group(file, "training", where);
  for (const auto& [key, text] : checkpoint.text_metadata) {
    write_text_attribute(training.get(), key, text, where);
  }
  for (const auto& [key, number] : checkpoint.number_metadata) {
    LATHE_CHECK(H5Aexists(training.get(), key.c_str()) <= 0, where, " attribute '", key,
                "': expected a key in text or number metadata, found it in both");
    write_number_attribute(training.get(), key, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, number, where);
  }
}

// ---------------------------------------------------------------- reading

std::string describe_type(hid_t type) {
  const std::string bits = std::to_string(8 * H5Tget_size(type));
  switch (H5Tget_class(type)) {
    case H5T_FLOAT:
      return "float" + bits;
    case H5T_INTEGER:
      return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + bits;
    case H5T_STRING:
      return H5Tis_variable_str(type) > 0 ? "a variable-length string" : "a fixed-length string";
    default:
      return "a type that is neither a number nor a string";
  }
}

const char* describe_object_kind(H5I_type_t kind) {
  switch (kind) {
    case H5I_GROUP:
      return "a group";
    case H5I_DATASET:
      return "a data set";
    case H5I_DATATYPE:
      return "a named data type";
    default:
      return "an object of another kind";
  }
}

// Opens `name` under `parent`, failing unless it is an object of `kind`.
Hdf5Handle open_object(hid_t parent, const char* name, H5I_type_t kind, const std::string& where,
                       const std::string& expected) {
  LATHE_CHECK(H5Lexists(parent, name, H5P_DEFAULT) > 0, where, ": expected ", expected, ", found nothing");
  Hdf5Handle object = own(H5Oopen(parent, name, H5P_DEFAULT), H5Oclose, where, ": expected ", expected,
                          ", found a link that cannot be followed");
  const H5I_type_t found = H5Iget_type(object.get());
  LATHE_CHECK(found == kind, where, ": expected ", expected, ", found ", describe_object_kind(found));
  return object;
}

Hdf5Handle open_attribute(hid_t object, const char* name, const std::string& where,
                          const std::string& expected) {
  LATHE_CHECK(H5Aexists(object, name) > 0, where, ": expected ", expected, ", found none");
  return own(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, where, ": cannot open it");
}

// Scalar values live both in attributes (metadata) and in a data set (/model_spec);
// these helpers take either.
bool is_attribute(hid_t object) { return H5Iget_type(object) == H5I_ATTR; }

Hdf5Handle stored_type(hid_t object, const std::string& where) {
  return own(is_attribute(object) ? H5Aget_type(object) : H5Dget_type(object), H5Tclose, where,
             ": cannot read its type");
}

Hdf5Handle stored_space(hid_t object, const std::string& where) {
  return own(is_attribute(object) ? H5Aget_space(object) : H5Dget_space(object), H5Sclose, where,
             ": cannot read its shape");
}

void read_all(hid_t object, hid_t memory_type, void* buffer, const std::string& where) {
  check(is_attribute(object) ? H5Aread(object, memory_type, buffer)
                             : H5Dread(object, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer),
        where, ": cannot read its value");
}

void expect_scalar(hid_t object, const std::string& where, const std::string& expected) {
  const Hdf5Handle space = stored_space(object, where);
  LATHE_CHECK(H5Sget_simple_extent_type(space.get()) == H5S_SCALAR, where, ": expected ", expected,
              ", found an array of ", H5Sget_simple_extent_npoints(space.get()), " values");
}

struct Hdf5MemoryFree {
  void operator()(char* memory) const { H5free_memory(memory); }
};

std::string read_text(hid_t object, const std::string& where) {
  const Hdf5Handle type = stored_type(object, where);
  LATHE_CHECK(H5Tget_class(type.get()) == H5T_STRING && H5Tis_variable_str(type.get()) > 0, where,
              ": expected a variable-length string, found ", describe_type(type.get()));
  expect_scalar(object, where, "a single string");
  if (!is_attribute(object)) require_stored_string_within_file(object, where);
  char* text = nullptr;
  read_all(object, type.get(), &text, where);
  const std::unique_ptr<char, Hdf5MemoryFree> owned_text(text);
  return text == nullptr ? std::string() : std::string(text);  // HDF5 may return "" as null
}

std::int64_t read_integer(hid_t object, const std::string& where) {
  const Hdf5Handle type = stored_type(object, where);
  LATHE_CHECK(H5Tget_class(type.get()) == H5T_INTEGER, where, ": expected an integer, found ",
              describe_type(type.get()));
  expect_scalar(object, where, "a single integer");
  std::int64_t value = 0;
  read_all(object, H5T_NATIVE_INT64, &value, where);
  return value;
}

Tensor read_float_array(hid_t data_set, const std::string& where) {
  const Hdf5Handle type = stored_type(data_set, where);
  LATHE_CHECK(H5Tget_class(type.get()) == H5T_FLOAT && H5Tget_size(type.get()) == sizeof(float), where,
              ": expected float32 values, found ", describe_type(type.get()));
  const Hdf5Handle space = stored_space(data_set, where);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  LATHE_CHECK(rank > 0, where, ": expected an array with at least one dimension, found none");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), where, ": cannot read its shape");
  std::vector<std::int64_t> shape;
  for (const hsize_t d : dims) shape.push_back(static_cast<std::int64_t>(d));

  // The shape is a header field: allocate it only when the stored bytes can hold it
  // (found by fuzz_checkpoint: a weight declaring 8 GB in a 21 KB file).
  require_declared_size_stored(data_set, where);
  Tensor tensor{Shape(std::move(shape))};
  if (!tensor.empty()) read_all(data_set, H5T_NATIVE_FLOAT, tensor.data(), where);
  require_finite_values(tensor, where);
  return tensor;
}

std::vector<float> read_float_vector(hid_t group, const char* name, const std::string& where) {
  const Hdf5Handle data_set = open_object(group, name, H5I_DATASET, where, "a float32 data set");
  const Tensor values = read_float_array(data_set.get(), where);
  LATHE_CHECK(values.shape().rank() == 1, where, ": expected a one-dimensional array, found shape ",
              values.shape().to_string());
  return {values.values().begin(), values.values().end()};
}

std::vector<std::uint8_t> read_byte_vector(hid_t group, const char* name, const std::string& where) {
  const Hdf5Handle data_set = open_object(group, name, H5I_DATASET, where, "a uint8 data set");
  const Hdf5Handle type = stored_type(data_set.get(), where);
  LATHE_CHECK(H5Tget_class(type.get()) == H5T_INTEGER && H5Tget_size(type.get()) == 1 &&
                  H5Tget_sign(type.get()) == H5T_SGN_NONE,
              where, ": expected uint8 values, found ", describe_type(type.get()));
  const Hdf5Handle space = stored_space(data_set.get(), where);
  LATHE_CHECK(H5Sget_simple_extent_ndims(space.get()) == 1, where,
              ": expected a one-dimensional array, found one with ", H5Sget_simple_extent_ndims(space.get()),
              " dimensions");
  require_declared_size_stored(data_set.get(), where);
  std::vector<std::uint8_t> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  if (!values.empty()) read_all(data_set.get(), H5T_NATIVE_UINT8, values.data(), where);
  return values;
}

std::vector<std::int64_t> read_integer_array(hid_t object, const std::string& where) {
  const Hdf5Handle type = stored_type(object, where);
  LATHE_CHECK(H5Tget_class(type.get()) == H5T_INTEGER, where, ": expected integers, found ",
              describe_type(type.get()));
  const Hdf5Handle space = stored_space(object, where);
  const bool one_dimensional =
      H5Sget_simple_extent_type(space.get()) == H5S_SIMPLE && H5Sget_simple_extent_ndims(space.get()) == 1;
  LATHE_CHECK(one_dimensional, where, ": expected a one-dimensional array of integers, found ",
              H5Sget_simple_extent_type(space.get()) == H5S_SCALAR ? "a single value" : "another shape");
  std::vector<std::int64_t> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  if (!values.empty()) read_all(object, H5T_NATIVE_INT64, values.data(), where);
  return values;
}

// The group of a packed tensor (written by write_packed_tensor). Reads what its encoding
// needs, ignores other members; check_packed_tensor judges the values.
PackedTensor read_packed_tensor(hid_t group, const std::string& where) {
  PackedTensor packed;
  const std::string encoding_where = where + " attribute 'encoding'";
  const Hdf5Handle encoding_attribute =
      open_attribute(group, "encoding", encoding_where, "\"quantized\" or \"codebook\"");
  const std::string encoding = read_text(encoding_attribute.get(), encoding_where);
  if (encoding == encoding_name(PackedTensor::Encoding::quantized)) {
    packed.encoding = PackedTensor::Encoding::quantized;
  } else if (encoding == encoding_name(PackedTensor::Encoding::codebook)) {
    packed.encoding = PackedTensor::Encoding::codebook;
  } else {
    fail(encoding_where, ": expected \"quantized\" or \"codebook\", found \"", encoding, "\"");
  }

  const std::string bits_where = where + " attribute 'bits'";
  const std::int64_t bits =
      read_integer(open_attribute(group, "bits", bits_where, "an integer (bits per code)").get(), bits_where);
  LATHE_CHECK(bits >= 1 && bits <= 8, bits_where, ": expected 1 to 8, found ", bits);
  packed.bits = static_cast<int>(bits);

  const std::string shape_where = where + " attribute 'shape'";
  packed.shape = Shape(read_integer_array(
      open_attribute(group, "shape", shape_where, "the tensor's shape (an integer array)").get(), shape_where));

  packed.codes = read_byte_vector(group, "codes", where + "/codes");
  if (packed.encoding == PackedTensor::Encoding::quantized) {
    packed.scales = read_float_vector(group, "scales", where + "/scales");
    packed.zero_points = read_byte_vector(group, "zero_points", where + "/zero_points");
  } else {
    packed.codebook = read_float_vector(group, "codebook", where + "/codebook");
  }
  return packed;
}

std::vector<std::string> member_names(hid_t group, const std::string& where) {
  std::vector<std::string> names;
  check(H5Literate(
            group, H5_INDEX_NAME, H5_ITER_INC, nullptr,
            [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
              static_cast<std::vector<std::string>*>(out)->emplace_back(name);
              return 0;
            },
            &names),
        where, ": cannot list its members");
  return names;
}

// Listing attributes by index builds a table of them, and libhdf5 1.10's error path for a
// message that fails to decode closes the table's unfilled slots too: pointers it never
// set (H5A__compact_build_table leaves the table's capacity as its count; found by
// fuzz_checkpoint, a crash under ASan, whose fresh memory is garbage). A lookup by name
// walks the same messages and decodes every one, but fails without a table, so one for a
// name no attribute has proves that all of them decode (libhdf5 keeps them decoded) before
// the listing runs. A file that does hold the probe's name is refused: the walk stopped there.
void require_attributes_decode(hid_t object, const std::string& where) {
  constexpr const char* kProbe = "\x01lathe: a name no attribute has";
  const htri_t found = H5Aexists(object, kProbe);
  check(found, where, ": cannot read its attributes");
  LATHE_CHECK(found == 0, where, ": expected attributes with printable names, found one named \"\\x01",
              kProbe + 1, "\"");
}

std::vector<std::string> attribute_names(hid_t object, const std::string& where) {
  require_attributes_decode(object, where);
  std::vector<std::string> names;
  check(H5Aiterate2(
            object, H5_INDEX_NAME, H5_ITER_INC, nullptr,
            [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
              static_cast<std::vector<std::string>*>(out)->emplace_back(name);
              return 0;
            },
            &names),
        where, ": cannot list its attributes");
  return names;
}

struct StoredWeight {
  std::int64_t order;
  NamedTensor tensor;
};

// Walks the groups under /weights; `name_prefix` is the tensor name so far ("conv1/").
// A group with an `encoding` attribute is a packed tensor (format version 2 on).
void collect_weights(hid_t group, const std::string& name_prefix, const std::string& path, std::int64_t version,
                     std::vector<StoredWeight>& weights) {
  for (const std::string& member : member_names(group, path + ": /weights/" + name_prefix)) {
    const std::string name = name_prefix + member;
    const std::string where = path + ": /weights/" + name;
    const Hdf5Handle object =
        own(H5Oopen(group, member.c_str(), H5P_DEFAULT), H5Oclose, where,
            ": expected a tensor or a group of tensors, found a link that cannot be followed");
    const H5I_type_t kind = H5Iget_type(object.get());
    const bool packed = kind == H5I_GROUP && H5Aexists(object.get(), "encoding") > 0;
    if (kind == H5I_GROUP && !packed) {
      collect_weights(object.get(), name + "/", path, version, weights);
      continue;
    }
    LATHE_CHECK(!packed || version >= 2, where,
                ": expected float32 tensors only (format version 1), found a packed tensor (a group with ",
                "attribute 'encoding'), which needs format version 2");
    LATHE_CHECK(kind == H5I_DATASET || packed, where,
                ": expected a tensor (a float32 data set or a packed group) or a group of tensors, found ",
                describe_object_kind(kind));
    const Hdf5Handle order = open_attribute(object.get(), "order", where + " attribute 'order'",
                                            "an integer (the tensor's position in the checkpoint)");
    const std::int64_t position = read_integer(order.get(), where + " attribute 'order'");
    if (packed) {
      PackedTensor packed_tensor = read_packed_tensor(object.get(), where);
      Tensor value = decode_packed_tensor(packed_tensor, where);
      weights.push_back({position, NamedTensor{name, std::move(value), std::move(packed_tensor)}});
    } else {
      weights.push_back({position, NamedTensor{name, read_float_array(object.get(), where)}});
    }
  }
}

std::vector<NamedTensor> read_weights(hid_t file, const std::string& path, std::int64_t version) {
  const Hdf5Handle weights_group =
      open_object(file, "weights", H5I_GROUP, path + ": /weights", "a group holding the weights");
  std::vector<StoredWeight> weights;
  collect_weights(weights_group.get(), "", path, version, weights);

  std::sort(weights.begin(), weights.end(),
            [](const StoredWeight& a, const StoredWeight& b) { return a.order < b.order; });
  std::vector<NamedTensor> tensors;
  for (StoredWeight& weight : weights) {
    const auto position = static_cast<std::int64_t>(tensors.size());
    // Sorted, so a value below its position repeats the previous one.
    LATHE_CHECK(weight.order == position, path, ": /weights/", weight.tensor.name,
                " attribute 'order': expected the ", weights.size(), " tensors numbered 0 to ",
                weights.size() - 1, " once each, found ", weight.order,
                weight.order < position ? " on two tensors" : "");
    tensors.push_back(std::move(weight.tensor));
  }
  return tensors;
}

// Returns the file's format version.
std::int64_t check_format(hid_t file, const std::string& path) {
  const std::string format_where = path + ": root attribute 'format'";
  LATHE_CHECK(H5Aexists(file, "format") > 0, format_where, ": expected \"", kFormatName,
              "\", found none (an HDF5 file, but not a Lathe checkpoint)");
  const Hdf5Handle format =
      own(H5Aopen(file, "format", H5P_DEFAULT), H5Aclose, format_where, ": cannot open it");
  const std::string found = read_text(format.get(), format_where);
  LATHE_CHECK(found == kFormatName, format_where, ": expected \"", kFormatName, "\", found \"", found,
              "\" (not a Lathe checkpoint)");

  const std::string version_where = path + ": root attribute 'format_version'";
  const Hdf5Handle version_attribute = open_attribute(file, "format_version", version_where, "an integer");
  const std::int64_t version = read_integer(version_attribute.get(), version_where);
  LATHE_CHECK(version <= kCheckpointFormatVersion, version_where, ": expected at most ",
              kCheckpointFormatVersion, " (the newest this build reads), found ", version,
              ": the file was written by a newer Lathe");
  LATHE_CHECK(version >= 1, version_where, ": expected a version from 1 up, found ", version);
  return version;
}

}  // namespace

void write_checkpoint(const std::string& path, const Checkpoint& checkpoint) {
  write_hdf5_atomically(path, "checkpoint",
                        [&](hid_t file) { write_contents(file, checkpoint, path); });
}

Checkpoint read_checkpoint(const std::string& path) {
  silence_hdf5_error_printing();
  require_input_file(path, "a checkpoint file (.h5)");
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  LATHE_CHECK(is_hdf5 >= 0, path, ": cannot open it", hdf5_error_detail());
  LATHE_CHECK(is_hdf5 > 0, path,
              ": expected an HDF5 file (a Lathe checkpoint), found a file without the HDF5 signature");
  require_walkable_hdf5_file(path);  // before libhdf5 walks it: some damage hangs or crashes libhdf5
  const Hdf5Handle file =
      own(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, path,
          ": expected a complete HDF5 file, found one HDF5 cannot open, likely truncated or damaged");
  const std::int64_t version = check_format(file.get(), path);

  Checkpoint checkpoint;
  {
    const std::string where = path + ": /model_spec";
    const Hdf5Handle spec = open_object(file.get(), "model_spec", H5I_DATASET, where,
                                        "a data set holding the model spec (YAML text)");
    checkpoint.model_spec_yaml = read_text(spec.get(), where);
  }

  checkpoint.tensors = read_weights(file.get(), path, version);

  {
    const Hdf5Handle normalization =
        open_object(file.get(), "normalization", H5I_GROUP, path + ": /normalization",
                    "a group holding the input normalisation");
    checkpoint.normalization_mean =
        read_float_vector(normalization.get(), "mean", path + ": /normalization/mean");
    checkpoint.normalization_std =
        read_float_vector(normalization.get(), "std", path + ": /normalization/std");
    LATHE_CHECK(checkpoint.normalization_mean.size() == checkpoint.normalization_std.size(), path,
                ": /normalization: expected mean and std of equal length, found ",
                checkpoint.normalization_mean.size(), " and ", checkpoint.normalization_std.size());
  }

  const Hdf5Handle training = open_object(file.get(), "training", H5I_GROUP, path + ": /training",
                                          "a group holding the training metadata");
  for (const std::string& key : attribute_names(training.get(), path + ": /training")) {
    const std::string where = path + ": /training attribute '" + key + "'";
    const Hdf5Handle attribute =
        own(H5Aopen(training.get(), key.c_str(), H5P_DEFAULT), H5Aclose, where, ": cannot open it");
    const Hdf5Handle type = stored_type(attribute.get(), where);
    switch (H5Tget_class(type.get())) {
      case H5T_STRING:
        checkpoint.text_metadata[key] = read_text(attribute.get(), where);
        break;
      case H5T_FLOAT:
      case H5T_INTEGER: {
        expect_scalar(attribute.get(), where, "a single number");
        double number = 0;
        read_all(attribute.get(), H5T_NATIVE_DOUBLE, &number, where);
        checkpoint.number_metadata[key] = number;
        break;
      }
      default:
        fail(where, ": expected text or a number, found ", describe_type(type.get()));
    }
  }
  return checkpoint;
}

}  // namespace lathe::io

#include "compress/ablate/ablation_table_file.h"


#include <cmath>
#include <cstring>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "io/path_checks.h"
#include "io/atomic_hdf5_file.h"
#include "io/hdf5_calls.h"
#include "io/hdf5_handle.h"
#include "io/hdf5_structure_check.h"
#include "io/stored_data_bound.h"

namespace lathe::compress::ablate {
namespace {

namespace fs = std::filesystem;
using io::Hdf5Handle;
using io::check;
using io::own;
using io::text_type;

constexpr std::string_view kFormatName = "lathe-ablation-table";

// ---------------------------------------------------------------- writing

void write_attribute(hid_t file, const char* name, hid_t stored, hid_t memory, const void* value,
                     const std::string& path) {
  const Hdf5Handle space = own(H5Screate(H5S_SCALAR), H5Sclose, path, ": cannot create a scalar dataspace");
  const Hdf5Handle attribute = own(H5Acreate2(file, name, stored, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                                   H5Aclose, path, ": cannot create root attribute '", name, "'");
  check(H5Awrite(attribute.get(), memory, value), path, ": cannot write root attribute '", name, "'");
}

void write_text_attribute(hid_t file, const char* name, const std::string& value, const std::string& path) {
  const Hdf5Handle type = text_type();
  const char* text = value.c_str();
  write_attribute(file, name, type.get(), type.get(), &text, path);
}

void write_column(hid_t file, const char* name, hid_t stored, hid_t memory, std::size_t length,
                  const void* values, const std::string& path) {
  const hsize_t dims[1] = {length};
  const Hdf5Handle space = own(H5Screate_simple(1, dims, nullptr), H5Sclose, path, ": /", name,
                               ": cannot create its dataspace");
  const Hdf5Handle data_set =
      own(H5Dcreate2(file, name, stored, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose, path,
          ": /", name, ": cannot create the data set");
  if (length > 0) {
    check(H5Dwrite(data_set.get(), memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), path, ": /", name,
          ": cannot write the values");
  }
}

template <class Field>
void write_text_column(hid_t file, const char* name, const AblationTable& table, Field field,
                       const std::string& path) {
  std::vector<std::string> texts;
  for (const AblationEntry& entry : table.entries) texts.push_back(field(entry));
  std::vector<const char*> pointers;
  for (const std::string& text : texts) {
    LATHE_CHECK(text.find('\0') == std::string::npos, path, ": /", name,
                ": expected text without NUL characters, found one in '", text, "'");
    pointers.push_back(text.c_str());
  }
  const Hdf5Handle type = text_type();
  write_column(file, name, type.get(), type.get(), pointers.size(), pointers.data(), path);
}

void write_contents(hid_t file, const AblationTable& table, const std::string& path) {
  write_text_attribute(file, "format", std::string(kFormatName), path);
  const std::int64_t version = kAblationTableFormatVersion;
  write_attribute(file, "format_version", H5T_STD_I64LE, H5T_NATIVE_INT64, &version, path);
  write_attribute(file, "reference_loss", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &table.reference_loss, path);
  write_text_attribute(file, "score_kind", score_kind_name(table.score_kind), path);

  write_text_column(file, "group", table, [](const AblationEntry& e) { return e.group; }, path);
  write_text_column(file, "kind", table, [](const AblationEntry& e) { return std::string(group_kind_name(e.kind)); },
                    path);
  write_text_column(file, "layer", table, [](const AblationEntry& e) { return e.layer; }, path);
  write_text_column(file, "removal", table,
                    [](const AblationEntry& e) { return std::string(removal_name(e.removal)); }, path);
  std::vector<std::int64_t> index;
  std::vector<double> test_loss;
  std::vector<double> score;
  for (const AblationEntry& e : table.entries) {
    index.push_back(e.index);
    test_loss.push_back(e.test_loss);
    score.push_back(e.score);
  }
  write_column(file, "index", H5T_STD_I64LE, H5T_NATIVE_INT64, index.size(), index.data(), path);
  write_column(file, "test_loss", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, test_loss.size(), test_loss.data(), path);
  write_column(file, "score", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, score.size(), score.data(), path);
}

// ---------------------------------------------------------------- reading

Hdf5Handle open_root_attribute(hid_t file, const char* name, const std::string& path, const char* expected) {
  LATHE_CHECK(H5Aexists(file, name) > 0, path, ": root attribute '", name, "': expected ", expected,
              ", found none");
  return own(H5Aopen(file, name, H5P_DEFAULT), H5Aclose, path, ": root attribute '", name, "': cannot open it");
}

std::string read_text_attribute(hid_t file, const char* name, const std::string& path) {
  const Hdf5Handle attribute = open_root_attribute(file, name, path, "a string");
  const Hdf5Handle type = own(H5Aget_type(attribute.get()), H5Tclose, path, ": root attribute '", name, "'");
  LATHE_CHECK(H5Tget_class(type.get()) == H5T_STRING && H5Tis_variable_str(type.get()) > 0, path,
              ": root attribute '", name, "': expected a variable-length string");
  char* text = nullptr;
  const Hdf5Handle memory = text_type();
  check(H5Aread(attribute.get(), memory.get(), &text), path, ": root attribute '", name, "': cannot read it");
  const std::string value = text == nullptr ? "" : text;
  H5free_memory(text);
  return value;
}

template <class Value>
Value read_number_attribute(hid_t file, const char* name, hid_t memory, const std::string& path) {
  const Hdf5Handle attribute = open_root_attribute(file, name, path, "a number");
  const Hdf5Handle type = own(H5Aget_type(attribute.get()), H5Tclose, path, ": root attribute '", name, "'");
  const H5T_class_t kind = H5Tget_class(type.get());
  LATHE_CHECK(kind == H5T_INTEGER || kind == H5T_FLOAT, path, ": root attribute '", name,
              "': expected a number");
  Value value{};
  check(H5Aread(attribute.get(), memory, &value), path, ": root attribute '", name, "': cannot read it");
  return value;
}

// Opens a one-dimensional data set of `expected_class` and returns it with its length.
std::pair<Hdf5Handle, std::size_t> open_column(hid_t file, const char* name, H5T_class_t expected_class,
                                               const char* expected, const std::string& path) {
  LATHE_CHECK(H5Lexists(file, name, H5P_DEFAULT) > 0, path, ": /", name, ": expected a data set of ", expected,
              ", found nothing");
  Hdf5Handle data_set = own(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose, path, ": /", name,
                            ": expected a data set of ", expected, ", found something else");
  const Hdf5Handle type = own(H5Dget_type(data_set.get()), H5Tclose, path, ": /", name, ": cannot read its type");
  LATHE_CHECK(H5Tget_class(type.get()) == expected_class &&
                  (expected_class != H5T_STRING || H5Tis_variable_str(type.get()) > 0),
              path, ": /", name, ": expected ", expected, ", found another type");
  const Hdf5Handle space = own(H5Dget_space(data_set.get()), H5Sclose, path, ": /", name, ": cannot read its shape");
  LATHE_CHECK(H5Sget_simple_extent_ndims(space.get()) == 1, path, ": /", name,
              ": expected a one-dimensional array, found ", H5Sget_simple_extent_ndims(space.get()),
              " dimensions");
  // The length is a header field: the columns are allocated by it only when the stored
  // bytes can hold it.
  io::require_declared_size_stored(data_set.get(), path + ": /" + name);
  hsize_t length = 0;
  H5Sget_simple_extent_dims(space.get(), &length, nullptr);
  return {std::move(data_set), static_cast<std::size_t>(length)};
}

void expect_length(std::size_t found, std::size_t expected, const char* name, const std::string& path) {
  LATHE_CHECK(found == expected, path, ": /", name, ": expected ", expected,
              " values (one per group, as in /group), found ", found);
}

std::vector<std::string> read_text_column(hid_t file, const char* name, std::size_t length,
                                          const std::string& path) {
  const auto [data_set, found] = open_column(file, name, H5T_STRING, "variable-length strings", path);
  expect_length(found, length, name, path);
  std::vector<char*> pointers(length, nullptr);
  const Hdf5Handle memory = text_type();
  if (length > 0) {
    check(H5Dread(data_set.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), path, ": /",
          name, ": cannot read the values");
  }
  std::vector<std::string> texts;
  for (char* pointer : pointers) {
    texts.emplace_back(pointer == nullptr ? "" : pointer);
    H5free_memory(pointer);
  }
  return texts;
}

template <class Value>
std::vector<Value> read_number_column(hid_t file, const char* name, H5T_class_t stored_class, hid_t memory,
                                      std::size_t length, const std::string& path) {
  const auto [data_set, found] =
      open_column(file, name, stored_class, stored_class == H5T_INTEGER ? "integers" : "floating-point numbers", path);
  expect_length(found, length, name, path);
  std::vector<Value> values(length);
  if (length > 0) {
    check(H5Dread(data_set.get(), memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), path, ": /", name,
          ": cannot read the values");
  }
  return values;
}

void check_format(hid_t file, const std::string& path) {
  const std::string format = read_text_attribute(file, "format", path);
  LATHE_CHECK(format == kFormatName, path, ": root attribute 'format': expected \"", kFormatName, "\", found \"",
              format, "\" (not an ablation table)");
  const auto version = read_number_attribute<std::int64_t>(file, "format_version", H5T_NATIVE_INT64, path);
  LATHE_CHECK(version >= 1 && version <= kAblationTableFormatVersion, path,
              ": root attribute 'format_version': expected 1 to ", kAblationTableFormatVersion, ", found ", version);
}

}  // namespace

void write_ablation_table(const std::string& path, const AblationTable& table) {
  io::write_hdf5_atomically(path, "ablation table",
                            [&](hid_t file) { write_contents(file, table, path); });
}

AblationTable read_ablation_table(const std::string& path) {
  io::silence_hdf5_error_printing();
  io::require_input_file(path, "an ablation table file (.h5)");
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  LATHE_CHECK(is_hdf5 > 0, path, ": expected an HDF5 file (an ablation table), found a file without the HDF5 signature");
  // Before libhdf5 walks it: a damaged global heap hangs libhdf5, a damaged group crashes it.
  io::require_walkable_hdf5_file(path);
  const Hdf5Handle file = own(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, path,
                              ": expected a complete HDF5 file, found one HDF5 cannot open (truncated or damaged?)");
  const hid_t f = file.get();
  check_format(f, path);

  AblationTable table;
  table.reference_loss = read_number_attribute<double>(f, "reference_loss", H5T_NATIVE_DOUBLE, path);
  LATHE_CHECK(std::isfinite(table.reference_loss), path, ": root attribute 'reference_loss': expected a finite number, found ",
              table.reference_loss);
  table.score_kind = parse_score_kind(read_text_attribute(f, "score_kind", path), path + ": root attribute 'score_kind'");

  const std::size_t length = open_column(f, "group", H5T_STRING, "variable-length strings", path).second;
  const std::vector<std::string> groups = read_text_column(f, "group", length, path);
  const std::vector<std::string> kinds = read_text_column(f, "kind", length, path);
  const std::vector<std::string> layers = read_text_column(f, "layer", length, path);
  const std::vector<std::string> removals = read_text_column(f, "removal", length, path);
  const auto index = read_number_column<std::int64_t>(f, "index", H5T_INTEGER, H5T_NATIVE_INT64, length, path);
  const auto test_loss = read_number_column<double>(f, "test_loss", H5T_FLOAT, H5T_NATIVE_DOUBLE, length, path);
  const auto score = read_number_column<double>(f, "score", H5T_FLOAT, H5T_NATIVE_DOUBLE, length, path);

  for (std::size_t i = 0; i < length; ++i) {
    const std::string row = "[" + std::to_string(i) + "]";
    AblationEntry entry;
    entry.group = groups[i];
    LATHE_CHECK(!entry.group.empty(), path, ": /group", row, ": expected a group name, found an empty string");
    entry.kind = parse_group_kind(kinds[i], path + ": /kind" + row);
    entry.layer = layers[i];
    entry.index = index[i];
    entry.removal = parse_removal(removals[i], path + ": /removal" + row);
    entry.test_loss = test_loss[i];
    entry.score = score[i];
    LATHE_CHECK(!std::isnan(entry.score), path, ": /score", row, ": expected a number, found NaN");
    LATHE_CHECK(i == 0 || table.entries.back().score <= entry.score, path, ": /score", row,
                ": expected scores in ascending order, found ", entry.score, " after ", table.entries.back().score);
    table.entries.push_back(std::move(entry));
  }
  return table;
}

}  // namespace lathe::compress::ablate

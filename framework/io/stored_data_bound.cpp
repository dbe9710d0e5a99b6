#include "io/stored_data_bound.h"

#include <cstdint>
#include <limits>
#include <vector>

#include "core/error.h"
#include "io/hdf5_calls.h"

namespace lathe::io {
namespace {

// zlib's technical notes: deflate's maximum compression ratio is 1032:1.
constexpr std::uint64_t kDeflateMaxExpansion = 1032;

struct Declared {
  std::string shape;
  std::uint64_t bytes = 0;
};

// The declared shape as text and its size in bytes, saturated at 2^64 - 1.
Declared declared_size(hid_t data_set, const std::string& where) {
  const Hdf5Handle space = own(H5Dget_space(data_set), H5Sclose, where, ": cannot read its shape");
  const Hdf5Handle type = own(H5Dget_type(data_set), H5Tclose, where, ": cannot read its type");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank > 0 ? rank : 0));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  Declared declared;
  declared.bytes = H5Tget_size(type.get());
  declared.shape = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    declared.shape += (i ? ", " : "") + std::to_string(dims[i]);
    const std::uint64_t most = std::numeric_limits<std::uint64_t>::max();
    declared.bytes = dims[i] != 0 && declared.bytes > most / dims[i] ? most : declared.bytes * dims[i];
  }
  declared.shape += "]";
  return declared;
}

const char* filter_name(H5Z_filter_t filter) {
  switch (filter) {
    case H5Z_FILTER_DEFLATE: return "deflate (gzip)";
    case H5Z_FILTER_SHUFFLE: return "shuffle";
    case H5Z_FILTER_FLETCHER32: return "fletcher32";
    case H5Z_FILTER_SZIP: return "szip";
    case H5Z_FILTER_NBIT: return "nbit";
    case H5Z_FILTER_SCALEOFFSET: return "scaleoffset";
    default: return "a third-party filter";
  }
}

// How many bytes one stored byte can decode to through the data set's filters, with the
// filters' description for the message; throws for a filter without a bound.
std::uint64_t max_expansion(hid_t plist, const std::string& where, std::string& filters) {
  const int count = H5Pget_nfilters(plist);
  std::uint64_t expansion = 1;
  filters = count > 0 ? "" : "no filters";
  for (int i = 0; i < count; ++i) {
    unsigned flags = 0;
    std::size_t values = 0;
    unsigned filter_config = 0;
    const H5Z_filter_t filter = H5Pget_filter2(plist, static_cast<unsigned>(i), &flags, &values,
                                               nullptr, 0, nullptr, &filter_config);
    filters += (i ? ", " : "") + std::string(filter_name(filter));
    if (filter == H5Z_FILTER_DEFLATE) {
      expansion *= kDeflateMaxExpansion;
      continue;
    }
    LATHE_CHECK(filter == H5Z_FILTER_SHUFFLE || filter == H5Z_FILTER_FLETCHER32, where,
                ": stored through the filter ", filter_name(filter), " (id ", filter,
                "), which can decode a few stored bytes to any size, so the file cannot vouch for "
                "the shape its header declares; expected data stored plain or with deflate (gzip), "
                "shuffle or fletcher32");
  }
  return expansion;
}

const char* layout_name(H5D_layout_t layout) {
  switch (layout) {
    case H5D_COMPACT: return "compact";
    case H5D_CONTIGUOUS: return "contiguous";
    case H5D_CHUNKED: return "chunked";
    default: return "virtual";
  }
}

}  // namespace

void require_declared_size_stored(hid_t data_set, const std::string& where) {
  const Declared declared = declared_size(data_set, where);
  const Hdf5Handle plist = own(H5Dget_create_plist(data_set), H5Pclose, where,
                               ": cannot read its storage properties");
  const H5D_layout_t layout = H5Pget_layout(plist.get());
  LATHE_CHECK(layout == H5D_COMPACT || layout == H5D_CONTIGUOUS || layout == H5D_CHUNKED, where,
              ": a ", layout_name(layout), " data set (its values lie in other files); expected one "
              "stored in this file");
  LATHE_CHECK(H5Pget_external_count(plist.get()) <= 0, where,
              ": stored in external files; expected its values stored in this file");

  const Hdf5Handle file = own(H5Iget_file_id(data_set), H5Fclose, where, ": cannot find its file");
  hsize_t file_size = 0;
  check(H5Fget_filesize(file.get(), &file_size), where, ": cannot read the file's size");
  const std::uint64_t stored = H5Dget_storage_size(data_set);
  // A contiguous block starts at an address the header gives; it must end inside the file.
  const haddr_t offset = layout == H5D_CONTIGUOUS ? H5Dget_offset(data_set) : HADDR_UNDEF;
  const std::uint64_t stored_end = offset == HADDR_UNDEF ? stored : offset + stored;
  LATHE_CHECK(stored <= file_size && stored_end >= stored && stored_end <= file_size, where,
              ": declares shape ", declared.shape, " (", declared.bytes, " bytes) stored in ", stored,
              " bytes ending at byte ", stored_end, ", but the file has ", file_size,
              " bytes; the file is damaged");

  std::string filters = "no filters";
  const std::uint64_t expansion = layout == H5D_CHUNKED ? max_expansion(plist.get(), where, filters) : 1;
  const std::uint64_t bound =
      stored > std::numeric_limits<std::uint64_t>::max() / expansion ? std::numeric_limits<std::uint64_t>::max()
                                                                     : stored * expansion;
  LATHE_CHECK(declared.bytes <= bound, where, ": declares shape ", declared.shape, " (",
              declared.bytes, " bytes), but the file stores ", stored, " bytes for it (",
              layout_name(layout), ", ", filters, "), which decode to at most ", bound,
              " bytes; the header is damaged or the data were never written");
}

}  // namespace lathe::io

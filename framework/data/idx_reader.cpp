#include "data/idx_reader.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <memory>
#include <sstream>
#include <vector>

#include "core/error.h"
#include "io/path_checks.h"

namespace lathe::data {
namespace {

constexpr unsigned char kUint8Code = 0x08;
// Reads go through zlib in 1 MiB pieces; a bigger zlib buffer than its 8 KiB default
// makes decompressing the 47 MB Fashion-MNIST training images noticeably faster.
constexpr unsigned kChunkBytes = 1U << 20U;
constexpr unsigned kZlibBufferBytes = 1U << 18U;

// What one of the two files must hold.
struct IdxKind {
  const char* role;    // "image", "label"
  int rank;            // dimensions after the magic number
  const char* layout;  // "N x H x W"
};
constexpr IdxKind kImageFile{"image", 3, "N x H x W"};
constexpr IdxKind kLabelFile{"label", 1, "N"};

struct IdxArray {
  std::vector<std::uint64_t> dims;
  std::vector<unsigned char> values;
};

std::string hex(std::uint32_t value, int digits) {
  std::ostringstream out;
  out << "0x" << std::hex << std::uppercase << std::setw(digits) << std::setfill('0') << value;
  return out.str();
}

std::uint32_t magic_for(const IdxKind& kind) {
  return (std::uint32_t{kUint8Code} << 8U) | static_cast<std::uint32_t>(kind.rank);
}

const char* dtype_name(unsigned char code) {
  switch (code) {
    case 0x08: return "uint8";
    case 0x09: return "int8";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return "not an IDX dtype";
  }
}

std::string join_dims(const std::vector<std::uint64_t>& dims) {
  std::string text;
  for (std::uint64_t d : dims) text += (text.empty() ? "" : " x ") + std::to_string(d);
  return text;
}

struct GzClose {
  void operator()(gzFile file) const { gzclose(file); }
};

// An open IDX file; `read` returns decompressed bytes for gzip files, raw ones otherwise.
class IdxStream {
 public:
  IdxStream(std::string path, const IdxKind& kind) : path_(std::move(path)) {
    io::require_input_file(path_, std::string("an IDX ") + kind.role + " file, " + kind.layout);
    file_.reset(gzopen(path_.c_str(), "rb"));
    LATHE_CHECK(file_ != nullptr, path_, ": cannot open: ", std::strerror(errno));
    gzbuffer(file_.get(), kZlibBufferBytes);
  }

  // Reads up to `count` bytes; fewer only at the end of the data.
  std::size_t read(unsigned char* out, std::size_t count) {
    std::size_t done = 0;
    while (done < count) {
      const unsigned piece = static_cast<unsigned>(std::min<std::size_t>(count - done, kChunkBytes));
      const int got = gzread(file_.get(), out + done, piece);
      if (got <= 0) {
        int code = Z_OK;
        const char* message = gzerror(file_.get(), &code);
        // Z_BUF_ERROR is a gzip stream cut short: that is reported as truncation.
        LATHE_CHECK(code == Z_OK || code == Z_BUF_ERROR, path_, ": corrupt gzip data after ",
                    offset_ + done, " decompressed bytes (zlib: ", message, ")");
        break;
      }
      done += static_cast<std::size_t>(got);
    }
    offset_ += done;
    return done;
  }

  // The path, marked when gzip-compressed so that byte counts in messages are unambiguous.
  [[nodiscard]] std::string name() const {
    return gzdirect(file_.get()) != 0 ? path_ : path_ + " (gzip; byte counts are decompressed)";
  }

 private:
  std::string path_;
  std::unique_ptr<gzFile_s, GzClose> file_;
  std::size_t offset_ = 0;
};

IdxArray read_idx(const std::string& path, const IdxKind& kind) {
  IdxStream in(path, kind);
  const std::uint32_t expected_magic = magic_for(kind);

  std::array<unsigned char, 4> magic{};
  const std::size_t magic_bytes = in.read(magic.data(), magic.size());
  LATHE_CHECK(magic_bytes == magic.size(), in.name(), ": too short for an IDX header (", magic_bytes,
              " bytes; expected a 4-byte magic number ", hex(expected_magic, 8), ")");
  const std::uint32_t found_magic = (std::uint32_t{magic[0]} << 24U) |
                                    (std::uint32_t{magic[1]} << 16U) |
                                    (std::uint32_t{magic[2]} << 8U) | magic[3];
  LATHE_CHECK(magic[0] == 0 && magic[1] == 0 && magic[3] == kind.rank, in.name(),
              ": wrong magic number ", hex(found_magic, 8), ", expected ", hex(expected_magic, 8),
              " (an IDX ", kind.role, " file: uint8, ", kind.layout, ")");
  LATHE_CHECK(magic[2] == kUint8Code, in.name(), ": wrong dtype code ", hex(magic[2], 2), " (",
              dtype_name(magic[2]), ") in magic number ", hex(found_magic, 8), ", expected ",
              hex(kUint8Code, 2), " (uint8)");

  IdxArray array;
  std::uint64_t total = 1;
  for (int axis = 0; axis < kind.rank; ++axis) {
    std::array<unsigned char, 4> be{};
    const std::size_t got = in.read(be.data(), be.size());
    LATHE_CHECK(got == be.size(), in.name(), ": file ends inside the header (", kind.rank,
                " dimension sizes expected after the magic number, found ", axis, ")");
    const std::uint64_t dim = (std::uint64_t{be[0]} << 24U) | (std::uint64_t{be[1]} << 16U) |
                              (std::uint64_t{be[2]} << 8U) | be[3];
    array.dims.push_back(dim);
    LATHE_CHECK(dim == 0 || total <= std::numeric_limits<std::uint64_t>::max() / dim, in.name(),
                ": header sizes ", join_dims(array.dims), " overflow a 64-bit byte count");
    total *= dim;
  }
  LATHE_CHECK(array.dims[0] > 0, in.name(), ": no items (the header's item count N is 0)");
  LATHE_CHECK(total > 0, in.name(), ": empty ", kind.role, "s (header sizes ",
              join_dims(array.dims), ")");

  // Grow as the data arrives rather than trusting the header with one huge allocation.
  array.values.reserve(std::min<std::uint64_t>(total, std::uint64_t{1} << 28U));
  std::uint64_t have = 0;
  while (have < total) {
    const std::uint64_t want = std::min<std::uint64_t>(total - have, kChunkBytes);
    array.values.resize(have + want);
    const std::size_t got = in.read(array.values.data() + have, want);
    have += got;
    if (got < want) break;
  }
  LATHE_CHECK(have == total, in.name(), ": truncated: the header (", kind.layout, " = ",
              join_dims(array.dims), ") promises ", total, " bytes of data, found only ", have,
              " (", total - have, " bytes missing)");
  array.values.resize(have);

  std::array<unsigned char, 4096> rest{};
  std::uint64_t trailing = 0;
  for (std::size_t got = in.read(rest.data(), rest.size()); got > 0;
       got = in.read(rest.data(), rest.size())) {
    trailing += got;
  }
  LATHE_CHECK(trailing == 0, in.name(), ": ", trailing, " bytes of trailing data after the ", total,
              " bytes the header (", kind.layout, " = ", join_dims(array.dims), ") promises");
  return array;
}

}  // namespace

Dataset read_idx_pair(const std::string& images_path, const std::string& labels_path) {
  const IdxArray images = read_idx(images_path, kImageFile);
  const IdxArray labels = read_idx(labels_path, kLabelFile);
  LATHE_CHECK(images.dims[0] == labels.dims[0], images_path, " holds ", images.dims[0],
              " images but ", labels_path, " holds ", labels.dims[0],
              " labels; the counts must match");

  const auto n = static_cast<std::int64_t>(images.dims[0]);
  const auto height = static_cast<std::int64_t>(images.dims[1]);
  const auto width = static_cast<std::int64_t>(images.dims[2]);
  Dataset dataset;
  dataset.source = images_path;
  dataset.labels_source = labels_path;
  dataset.images.resize({n, 1, height, width});
  // A table keeps the scaling exact (v / 255) without a division per pixel.
  std::array<float, 256> scaled{};
  for (std::size_t v = 0; v < scaled.size(); ++v) scaled[v] = static_cast<float>(v) / 255.0F;
  float* out = dataset.images.data();
  for (std::size_t i = 0; i < images.values.size(); ++i) out[i] = scaled[images.values[i]];

  dataset.labels.assign(labels.values.begin(), labels.values.end());
  dataset.classes = *std::max_element(dataset.labels.begin(), dataset.labels.end()) + 1;
  return dataset;
}

}  // namespace lathe::data

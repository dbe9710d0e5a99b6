// The walk of HDF5 object headers made before libhdf5 opens a file
// (framework/io/object_header_walk.h): sound files, written by Lathe and by h5py in both
// of its formats, are read as before; damage to what points at a sound structure (a
// continuation block, a group's heap and B-tree, a string's heap object) is refused with
// a message naming the file, the structure and its byte offset, before libhdf5 allocates
// or reads what the damaged field names.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "core/error.h"
#include "data/hdf5_dataset.h"
#include "data/data_test_files.h"
#include "io/checkpoint_test_support.h"
#include "io/hdf5_structure_check.h"
#include "io/object_header_bytes.h"
#include "support/temp_dir.h"

namespace lathe::io {
namespace {

using namespace test_support;  // NOLINT(google-build-using-namespace): the checkpoint helpers
using lathe::test_support::TempDir;

constexpr unsigned kContinuation = 0x10;
constexpr unsigned kSymbolTable = 0x11;
constexpr unsigned kAttribute = 0x0c;

std::string walk_error(const std::string& path) {
  try {
    require_walkable_hdf5_file(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string damaged(const std::string& path, const std::string& details) {
  return path + ": expected an HDF5 file whose objects can be read, found " + details + "; the file is damaged";
}

// A checkpoint Lathe wrote, with its text, a nested group (/weights/fc1) and, in its
// root's header, a continuation block (libhdf5 adds one when the attributes come last).
class WalkedCheckpoint : public testing::Test {
 protected:
  void SetUp() override { write_checkpoint(path_, small_checkpoint_with_text()); }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::size_t size() const { return file_bytes(path_).size(); }

 private:
  TempDir dir_;
  std::string path_ = dir_.file("model.h5");
};

TEST_F(WalkedCheckpoint, SoundCheckpointIsReadAsBefore) {
  ASSERT_NE(header_message(path(), "/", kContinuation).size, 0U) << "the walk would not meet a continuation";
  const Checkpoint read = read_checkpoint(path());
  EXPECT_EQ(read.model_spec_yaml, small_checkpoint_with_text().model_spec_yaml);
  ASSERT_EQ(read.tensors.size(), 1U);
  EXPECT_EQ(read.tensors[0].name, "fc1/weight");
  EXPECT_EQ(read.text_metadata.at("config"), "train:\n  epochs: 1\n");
}

TEST_F(WalkedCheckpoint, ContinuationBlockPastTheFileEndIsRefusedBeforeLibhdf5AllocatesIt) {
  const HeaderMessage continuation = header_message(path(), "/", kContinuation);
  const std::size_t file_size = size();
  overwrite_number(path(), continuation.data_at, file_size + 4096, 8);
  const std::uint64_t length = little_endian_at(file_bytes(path()), continuation.data_at + 8, 8);
  EXPECT_EQ(read_error(path()),
            damaged(path(), "a damaged object header (the header at byte " + std::to_string(continuation.header) +
                                " has a continuation message at byte " + std::to_string(continuation.data_at) +
                                " naming a block of " + std::to_string(length) + " bytes at byte " +
                                std::to_string(file_size + 4096) + ", past the file's end of " +
                                std::to_string(file_size) + " bytes, which libhdf5 would allocate)"));
}

TEST_F(WalkedCheckpoint, SuperblockWithABaseAddressOtherThanZeroIsRefused) {
  // libhdf5 would read every object elsewhere (found by fuzz_hdf5_data: base 65, then a
  // segmentation fault in H5F__accum_read under H5HL_protect).
  ASSERT_EQ(file_bytes(path())[8], 0) << "a version 0 superblock keeps its base address at byte 24";
  overwrite_number(path(), 24, 65, 8);
  EXPECT_EQ(read_error(path()),
            damaged(path(), "a damaged superblock (the superblock at byte 0 declares a base address of 65 "
                            "at byte 24, where a file that starts with its superblock has 0)"));
}

TEST_F(WalkedCheckpoint, TruncatedFileIsReportedAsTruncatedNotAsDamaged) {
  // Cut inside the root's continuation block: the walk leaves the file to libhdf5, which
  // compares the superblock's end-of-file address with the file's size first.
  const HeaderMessage continuation = header_message(path(), "/", kContinuation);
  const std::uint64_t block = little_endian_at(file_bytes(path()), continuation.data_at, 8);
  write_bytes(path(), file_bytes(path()).substr(0, block + 8));
  expect_mentions(read_error(path()), {path(), "found one HDF5 cannot open, likely truncated", "truncated file"});
}

TEST_F(WalkedCheckpoint, ContinuationLengthOfFourGibibytesIsRefused) {
  const HeaderMessage continuation = header_message(path(), "/", kContinuation);
  overwrite_number(path(), continuation.data_at + 8, std::uint64_t{1} << 32, 8);
  expect_mentions(read_error(path()), {path(), "naming a block of 4294967296 bytes", "past the file's end"});
}

TEST_F(WalkedCheckpoint, ContinuationMessageTooSmallForItsFieldsIsRefused) {
  // libhdf5 decodes the 16 bytes of fields whatever the message's size says.
  const HeaderMessage continuation = header_message(path(), "/", kContinuation);
  overwrite_number(path(), continuation.type_at + 2, 0, 2);
  EXPECT_EQ(read_error(path()),
            damaged(path(), "a damaged object header (the header at byte " + std::to_string(continuation.header) +
                                " has a message of type 16 at byte " + std::to_string(continuation.data_at) +
                                " declaring 0 bytes, fewer than its 16 bytes of fields)"));
}

TEST_F(WalkedCheckpoint, MessageRunningPastItsChunkIsRefused) {
  const HeaderMessage symbol_table = header_message(path(), "/weights", kSymbolTable);
  overwrite_number(path(), symbol_table.type_at + 2, 0xfff0, 2);
  expect_mentions(read_error(path()), {path(), "the header at byte " + std::to_string(symbol_table.header),
                                       "has a message of type 17 and 65520 bytes at byte " +
                                           std::to_string(symbol_table.type_at),
                                       "running past its chunk's end"});
}

TEST_F(WalkedCheckpoint, AttributeWhoseValuesRunPastItsMessageIsRefused) {
  // A dataspace part declared longer than it is moves the values past the message, from
  // where libhdf5 would copy them (found by fuzz_checkpoint: ASan, a heap-buffer-overflow).
  const HeaderMessage attribute = header_message(path(), "/training", kAttribute);
  overwrite_number(path(), attribute.data_at + 6, 127, 2);
  expect_mentions(read_error(path()), {path(), "the header at byte " + std::to_string(attribute.header),
                                       "has a message of type 12 at byte " + std::to_string(attribute.data_at),
                                       "declaring " + std::to_string(attribute.size) + " bytes, fewer than its"});
}

TEST_F(WalkedCheckpoint, NestedGroupNamingALocalHeapWhereNoneIsIsRefused) {
  // The root's members are walked too: /weights, and in it /weights/fc1.
  const HeaderMessage symbol_table = header_message(path(), "/weights/fc1", kSymbolTable);
  overwrite_number(path(), symbol_table.data_at + 8, 0, 8);
  EXPECT_EQ(read_error(path()),
            damaged(path(), "a damaged group (the object header at byte " + std::to_string(symbol_table.header) +
                                " has a symbol-table message at byte " + std::to_string(symbol_table.data_at) +
                                " naming a local heap at byte 0, where no local heap is)"));
}

TEST_F(WalkedCheckpoint, GroupNamingABtreeWhereNoneIsIsRefused) {
  const HeaderMessage symbol_table = header_message(path(), "/", kSymbolTable);
  const std::uint64_t heap = little_endian_at(file_bytes(path()), symbol_table.data_at + 8, 8);
  overwrite_number(path(), symbol_table.data_at, heap, 8);
  EXPECT_EQ(read_error(path()),
            damaged(path(), "a damaged group (the object header at byte " + std::to_string(symbol_table.header) +
                                " has a symbol-table message at byte " + std::to_string(symbol_table.data_at) +
                                " naming a B-tree at byte " + std::to_string(heap) +
                                ", where no group B-tree node is)"));
}

TEST_F(WalkedCheckpoint, StringLengthDisagreeingWithItsHeapObjectIsRefused) {
  const std::string spec = small_checkpoint_with_text().model_spec_yaml;
  const std::size_t value = variable_length_value_naming(file_bytes(path()), spec);
  ASSERT_NE(value, 0U);
  overwrite_number(path(), value, spec.size() - 8, 4);
  expect_mentions(read_error(path()),
                  {path(), "found a damaged variable-length value", "at byte " + std::to_string(value),
                   "stores a length of " + std::to_string(spec.size() - 8) + " bytes",
                   "holds " + std::to_string(spec.size()) + " bytes"});
}

TEST_F(WalkedCheckpoint, StringNamingTheHeapFreeSpaceIsRefused) {
  const std::string spec = small_checkpoint_with_text().model_spec_yaml;
  const std::size_t value = variable_length_value_naming(file_bytes(path()), spec);
  ASSERT_NE(value, 0U);
  overwrite_number(path(), value + 12, 0, 4);
  expect_mentions(read_error(path()), {path(), "names object 0", "which holds no such object (0 is its free space)"});
}

TEST(ObjectHeaderWalk, DataSetFileIsReadAsBefore) {
  const TempDir dir;
  const std::string path = dir.file("data.h5");
  data::test_files::write_hdf5_set(path, 2, 3, {0, 1, 2});
  const data::Dataset read = data::read_hdf5_dataset(path);
  EXPECT_EQ(read.labels.size(), 3U);
}

// Both of h5py's formats: "earliest" (symbol-table groups, version 1 object headers) and
// "latest" (a version 3 superblock, "OHDR" headers, groups as link messages), with groups
// in groups, a group of 300 members (a B-tree of two levels), a header long enough for a
// continuation block, variable-length values in every layout the walk reads, every
// datatype class, creation order tracked, soft and external links.
constexpr const char* kH5pyWriter = R"(import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w', libver=sys.argv[2]) as f:
    for i in range(40):
        f.attrs['note%02d' % i] = 'attribute text %d' % i
    f.attrs['texts'] = np.array(['one', '', 'three'], dtype=h5py.string_dtype())
    deep = f.create_group('a/b/c/d')
    deep['scalar_text'] = 'deep text'
    deep['texts'] = np.array(['x', '', 'a longer text'], dtype=h5py.string_dtype())
    deep.create_dataset('chunked', data=np.array(['c%d' % i for i in range(50)], dtype=h5py.string_dtype()),
                        chunks=(10,))
    deep.create_dataset('sequences', (2,), dtype=h5py.vlen_dtype(np.int32))[:] = [np.arange(3), np.arange(5)]
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    text_type = h5py.h5t.py_create(h5py.string_dtype(), logical=True)
    compact = h5py.Dataset(h5py.h5d.create(deep.id, b'compact_text', text_type, h5py.h5s.create_simple((2,)),
                                           dcpl=dcpl))
    compact[:] = ['compact text', 'nested compact text']
    # Every datatype class whose encoding the walk measures, as data sets and attributes.
    kinds = f.create_group('kinds')
    record = np.dtype([('a', '<i4'), ('b', '<f8'), ('text', h5py.string_dtype()), ('pair', '<i2', (2,))])
    kinds['compound'] = np.array([(1, 2.5, 'one', (1, 2)), (3, 4.5, '', (3, 4))], dtype=record)
    colour = h5py.enum_dtype({'RED': 0, 'GREEN': 1, 'A_LONGER_NAME': 2}, basetype='i1')
    kinds.create_dataset('enum', data=np.array([0, 2], dtype='i1'), dtype=colour)
    kinds.attrs.create('enum', 1, dtype=colour)
    kinds.attrs['array'] = np.zeros((2, 3), dtype='<f4')
    kinds.attrs.create('array_type', np.zeros(2, dtype=np.dtype(('<f4', (2, 3)))))
    kinds['opaque'] = np.void(b'seven b')
    kinds['flags'] = np.array([True, False])
    kinds['half'] = np.arange(3, dtype='<f2')
    kinds['complex'] = np.array([1 + 2j])
    kinds.attrs['fixed'] = np.bytes_('fixed')
    kinds.attrs['numbers'] = np.arange(4, dtype='>i8')
    # Creation order tracked (2 more bytes per message header in "OHDR"), soft and external links.
    ordered = f.create_group('ordered', track_order=True)
    for i in range(5):
        ordered.attrs['text%d' % i] = 'ordered text %d' % i
        ordered['member%d' % i] = np.arange(i + 1)
    ordered['soft'] = h5py.SoftLink('/a/b')
    ordered['external'] = h5py.ExternalLink('elsewhere.h5', '/x')
    many = f.create_group('many')
    for i in range(300):
        many['member%03d' % i] = np.arange(i % 7)
)";

// The files kH5pyWriter writes; the tests are skipped where h5py is missing.
class H5pyFile : public testing::Test {
 protected:
  void SetUp() override {
    const std::string unavailable = why_h5py_is_unavailable();
    if (!unavailable.empty()) GTEST_SKIP() << unavailable;
    write_bytes(dir_.file("write.py"), kH5pyWriter);
  }
  // The path of a file just written in `format`.
  std::string written(const std::string& format) {
    const std::string path = dir_.file(format + ".h5");
    run_python(dir_.file("write.py"), {path, format});
    return path;
  }

 private:
  TempDir dir_;
};

TEST_F(H5pyFile, BothFormatsAreAccepted) {
  for (const std::string format : {"earliest", "latest"}) {
    EXPECT_EQ(walk_error(written(format)), "(no error)") << format;
  }
}

TEST_F(H5pyFile, WalkReachesValuesNestedInBothFormats) {
  // Damage a compact data set four groups down: only a walk through every group meets it.
  for (const std::string format : {"earliest", "latest"}) {
    const std::string path = written(format);
    const std::size_t value = variable_length_value_naming(file_bytes(path), "nested compact text");
    ASSERT_NE(value, 0U) << format;
    overwrite_number(path, value, 1000, 4);
    expect_mentions(walk_error(path), {path, "at byte " + std::to_string(value), "stores a length of 1000 bytes",
                                       "holds 19 bytes"});
  }
}

}  // namespace
}  // namespace lathe::io

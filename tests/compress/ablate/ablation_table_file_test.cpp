#include "compress/ablate/ablation_table_file.h"

#include <gtest/gtest.h>
#include <hdf5.h>

#include "ablation_test_models.h"
#include "io/hdf5_damage.h"
#include "support/temp_dir.h"

namespace lathe::compress::ablate {
namespace {

AblationTable sample_table() {
  AblationTable table;
  table.score_kind = ScoreKind::kl;
  table.reference_loss = 0.4375;
  table.entries = {{"conv1[2]", GroupKind::filters, "conv1", 2, Removal::zeroed, 0.4380, 0.0005},
                   {"stem+a_conv[0]", GroupKind::filters, "stem+a_conv", 0, Removal::zeroed, 0.5, 0.0625},
                   {"conv1[0]", GroupKind::filters, "conv1", 0, Removal::zeroed, 1.25, 0.8125}};
  return table;
}

void expect_same(const AblationTable& a, const AblationTable& b) {
  EXPECT_EQ(a.score_kind, b.score_kind);
  EXPECT_EQ(a.reference_loss, b.reference_loss);
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    const AblationEntry& x = a.entries[i];
    const AblationEntry& y = b.entries[i];
    EXPECT_EQ(x.group, y.group);
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.layer, y.layer);
    EXPECT_EQ(x.index, y.index);
    EXPECT_EQ(x.removal, y.removal);
    EXPECT_EQ(x.test_loss, y.test_loss);
    EXPECT_EQ(x.score, y.score);
  }
}

// Opens a written table for editing with the HDF5 API, as a damaged file would look.
class WrittenTable {
 public:
  explicit WrittenTable(const std::string& path) : file_(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT)) {}
  WrittenTable(const WrittenTable&) = delete;
  WrittenTable& operator=(const WrittenTable&) = delete;
  ~WrittenTable() { H5Fclose(file_); }
  void remove(const char* name) const { H5Ldelete(file_, name, H5P_DEFAULT); }
  void replace_with_doubles(const char* name, std::vector<double> values) const {
    remove(name);
    const hsize_t dims[1] = {values.size()};
    const hid_t space = H5Screate_simple(1, dims, nullptr);
    const hid_t data_set = H5Dcreate2(file_, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(data_set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Dclose(data_set);
    H5Sclose(space);
  }
  // A column of `count` variable-length strings declared and never written.
  void replace_with_unwritten_texts(const char* name, hsize_t count) const {
    remove(name);
    const hsize_t dims[1] = {count};
    const hid_t space = H5Screate_simple(1, dims, nullptr);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    const hid_t data_set = H5Dcreate2(file_, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(data_set);
    H5Tclose(type);
    H5Sclose(space);
  }

 private:
  hid_t file_;
};

TEST(AblationTableFile, RoundTripsEveryColumn) {
  const test_support::TempDir dir;
  const std::string path = dir.file("table.h5");
  write_ablation_table(path, sample_table());
  expect_same(read_ablation_table(path), sample_table());
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"table.h5"});  // no temporary file left
}

TEST(AblationTableFile, MissingDataSetNamesTheFileAndDataSet) {
  const test_support::TempDir dir;
  const std::string path = dir.file("table.h5");
  write_ablation_table(path, sample_table());
  WrittenTable(path).remove("test_loss");
  EXPECT_EQ(test::error_of([&] { (void)read_ablation_table(path); }),
            path + ": /test_loss: expected a data set of floating-point numbers, found nothing");
}

TEST(AblationTableFile, ShortColumnNamesTheFileAndDataSet) {
  const test_support::TempDir dir;
  const std::string path = dir.file("table.h5");
  write_ablation_table(path, sample_table());
  WrittenTable(path).replace_with_doubles("score", {0.1, 0.2});
  EXPECT_EQ(test::error_of([&] { (void)read_ablation_table(path); }),
            path + ": /score: expected 3 values (one per group, as in /group), found 2");
}

TEST(AblationTableFile, ColumnLongerThanItsStoredBytesIsRefusedBeforeAllocating) {
  // 100 million names declared in a file of a few KB: the reader would allocate 800 MB
  // of pointers for them before reading.
  const test_support::TempDir dir;
  const std::string path = dir.file("table.h5");
  write_ablation_table(path, sample_table());
  WrittenTable(path).replace_with_unwritten_texts("group", 100'000'000);
  const std::string message = test::error_of([&] { (void)read_ablation_table(path); });
  EXPECT_NE(message.find(path + ": /group: declares shape [100000000]"), std::string::npos) << message;
  EXPECT_NE(message.find("but the file stores 0 bytes for it"), std::string::npos) << message;
}

TEST(AblationTableFile, UnsortedScoresAreRejected) {
  const test_support::TempDir dir;
  const std::string path = dir.file("table.h5");
  write_ablation_table(path, sample_table());
  WrittenTable(path).replace_with_doubles("score", {0.5, 0.25, 1.0});
  EXPECT_EQ(test::error_of([&] { (void)read_ablation_table(path); }),
            path + ": /score[1]: expected scores in ascending order, found 0.25 after 0.5");
}

TEST(AblationTableFile, FilesThatAreNotTablesAreClearErrors) {
  const test_support::TempDir dir;
  dir.write("notes.h5", "not hdf5 at all");
  EXPECT_EQ(test::error_of([&] { (void)read_ablation_table(dir.file("notes.h5")); }),
            dir.file("notes.h5") + ": expected an HDF5 file (an ablation table), found a file without the HDF5 signature");
  EXPECT_EQ(test::error_of([&] { (void)read_ablation_table(dir.file("missing.h5")); }),
            dir.file("missing.h5") + ": no such file (expected an ablation table file (.h5))");
  const hid_t other = H5Fcreate(dir.file("other.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(other);
  EXPECT_EQ(test::error_of([&] { (void)read_ablation_table(dir.file("other.h5")); }),
            dir.file("other.h5") + ": root attribute 'format': expected a string, found none");
}

// The damage the checkpoint reader refuses (tests/io/global_heap_check_test.cpp,
// group_btree_check_test.cpp) is refused here too: without the check, libhdf5 1.10 hangs
// on the first and crashes on the second.
TEST(AblationTableFile, DamagedGlobalHeapIsRefusedBeforeLibhdf5LoopsOnIt) {
  const test_support::TempDir dir;
  const std::string path = dir.file("table.h5");
  write_ablation_table(path, sample_table());
  const std::size_t size_field = io::test_support::zero_global_heap_free_space(path);
  ASSERT_GT(size_field, 0U);
  const std::string message = test::error_of([&] { (void)read_ablation_table(path); });
  io::test_support::expect_mentions(message, {path + ": ", "damaged global heap", "free-space object of size 0",
                                              "at byte " + std::to_string(size_field - 8)});
}

TEST(AblationTableFile, UndefinedGroupBtreeChildIsRefusedBeforeLibhdf5ReadsThroughIt) {
  const test_support::TempDir dir;
  const std::string path = dir.file("table.h5");
  write_ablation_table(path, sample_table());
  const std::size_t child_field =
      io::test_support::point_group_btree_child_at(path, io::test_support::kUndefinedAddress);
  ASSERT_GT(child_field, 0U);
  const std::string message = test::error_of([&] { (void)read_ablation_table(path); });
  io::test_support::expect_mentions(message, {path + ": ", "damaged group B-tree",
                                              "child 0 at byte " + std::to_string(child_field)});
}

TEST(AblationTableText, ListsEveryGroupInRankOrder) {
  const std::string text = format_ablation_table(sample_table());
  EXPECT_NE(text.find("3 groups, score kl, reference loss 0.437500"), std::string::npos) << text;
  const std::size_t first = text.find("conv1[2]");
  const std::size_t second = text.find("stem+a_conv[0]");
  const std::size_t third = text.find("conv1[0]");
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_NE(text.find("    1  conv1[2]        filters   zeroed"), std::string::npos) << text;
}

}  // namespace
}  // namespace lathe::compress::ablate

// Files named by a recipe are read once per process while they stay the same: a search
// worker's candidates share one teacher checkpoint, student spec and ablation table.
#include "io/file_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "io/checkpoint_file.h"
#include "recipe/evaluator.h"
#include "small_trained_base.h"
#include "support/temp_dir.h"

namespace lathe::recipe {
namespace {

using test_support::trained;

std::string text_of(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::shared_ptr<const std::string> cached_text(const std::string& path) {
  return io::cached_file<std::string>(path, text_of);
}

TEST(FileCache, ReadsAFileOnceWhileItStaysTheSame) {
  lathe::test_support::TempDir dir;
  dir.write("a.txt", "first");
  const std::int64_t before = io::file_cache_reads();
  const auto one = cached_text(dir.file("a.txt"));
  const auto two = cached_text(dir.file("a.txt"));
  // The same file by another spelling of its path is the same entry.
  const auto three = cached_text(dir.file("./a.txt"));
  EXPECT_EQ(io::file_cache_reads() - before, 1);
  EXPECT_EQ(*one, "first");
  EXPECT_EQ(one.get(), two.get());  // shared, not copied
  EXPECT_EQ(one.get(), three.get());
}

TEST(FileCache, ReadsAChangedFileAgain) {
  lathe::test_support::TempDir dir;
  const std::string path = dir.file("a.txt");
  dir.write("a.txt", "first");
  const std::int64_t before = io::file_cache_reads();
  EXPECT_EQ(*cached_text(path), "first");
  dir.write("a.txt", "second, longer");  // a new size
  EXPECT_EQ(*cached_text(path), "second, longer");
  EXPECT_EQ(io::file_cache_reads() - before, 2);
  // Same size, new modification time.
  dir.write("a.txt", "SECOND, LONGER");
  std::filesystem::last_write_time(path, std::filesystem::last_write_time(path) + std::chrono::seconds(5));
  EXPECT_EQ(*cached_text(path), "SECOND, LONGER");
  EXPECT_EQ(io::file_cache_reads() - before, 3);
  EXPECT_EQ(*cached_text(path), "SECOND, LONGER");
  EXPECT_EQ(io::file_cache_reads() - before, 3);
  // Forgotten (after the process wrote the file itself): read again.
  io::forget_cached_file(path);
  (void)cached_text(path);
  EXPECT_EQ(io::file_cache_reads() - before, 4);
}

TEST(FileCache, AFailedReadCachesNothingAndAMissingFileIsTheReadersToReport) {
  lathe::test_support::TempDir dir;
  dir.write("a.txt", "text");
  const auto failing = [](const std::string& path) -> std::string {
    throw std::runtime_error(path + ": unreadable");
  };
  EXPECT_THROW((void)io::cached_file<std::string>(dir.file("a.txt"), failing), std::runtime_error);
  EXPECT_EQ(*cached_text(dir.file("a.txt")), "text");  // not poisoned by the failure
  EXPECT_THROW((void)io::cached_file<std::string>(dir.file("missing.txt"), failing), std::runtime_error);
}

TEST(FileCache, TheSameFileReadAsAnotherTypeIsItsOwnEntry) {
  lathe::test_support::TempDir dir;
  dir.write("n.txt", "12");
  const std::int64_t before = io::file_cache_reads();
  EXPECT_EQ(*cached_text(dir.file("n.txt")), "12");
  EXPECT_EQ(*io::cached_file<int>(dir.file("n.txt"),
                                  [](const std::string& path) { return std::stoi(text_of(path)); }),
            12);
  EXPECT_EQ(io::file_cache_reads() - before, 2);
}

CompressionOutcome evaluate(const std::string& recipe_yaml) {
  const auto backend = make_cpu_backend(1);
  EvaluatorOptions options;
  options.batch_size = 16;
  options.measure_latency = false;
  return compress_and_measure(trained().base, "base.h5", parse_recipe(recipe_yaml, "r.yaml"),
                              trained().data, *backend, options);
}

TEST(FileCache, CandidatesNamingTheSameTeacherAndStudentReadThemOnce) {
  lathe::test_support::TempDir dir;
  io::write_checkpoint(dir.file("teacher.h5"), trained().base);
  std::filesystem::copy_file(LATHE_SOURCE_DIR "/configs/tests/tiny_cnn.yaml", dir.file("student.yaml"));
  const std::string recipe = "- distill: {kind: logits, teacher: " + dir.file("teacher.h5") +
                             ", student: " + dir.file("student.yaml") + "}\n- finetune: {epochs: 1}\n";
  const std::int64_t before = io::file_cache_reads();
  const CompressionOutcome first = evaluate(recipe);
  ASSERT_EQ(first.metrics.status, CandidateStatus::ok) << first.metrics.message;
  EXPECT_EQ(io::file_cache_reads() - before, 2);  // checked, then applied: one read each
  const CompressionOutcome second = evaluate(recipe);
  ASSERT_EQ(second.metrics.status, CandidateStatus::ok) << second.metrics.message;
  EXPECT_EQ(io::file_cache_reads() - before, 2);
  // Shared objects, private models: both candidates trained the same from the same files.
  EXPECT_EQ(first.metrics.validation_loss, second.metrics.validation_loss);
  // A rewritten teacher (an atomic rename: a new file) is read again.
  io::write_checkpoint(dir.file("teacher.h5"), trained().base);
  ASSERT_EQ(evaluate(recipe).metrics.status, CandidateStatus::ok);
  EXPECT_EQ(io::file_cache_reads() - before, 3);
}

TEST(FileCache, CandidatesNamingTheSameAblationTableReadItOnce) {
  lathe::test_support::TempDir dir;
  const std::string table = dir.file("table.h5");
  const std::int64_t before = io::file_cache_reads();
  ASSERT_EQ(evaluate("- prune: {method: ablation, groups: filters, remove: 2, batches: 2, write_table: " +
                     table + "}\n")
                .metrics.status,
            CandidateStatus::ok);
  EXPECT_EQ(io::file_cache_reads() - before, 0);  // computed, not read
  const std::string from_table = "- prune: {method: ablation, groups: filters, remove: 2, table: " + table + "}\n";
  const CompressionOutcome first = evaluate(from_table);
  ASSERT_EQ(first.metrics.status, CandidateStatus::ok) << first.metrics.message;
  const CompressionOutcome second = evaluate(from_table);
  ASSERT_EQ(second.metrics.status, CandidateStatus::ok) << second.metrics.message;
  EXPECT_EQ(io::file_cache_reads() - before, 1);
  EXPECT_EQ(first.metrics.parameter_count, second.metrics.parameter_count);
}

}  // namespace
}  // namespace lathe::recipe

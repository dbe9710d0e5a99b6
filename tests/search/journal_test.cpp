#include "search/journal.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/error.h"
#include "support/temp_dir.h"

namespace lathe::search {
namespace {

namespace fs = std::filesystem;
using test_support::TempDir;

const std::vector<std::string> kPayloads = {
    "{\"id\": 0, \"status\": \"ok\"}",
    "{\"id\": 1, \"message\": \"commas, \\\"quotes\\\" and caf\xc3\xa9\"}",
    "{\"id\": 2, \"status\": \"failed\"}",
};

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string journal_with(const TempDir& dir, const std::vector<std::string>& payloads) {
  const std::string path = dir.file("journal.lathe");
  JournalWriter writer(path);
  for (const std::string& payload : payloads) writer.append(payload);
  return path;
}

std::string read_error(const std::string& path) {
  try {
    read_journal(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Journal, WritesOneLinePerRecordWithLengthAndChecksum) {
  TempDir dir;
  const std::string path = journal_with(dir, {kPayloads[0]});
  // 6ced685d is zlib.crc32(b'{"id": 0, "status": "ok"}').
  EXPECT_EQ(bytes_of(path), "25 6ced685d {\"id\": 0, \"status\": \"ok\"}\n");
  EXPECT_EQ(crc32_of("123456789"), 0xCBF43926U);  // the CRC-32 check value
}

TEST(Journal, ReadsBackWhatWasAppendedInOrder) {
  TempDir dir;
  const std::string path = journal_with(dir, kPayloads);
  const JournalContents contents = read_journal(path);
  EXPECT_EQ(contents.payloads, kPayloads);
  EXPECT_FALSE(contents.torn_tail_dropped);
  EXPECT_EQ(contents.torn_tail_bytes, 0);
  EXPECT_EQ(contents.valid_bytes, static_cast<std::int64_t>(fs::file_size(path)));
}

TEST(Journal, AnEmptyPayloadIsARecordToo) {
  TempDir dir;
  const std::string path = journal_with(dir, {"", "x"});
  EXPECT_EQ(read_journal(path).payloads, (std::vector<std::string>{"", "x"}));
}

TEST(Journal, ReopeningAppendsAfterTheExistingRecords) {
  TempDir dir;
  const std::string path = journal_with(dir, {kPayloads[0], kPayloads[1]});
  JournalWriter writer(path);
  EXPECT_EQ(writer.recovered().payloads.size(), 2U);
  EXPECT_EQ(writer.record_count(), 2);
  writer.append(kPayloads[2]);
  EXPECT_EQ(writer.record_count(), 3);
  EXPECT_EQ(read_journal(path).payloads, kPayloads);
}

TEST(Journal, DropsATornLastRecordCutAtEveryByte) {
  TempDir dir;
  const std::string path = journal_with(dir, kPayloads);
  const std::string whole = bytes_of(path);
  const std::size_t last_start = whole.rfind('\n', whole.size() - 2) + 1;
  for (std::size_t length = last_start + 1; length < whole.size(); ++length) {
    write_bytes(path, whole.substr(0, length));
    const JournalContents contents = read_journal(path);
    EXPECT_EQ(contents.payloads, (std::vector<std::string>{kPayloads[0], kPayloads[1]})) << "cut at " << length;
    EXPECT_TRUE(contents.torn_tail_dropped) << "cut at " << length;
    EXPECT_EQ(contents.torn_tail_bytes, static_cast<std::int64_t>(length - last_start)) << "cut at " << length;
    EXPECT_EQ(bytes_of(path), whole.substr(0, length)) << "reading modified the file";
  }
  write_bytes(path, whole.substr(0, last_start));
  EXPECT_FALSE(read_journal(path).torn_tail_dropped);
}

TEST(Journal, DropsALastRecordWhoseChecksumOrLengthIsWrong) {
  TempDir dir;
  const std::string path = journal_with(dir, kPayloads);
  const std::string whole = bytes_of(path);
  std::string flipped = whole;
  flipped[whole.size() - 3] ^= 0x01;  // inside the last payload, its newline kept
  write_bytes(path, flipped);
  JournalContents contents = read_journal(path);
  EXPECT_EQ(contents.payloads.size(), 2U);
  EXPECT_TRUE(contents.torn_tail_dropped);

  write_bytes(path, whole + "\n");  // an empty last line: a bad header
  contents = read_journal(path);
  EXPECT_EQ(contents.payloads, kPayloads);
  EXPECT_EQ(contents.torn_tail_bytes, 1);

  write_bytes(path, whole + std::string(40, '\0'));  // a crash left zeros after the end
  contents = read_journal(path);
  EXPECT_EQ(contents.payloads, kPayloads);
  EXPECT_EQ(contents.torn_tail_bytes, 40);
}

TEST(Journal, AppendingAfterATornTailCutsItOffFirst) {
  TempDir dir;
  const std::string path = journal_with(dir, kPayloads);
  const std::string whole = bytes_of(path);
  const std::size_t last_start = whole.rfind('\n', whole.size() - 2) + 1;
  write_bytes(path, whole.substr(0, whole.size() - 7));
  {
    JournalWriter writer(path);
    EXPECT_TRUE(writer.recovered().torn_tail_dropped);
    EXPECT_EQ(writer.recovered().torn_tail_bytes, static_cast<std::int64_t>(whole.size() - 7 - last_start));
    EXPECT_EQ(writer.record_count(), 2);
    EXPECT_EQ(fs::file_size(path), last_start) << "the torn tail is cut off on opening";
    writer.append(kPayloads[2]);
    writer.append("{\"id\": 3}");
  }
  // Record 3 written again lands where the torn copy started: the first bytes are as before.
  EXPECT_EQ(bytes_of(path).substr(0, whole.size()), whole);
  const JournalContents contents = read_journal(path);
  EXPECT_EQ(contents.payloads, (std::vector<std::string>{kPayloads[0], kPayloads[1], kPayloads[2], "{\"id\": 3}"}));
  EXPECT_FALSE(contents.torn_tail_dropped);
}

TEST(Journal, AFlippedByteInTheMiddleIsCorruptionNamingTheRecord) {
  TempDir dir;
  const std::string path = journal_with(dir, kPayloads);
  std::string bytes = bytes_of(path);
  const std::size_t second = bytes.find('\n') + 1;
  bytes[second + 20] ^= 0x20;
  write_bytes(path, bytes);
  const std::string error = read_error(path);
  const std::string where = path + ": record 2 (byte " + std::to_string(second) + "): ";
  EXPECT_EQ(error.rfind(where + "checksum mismatch: expected crc32 ", 0), 0U) << error;
  EXPECT_NE(error.find("1 more line(s) follow it"), std::string::npos) << error;
  EXPECT_NE(error.find("the journal was left untouched"), std::string::npos) << error;
  EXPECT_EQ(bytes_of(path), bytes);
  // The writer refuses it too, rather than appending to a journal it cannot trust.
  EXPECT_THROW(JournalWriter{path}, Error);
  EXPECT_EQ(bytes_of(path), bytes);
}

TEST(Journal, AShortPayloadInTheMiddleIsCorruption) {
  TempDir dir;
  const std::string path = journal_with(dir, kPayloads);
  std::string bytes = bytes_of(path);
  bytes.erase(bytes.find('\n') - 1, 1);  // the first record loses its last payload byte
  write_bytes(path, bytes);
  const std::string error = read_error(path);
  EXPECT_NE(error.find("record 1 (byte 0): expected a 25-byte payload (from its header), found 24 bytes"),
            std::string::npos)
      << error;
}

TEST(Journal, NulBytesInTheMiddleAreCorruption) {
  TempDir dir;
  const std::string path = journal_with(dir, kPayloads);
  const std::string whole = bytes_of(path);
  const std::size_t second = whole.find('\n') + 1;
  const std::size_t third = whole.find('\n', second) + 1;
  // NFS after a client crash: a record's payload reads back as zeros.
  const std::size_t payload = whole.find(' ', whole.find(' ', second) + 1) + 1;
  std::string bytes = whole;
  bytes.replace(payload, third - 1 - payload, std::string(third - 1 - payload, '\0'));
  write_bytes(path, bytes);
  std::string error = read_error(path);
  EXPECT_NE(error.find(": record 2 (byte " + std::to_string(second) + "): checksum mismatch"), std::string::npos)
      << error;
  EXPECT_NE(error.find("1 more line(s) follow it"), std::string::npos) << error;

  // Its newline zeroed too, so that it runs into the last record's line: still no torn tail.
  bytes = whole;
  bytes.replace(second, third - second, std::string(third - second, '\0'));
  write_bytes(path, bytes);
  error = read_error(path);
  EXPECT_NE(error.find(": record 2 (byte " + std::to_string(second) + "): bad header: expected '<payload bytes> "
                       "<crc32, 8 hex digits> ', found \"\\u0000\\u0000"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("a complete record ends it (from byte " + std::to_string(third) + ")"), std::string::npos)
      << error;
  EXPECT_EQ(bytes_of(path), bytes);
}

TEST(Journal, AMissingFileReadsAsAnEmptyJournal) {
  TempDir dir;
  const JournalContents contents = read_journal(dir.file("never-written.lathe"));
  EXPECT_TRUE(contents.payloads.empty());
  EXPECT_FALSE(contents.torn_tail_dropped);
  EXPECT_FALSE(fs::exists(dir.file("never-written.lathe")));
}

TEST(Journal, AnEmptyFileReadsAsAnEmptyJournal) {
  TempDir dir;
  write_bytes(dir.file("j.lathe"), "");
  const JournalContents contents = read_journal(dir.file("j.lathe"));
  EXPECT_TRUE(contents.payloads.empty());
  EXPECT_FALSE(contents.torn_tail_dropped);
  JournalWriter writer(dir.file("j.lathe"));
  writer.append("x");
  EXPECT_EQ(read_journal(dir.file("j.lathe")).payloads, std::vector<std::string>{"x"});
}

TEST(Journal, CreatingMakesTheFileBeforeTheFirstAppend) {
  TempDir dir;
  const JournalWriter writer(dir.file("new.lathe"));
  EXPECT_TRUE(fs::exists(dir.file("new.lathe")));
  EXPECT_EQ(fs::file_size(dir.file("new.lathe")), 0U);
  EXPECT_TRUE(writer.recovered().payloads.empty());
}

TEST(Journal, RejectsAPayloadHoldingANewline) {
  TempDir dir;
  JournalWriter writer(dir.file("j.lathe"));
  try {
    writer.append("{\"a\": 1}\n{\"b\": 2}");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              dir.file("j.lathe") + ": record 1: expected a payload of one line, found a newline at byte 8 of 17");
  }
  EXPECT_EQ(fs::file_size(dir.file("j.lathe")), 0U);
}

TEST(Journal, OpenErrorsNameThePathAndTheReason) {
  TempDir dir;
  try {
    JournalWriter writer(dir.file("no-such-dir/j.lathe"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              dir.file("no-such-dir/j.lathe") + ": cannot open the journal for appending: No such file or directory");
  }
  fs::create_directory(dir.file("a-directory"));
  EXPECT_NE(read_error(dir.file("a-directory")).find(": cannot read the journal: Is a directory"), std::string::npos)
      << read_error(dir.file("a-directory"));
}

}  // namespace
}  // namespace lathe::search

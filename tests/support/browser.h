// Runs Debian's chromium headless on a local page, for tests that check what a browser
// makes of the HTML Lathe writes (the DOM after parsing and scripts, a screenshot), and
// summarises a screenshot's pixels. Chromium is a test dependency (scripts/setup.sh
// installs it, CI has it): a test that needs it fails, with why_no_chromium()'s advice,
// where it is missing, rather than skipping.
#pragma once

#include <sys/wait.h>
#include <zlib.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unordered_set>
#include <vector>

namespace lathe::test_support {

inline const char* chromium_path() { return "/usr/bin/chromium"; }

// "" when chromium is there to run, else what is missing and how to install it.
inline std::string why_no_chromium() {
  std::error_code ignored;
  if (std::filesystem::exists(chromium_path(), ignored)) return "";
  return std::string(chromium_path()) +
         " is missing: run scripts/setup.sh (it installs chromium, which the report tests need)";
}

struct BrowserRun {
  int exit_code = -1;  // 124: chromium ran past the timeout
  std::string output;  // what chromium printed on stdout (the DOM for --dump-dom)
  std::string log;     // its stderr, for failure messages
};

// Runs `chromium --headless <arguments> file://<page>` with a fresh profile in
// `profile_dir` (created; each run needs its own), no network and no background
// services, as root (--no-sandbox), killed after `timeout_seconds`.
inline BrowserRun run_chromium(const std::string& page, const std::string& arguments,
                               const std::string& profile_dir, int timeout_seconds = 60) {
  std::filesystem::create_directories(profile_dir);
  const std::string log_path = profile_dir + "/chromium.log";
  const std::string command = "timeout " + std::to_string(timeout_seconds) + " " + chromium_path() +
                              " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                              " --disable-background-networking --disable-component-update --disable-sync"
                              " --user-data-dir='" +
                              profile_dir + "' " + arguments + " 'file://" +
                              std::filesystem::absolute(page).string() + "' 2>'" + log_path + "'";
  BrowserRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    run.log = "cannot start: " + command;
    return run;
  }
  std::array<char, 8192> buffer{};
  std::size_t count = 0;
  while ((count = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), count);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream log(log_path);
  run.log.assign(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>());
  if (run.log.size() > 4000) run.log = "..." + run.log.substr(run.log.size() - 4000);
  return run;
}

// The page's DOM as chromium serialises it once loaded (scripts run).
inline BrowserRun dump_dom(const std::string& page, const std::string& profile_dir) {
  return run_chromium(page, "--dump-dom", profile_dir);
}

inline BrowserRun screenshot(const std::string& page, const std::string& png_path, int width, int height,
                             const std::string& profile_dir) {
  return run_chromium(page,
                      "--screenshot='" + png_path + "' --window-size=" + std::to_string(width) + "," +
                          std::to_string(height) + " --hide-scrollbars",
                      profile_dir);
}

// What a screenshot shows, roughly: enough to tell a rendered page from a blank one.
struct PngSummary {
  std::string error;  // "" when the file decoded
  int width = 0;
  int height = 0;
  std::size_t distinct_colours = 0;
  double non_white_fraction = 0.0;
};

namespace detail {

inline std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3]));
}

inline int paeth(int left, int up, int up_left) {
  const int estimate = left + up - up_left;
  const int to_left = estimate > left ? estimate - left : left - estimate;
  const int to_up = estimate > up ? estimate - up : up - estimate;
  const int to_up_left = estimate > up_left ? estimate - up_left : up_left - estimate;
  if (to_left <= to_up && to_left <= to_up_left) return left;
  return to_up <= to_up_left ? up : up_left;
}

}  // namespace detail

// Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what chromium writes).
inline PngSummary summarize_png(const std::string& path) {
  PngSummary summary;
  std::ifstream file(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (bytes.size() < 33 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) {
    summary.error = path + ": not a PNG file (" + std::to_string(bytes.size()) + " bytes)";
    return summary;
  }
  std::string compressed;
  int bit_depth = 0;
  int colour_type = 0;
  int interlace = 0;
  for (std::size_t at = 8; at + 12 <= bytes.size();) {
    const std::uint32_t length = detail::big_endian(bytes, at);
    const std::string type = bytes.substr(at + 4, 4);
    if (at + 12 + length > bytes.size()) break;
    if (type == "IHDR") {
      summary.width = static_cast<int>(detail::big_endian(bytes, at + 8));
      summary.height = static_cast<int>(detail::big_endian(bytes, at + 12));
      bit_depth = static_cast<unsigned char>(bytes[at + 16]);
      colour_type = static_cast<unsigned char>(bytes[at + 17]);
      interlace = static_cast<unsigned char>(bytes[at + 20]);
    } else if (type == "IDAT") {
      compressed += bytes.substr(at + 8, length);
    }
    at += 12 + length;
  }
  const int channels = colour_type == 2 ? 3 : colour_type == 6 ? 4 : 0;
  if (bit_depth != 8 || channels == 0 || interlace != 0 || summary.width <= 0 || summary.height <= 0) {
    summary.error = path + ": unsupported PNG (bit depth " + std::to_string(bit_depth) + ", colour type " +
                    std::to_string(colour_type) + ", interlace " + std::to_string(interlace) + ")";
    return summary;
  }
  const std::size_t stride = static_cast<std::size_t>(summary.width) * channels;
  std::vector<unsigned char> raw((stride + 1) * static_cast<std::size_t>(summary.height));
  uLongf raw_size = raw.size();
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(compressed.data()),
                 compressed.size()) != Z_OK ||
      raw_size != raw.size()) {
    summary.error = path + ": its image data does not inflate to " + std::to_string(raw.size()) + " bytes";
    return summary;
  }
  std::vector<unsigned char> previous(stride, 0);
  std::vector<unsigned char> line(stride);
  std::unordered_set<std::uint32_t> colours;
  std::size_t non_white = 0;
  for (int y = 0; y < summary.height; ++y) {
    const unsigned char* row = raw.data() + static_cast<std::size_t>(y) * (stride + 1);
    const int filter = row[0];
    for (std::size_t i = 0; i < stride; ++i) {
      const int left = i >= static_cast<std::size_t>(channels) ? line[i - channels] : 0;
      const int up = previous[i];
      const int up_left = i >= static_cast<std::size_t>(channels) ? previous[i - channels] : 0;
      const int predictor = filter == 1   ? left
                            : filter == 2 ? up
                            : filter == 3 ? (left + up) / 2
                            : filter == 4 ? detail::paeth(left, up, up_left)
                                          : 0;
      line[i] = static_cast<unsigned char>((row[1 + i] + predictor) & 0xff);
    }
    for (int x = 0; x < summary.width; ++x) {
      const unsigned char* pixel = line.data() + static_cast<std::size_t>(x) * channels;
      colours.insert((static_cast<std::uint32_t>(pixel[0]) << 16) |
                     (static_cast<std::uint32_t>(pixel[1]) << 8) | pixel[2]);
      if (pixel[0] != 255 || pixel[1] != 255 || pixel[2] != 255) ++non_white;
    }
    previous.swap(line);
  }
  summary.distinct_colours = colours.size();
  summary.non_white_fraction =
      static_cast<double>(non_white) / (static_cast<double>(summary.width) * summary.height);
  return summary;
}

}  // namespace lathe::test_support

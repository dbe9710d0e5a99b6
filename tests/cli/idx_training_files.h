// Small real inputs for command-line tests that train: plain IDX files of 40 8 x 8
// images in 4 classes in a TempDir, a training config reading them, and a file reader to
// prove that inputs were left as they were.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "../data/data_test_files.h"
#include "support/temp_dir.h"

namespace lathe::test_support {

inline std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// images.idx and labels.idx in `dir`.
inline void write_idx(const TempDir& dir) {
  namespace files = lathe::data::test_files;
  files::Bytes labels;
  for (int i = 0; i < 40; ++i) labels.push_back(static_cast<unsigned char>(i % 4));
  files::Bytes pixels;
  for (int i = 0; i < 40 * 64; ++i) pixels.push_back(static_cast<unsigned char>((i * 37) % 256));
  files::write_plain(dir.file("images.idx"), files::idx_images(40, 8, 8, pixels));
  files::write_plain(dir.file("labels.idx"), files::idx_labels(labels));
}

inline std::string train_config(const TempDir& dir, const std::string& output) {
  return "model: " + dir.file("model.yaml") + "\noutput: " + output +
         "\ndata: {format: idx, train_images: " + dir.file("images.idx") + ", train_labels: " +
         dir.file("labels.idx") + ", test_images: " + dir.file("images.idx") + ", test_labels: " +
         dir.file("labels.idx") + "}\nepochs: 1\nbatch_size: 8\nthreads: 1\n";
}

}  // namespace lathe::test_support

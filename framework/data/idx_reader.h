// Reads IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic number (two
// zero bytes, a dtype code, the number of dimensions), one big-endian uint32 per
// dimension, then the values in row-major order. A file may be gzip-compressed or plain;
// zlib tells them apart by the gzip magic bytes, never by the file's name.
#pragma once

#include <string>

#include "data/dataset.h"

namespace lathe::data {

// Pairs an image file (uint8 N x H x W, magic 0x00000803) with a label file (uint8 N,
// magic 0x00000801). Images become N x 1 x H x W floats scaled to [0, 1]; classes is the
// largest label + 1. Anything malformed is a lathe::Error naming the file.
Dataset read_idx_pair(const std::string& images_path, const std::string& labels_path);

}  // namespace lathe::data

// Reads a labelled image set from one HDF5 file: data set `X` (N x C x H x W, or N x H x W
// for one channel) of uint8, scaled to [0, 1], or float32, taken as is; data set `y` (N
// integers of any width, read as int32); the class count from an integer attribute
// `classes` on `y` or on the file's root group, else the largest label + 1.
#pragma once

#include <string>

#include "data/dataset.h"

namespace lathe::data {

// Anything missing or malformed is a lathe::Error naming the file and the data set.
Dataset read_hdf5_dataset(const std::string& path);

}  // namespace lathe::data

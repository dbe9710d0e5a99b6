// The data a checkpoint belongs to: the data section it was trained with (stored in the
// checkpoint) or one given on the command line, split with the checkpoint's own seed
// (so its validation split is the one it was not trained on) and normalised with the
// checkpoint's stored statistics.
#pragma once

#include <optional>
#include <string>

#include "data/data_config.h"
#include "io/checkpoint.h"
#include "nn/model.h"

namespace lathe::launch {

// `data_path`: a data-section YAML file overriding the stored one, or nullopt.
data::DataSplits load_checkpoint_data(const io::Checkpoint& checkpoint,
                                      const std::string& checkpoint_path,
                                      const std::optional<std::string>& data_path);

// The stored or given data config, with the file (or checkpoint object) it came from.
data::DataConfig checkpoint_data_config(const io::Checkpoint& checkpoint,
                                        const std::string& checkpoint_path,
                                        const std::optional<std::string>& data_path,
                                        std::string& where);

// Refuses data the checkpoint's model cannot run on (nn/data_fit.h), in every split.
void check_model_fits_splits(const nn::Model& model, const data::DataSplits& splits);

// Applies the checkpoint's input normalisation (if it has one) to every split.
void normalize_like(const io::Checkpoint& checkpoint, data::DataSplits& splits);

}  // namespace lathe::launch

#include "nn/data_fit.h"

#include <algorithm>

#include "core/error.h"

namespace lathe::nn {

void check_model_fits_data(const Model& model, const data::Dataset& dataset, ClassFit fit) {
  const ModelSpec& spec = model.spec();
  const Shape expected = model.input_item_shape();
  const Shape& images = dataset.images.shape();
  const Shape item = images.rank() == 4 ? Shape({images[1], images[2], images[3]}) : images;
  LATHE_CHECK(item == expected, spec.source, ": input: the model takes images of C x H x W = ",
              expected.to_string(), ", but ", dataset.source, " holds images of ", item.to_string(),
              "; set input to the data's shape");

  const LayerSpec& last = spec.layers.back();
  const int outputs = model.classes();
  if (dataset.classes > outputs) {
    const std::int32_t largest = dataset.labels.empty() ? 0 : *std::max_element(dataset.labels.begin(), dataset.labels.end());
    const std::string& labels = dataset.labels_source.empty() ? dataset.source : dataset.labels_source;
    fail(labels, ": expected labels in [0, ", outputs, ") (the ", outputs, " outputs of layer '", last.name,
         "' at ", last.where, "), found ",
         largest >= outputs ? "label " + std::to_string(largest)
                            : "a declared class count of " + std::to_string(dataset.classes));
  }
  LATHE_CHECK(fit == ClassFit::at_most || dataset.classes == outputs, last.where, ": layers.", last.name,
              ": outputs ", outputs, " scores per image, but the data has ", dataset.classes,
              " classes (", dataset.labels_source.empty() ? dataset.source : dataset.labels_source,
              "); the last layer needs one output per class");
}

}  // namespace lathe::nn

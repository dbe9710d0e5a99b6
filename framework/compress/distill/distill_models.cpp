#include "compress/distill/distill_models.h"

#include <filesystem>
#include <vector>

#include "core/error.h"
#include "io/path_checks.h"
#include "io/checkpoint_file.h"
#include "io/file_cache.h"
#include "nn/layer_spec.h"
#include "nn/model_checkpoint.h"

namespace lathe::compress::distill {
namespace {

std::string layer_names(const nn::Model& model) {
  std::string names;
  for (const nn::LayerSpec& layer : model.spec().layers) {
    names += (names.empty() ? "" : ", ") + layer.name;
  }
  return names;
}

// "[4, 8, 8]": a layer's output per item, without the batch axis.
std::string item_shape(const Shape& with_batch) {
  return Shape(std::vector<std::int64_t>(with_batch.dims().begin() + 1, with_batch.dims().end()))
      .to_string();
}

std::size_t hint_layer(const nn::Model& model, const std::string& name, const char* role,
                       const StepSource& source) {
  const std::string key = std::string(role) + "_layer";
  LATHE_CHECK(!name.empty(), source.where, ": ", source.key(key), ": required for kind hint");
  const std::optional<std::size_t> index = model.find_layer(name);
  LATHE_CHECK(index.has_value(), source.where, ": ", source.key(key), ": no layer '", name,
              "' in the ", role, " model '", model.spec().name, "' (its layers: ",
              layer_names(model), ")");
  return *index;
}

}  // namespace

std::shared_ptr<const nn::ModelSpec> cached_model_spec(const std::string& path) {
  return io::cached_file<nn::ModelSpec>(
      path, [](const std::string& file) { return nn::load_model_spec(file); });
}

nn::Model load_student_model(const DistillParams& params, const StepSource& source,
                             const nn::Model& reference, std::uint64_t seed) {
  const std::string& path = params.student;
  io::require_input_file(path, "a model spec YAML file", source.where + ": " + source.key("student"));
  std::optional<nn::Model> student;
  try {
    student.emplace(*cached_model_spec(path), seed);
  } catch (const Error& e) {
    fail(source.where, ": ", source.key("student"), ": the student spec is not valid: ", e.what());
  }
  check_teacher_fits_student(reference, *student, source, "student");
  return std::move(*student);
}

nn::Model load_teacher_model(const DistillParams& params, const StepSource& source) {
  const std::string& path = params.teacher;
  io::require_input_file(path, "a checkpoint file (.h5)", source.where + ": " + source.key("teacher"));
  try {
    const auto checkpoint = io::cached_file<io::Checkpoint>(
        path, [](const std::string& file) { return io::read_checkpoint(file); });
    return nn::model_from_checkpoint(*checkpoint, path);
  } catch (const Error& e) {
    fail(source.where, ": ", source.key("teacher"), ": cannot load the teacher: ", e.what());
  }
}

void check_teacher_fits_student(const nn::Model& teacher, const nn::Model& student,
                                const StepSource& source, const std::string& key) {
  LATHE_CHECK(teacher.input_item_shape() == student.input_item_shape(), source.where, ": ",
              source.key(key), ": the student '", student.spec().name, "' takes input ",
              student.input_item_shape().to_string(), ", the teacher / base model '",
              teacher.spec().name, "' ", teacher.input_item_shape().to_string());
  LATHE_CHECK(teacher.classes() == student.classes(), source.where, ": ", source.key(key),
              ": the student '", student.spec().name, "' outputs ", student.classes(),
              " classes, the teacher / base model '", teacher.spec().name, "' ",
              teacher.classes());
}

void check_hint_layers(const DistillParams& params, const StepSource& source,
                       const nn::Model& student, const nn::Model& teacher) {
  const std::size_t student_index = hint_layer(student, params.student_layer, "student", source);
  const std::size_t teacher_index = hint_layer(teacher, params.teacher_layer, "teacher", source);
  const Shape student_shape = student.layer(student_index).output_shape(1);
  const Shape teacher_shape = teacher.layer(teacher_index).output_shape(1);
  bool fits = student_shape.rank() == teacher_shape.rank() &&
              (student_shape.rank() == 2 || student_shape.rank() == 4);
  for (std::size_t axis = 2; fits && axis < student_shape.rank(); ++axis) {
    fits = student_shape[axis] == teacher_shape[axis];
  }
  LATHE_CHECK(fits, source.where, ": ", source.key("student_layer"), ": the student's '",
              params.student_layer, "' outputs ", item_shape(student_shape),
              " per item and the teacher's '", params.teacher_layer, "' ",
              item_shape(teacher_shape),
              ": hint layers need the same spatial size (only the channel count may differ)");
}

}  // namespace lathe::compress::distill

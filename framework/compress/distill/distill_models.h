// The models a `distill` step works with, loaded and checked with messages that name
// the step and the key: the student built from its spec file (`student`), the teacher
// read from its checkpoint (`teacher`), and the hint layers in both.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "compress/compression_step.h"
#include "compress/distill/distill_params.h"
#include "io/checkpoint.h"
#include "nn/model.h"

namespace lathe::compress::distill {

// The model spec in `path`, read once per process while the file stays the same
// (io/file_cache.h): every candidate of a search names the same student.
std::shared_ptr<const nn::ModelSpec> cached_model_spec(const std::string& path);

// A fresh model from the `student` spec file, seeded with `seed`; its input shape and
// class count must match `reference` (the base model).
nn::Model load_student_model(const DistillParams& params, const StepSource& source,
                             const nn::Model& reference, std::uint64_t seed);

// The teacher from the `teacher` checkpoint file (read once per process, as above).
nn::Model load_teacher_model(const DistillParams& params, const StepSource& source);

// The teacher must take the student's input and score the same classes; `key` is the
// key blamed ("teacher" for a teacher file, "student" for a student spec).
void check_teacher_fits_student(const nn::Model& teacher, const nn::Model& student,
                                const StepSource& source, const std::string& key);

// Both hint layers exist, and their outputs agree in everything but the channel count.
void check_hint_layers(const DistillParams& params, const StepSource& source,
                       const nn::Model& student, const nn::Model& teacher);

}  // namespace lathe::compress::distill

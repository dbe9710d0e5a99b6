// Puts a model where a backend reads its operands for one run (a fine-tune, an
// evaluation, a latency probe) and brings it back afterwards, so host code between runs
// (checkpoints, compaction, snapping, packing) always sees host tensors. On the CPU
// backend both moves are no-ops.
#pragma once

#include <span>
#include <vector>

#include "backend/backend.h"
#include "nn/model.h"
#include "tensor/index_buffer.h"
#include "tensor/tensor.h"

namespace lathe::nn {

class ModelOnBackend {
 public:
  ModelOnBackend(Model& model, const Backend& backend)
      : model_(model), previous_(model.memory()) {
    model_.place(backend.memory());
  }
  ModelOnBackend(const ModelOnBackend&) = delete;
  ModelOnBackend& operator=(const ModelOnBackend&) = delete;
  // Brings the model back; an error while copying reaches the caller.
  void finish() {
    if (!finished_) model_.place(previous_);
    finished_ = true;
  }
  // On an exception's way out: best effort (a failed copy back leaves the model where it
  // is, and the exception already in flight is the one reported).
  ~ModelOnBackend() {
    try {
      finish();
    } catch (...) {
    }
  }

 private:
  Model& model_;
  DeviceMemory* previous_;
  bool finished_ = false;
};

// One batch where a backend reads it: the loader's host tensors and labels as they are
// for a host backend, else copies in the backend's memory (reused from batch to batch).
// What stage() was given must outlive the batch's use.
class StagedBatch {
 public:
  explicit StagedBatch(const Backend& backend) : memory_(backend.memory()), labels_(memory_) {
    images_.place(memory_);
  }
  void stage(const Tensor& images, std::span<const std::int32_t> labels) {
    if (memory_ == nullptr) {
      host_images_ = &images;
      host_labels_ = labels.data();
      return;
    }
    images_.resize(images.shape());
    images_.copy_from_host(images.values());
    labels_.assign(labels);
  }
  [[nodiscard]] const Tensor& images() const { return memory_ == nullptr ? *host_images_ : images_; }
  [[nodiscard]] const std::int32_t* labels() const {
    return memory_ == nullptr ? host_labels_ : labels_.data();
  }

 private:
  DeviceMemory* memory_;
  const Tensor* host_images_ = nullptr;
  const std::int32_t* host_labels_ = nullptr;
  Tensor images_;
  IndexBuffer labels_;
};

// Parameters edited by host code during a run (hooks that are not yet backend
// operations): on the host for the scope, back in the model's memory afterwards.
class ParametersOnHost {
 public:
  explicit ParametersOnHost(const std::vector<Parameter*>& parameters) {
    for (Parameter* p : parameters) {
      visits_.push_back({p, p->value.memory()});
      p->value.place(nullptr);
      p->grad.place(nullptr);
    }
  }
  ParametersOnHost(const ParametersOnHost&) = delete;
  ParametersOnHost& operator=(const ParametersOnHost&) = delete;
  // Sends each parameter back where it was; an error while copying reaches the caller.
  void finish() {
    for (; returned_ < visits_.size(); ++returned_) {
      const Visit& v = visits_[returned_];
      v.parameter->value.place(v.home);
      v.parameter->grad.place(v.home);
    }
  }
  ~ParametersOnHost() {
    try {
      finish();
    } catch (...) {
    }
  }

 private:
  struct Visit {
    Parameter* parameter;
    DeviceMemory* home;
  };
  std::vector<Visit> visits_;
  std::size_t returned_ = 0;
};

}  // namespace lathe::nn

// The keys of a `prune: {method: ablation, ...}` recipe step (docs/methods.md M1), declared
// once: the YAML reader, --help and docs/configuration.md all come from visit().
#pragma once

#include <string>

#include "config/field_checks.h"

namespace lathe::compress::ablate {

struct AblationParams {
  std::string method = "ablation";
  std::string groups = "filters";
  int remove = 0;           // 0 = not given (then threshold is)
  double threshold = 0.0;   // read only when given
  std::string score = "loss_increase";
  int batches = 8;
  std::string table;
  std::string write_table;
  bool bypass = true;
  int shard = 0;
  int shards = 1;

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.choice("method", method, {"ablation"}, "pruning method: leave-one-group-out ablation importance");
    v.choice("groups", groups, {"filters", "units", "layers", "blocks"},
             "parameter groups: single filters/units (ours), whole weight matrices (layers: the method as described), "
             "residual blocks (ours); units is the same as filters");
    v.number("remove", remove, Range::at_least(1),
             "remove the k lowest-scoring groups (give remove or threshold, or neither to score only)");
    v.number("threshold", threshold, Range::unbounded(),
             "(ours) remove every group scoring below this (give remove or threshold, or neither to score only)");
    v.choice("score", score, {"loss_increase", "kl"},
             "(ours) importance: test loss - reference loss, or mean KL(reference || test) of the outputs");
    v.number("batches", batches, Range::at_least(0),
             "(ours) validation batches the losses are measured on (0 = the whole validation set)");
    v.text("table", table, "a precomputed ablation table (.h5): select from it, evaluate nothing");
    v.text("write_table", write_table, "(ours) write the computed ablation table to this .h5 file");
    v.number("shard", shard, Range::at_least(0),
             "(ours) score only this slice (0-based) of `shards` equal slices of the groups, in model order");
    v.number("shards", shards, Range::at_least(1),
             "(ours) slices the groups are scored in (the search spreads them over its workers); more than "
             "1 needs write_table and neither remove nor threshold");
    v.flag("bypass", bypass,
           "(ours) layers whose input and output shapes are equal are bypassed (identity) instead of zeroed");
  }
};

}  // namespace lathe::compress::ablate

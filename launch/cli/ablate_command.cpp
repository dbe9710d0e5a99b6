// `lathe ablate BASE.h5 --groups blocks|filters|layers -o TABLE.h5`: M1, the importance
// of every parameter group as the loss increase when it alone is removed, written as an
// HDF5 table and printed; `prune: {method: ablation, table: TABLE.h5, remove: k}` then
// removes the k least important without evaluating again.
#include <cstdio>
#include <filesystem>

#include "common/checkpoint_data.h"
#include "common/output_checks.h"
#include "cli/commands.h"
#include "cli/run_setup.h"
#include "compress/ablate/ablation_evaluation.h"
#include "compress/ablate/ablation_group.h"
#include "compress/ablate/ablation_table.h"
#include "compress/ablate/ablation_table_file.h"
#include "core/error.h"
#include "io/checkpoint_file.h"
#include "nn/model_checkpoint.h"

namespace lathe::cli {
namespace {

int run_ablate(const Arguments& arguments) {
  namespace ablate = compress::ablate;
  const std::string base_path = arguments.positional(0);
  const std::string groups = arguments.value("groups").value_or("filters");
  ablate::AblationOptions options;
  options.groups = ablate::parse_group_kind(groups, "lathe ablate: --groups");
  options.score = ablate::parse_score_kind(arguments.value("score").value_or("loss_increase"),
                                           "lathe ablate: --score");
  options.batch_size = static_cast<int>(arguments.integer("batch-size", 128, 1, 65536));
  options.max_batches = static_cast<int>(arguments.integer("batches", 8, 0, 1 << 30));
  options.allow_bypass = !arguments.flag("zero-only");
  const std::optional<std::string> output = arguments.value("output");

  const io::Checkpoint base = io::read_checkpoint(base_path);
  if (output) {
    launch::require_outputs({*output}, launch::checkpoint_run_inputs(base, base_path, arguments.value("data"), {}),
                            "lathe ablate: -o");
  }
  nn::Model model = nn::model_from_checkpoint(base, base_path);
  const auto backend = backend_from_options(arguments);
  // Deployment data: the validation split (never the test set), or --data's.
  const data::DataSplits data = launch::load_checkpoint_data(base, base_path, arguments.value("data"));
  launch::check_model_fits_splits(model, data);
  LATHE_CHECK(data.validation.size() > 0, base_path,
              ": the data has no validation split to score groups on (validation_fraction is 0)");
  const ablate::AblationTable table = ablate::run_ablation(model, data.validation, *backend, options);
  std::printf("%s", ablate::format_ablation_table(table).c_str());
  if (output) {
    const std::filesystem::path parent = std::filesystem::path(*output).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    ablate::write_ablation_table(*output, table);
    std::printf("\nwrote %s; remove the k least important with the recipe step\n"
                "  - prune: {method: ablation, groups: %s, table: %s, remove: K}\n",
                output->c_str(), groups.c_str(), output->c_str());
  }
  return 0;
}

}  // namespace

const Command& ablate_command() {
  static const Command command{
      {"ablate",
       "lathe ablate BASE.h5 [--groups filters|layers|blocks] [-o TABLE.h5] [options]",
       "score every parameter group by the loss increase when it alone is removed",
       "M1: for each group (single filters and linear units, whole layers, or residual\n"
       "blocks), removes it alone (zeroed, or bypassed where the shapes allow; the table\n"
       "says which), measures the loss on the validation split, and reports the increase\n"
       "over the unmodified model's loss, least important first. Each group is evaluated\n"
       "independently of the others.",
       {"BASE.h5"},
       {{"groups", "KIND", "filters (also units), layers or blocks (default filters)"},
        {"output", "TABLE.h5", "write the table as HDF5 (also -o)"},
        {"score", "KIND", "loss_increase (default) or kl (KL divergence of the outputs)"},
        {"batches", "N", "validation batches to score on (default 8; 0: the whole split)"},
        {"batch-size", "N", "images per batch (default 128)"},
        {"zero-only", "", "zero every group instead of bypassing layers whose shapes allow it"},
        {"data", "DATA.yaml", "a data-section YAML file instead of the base's own data"},
        {"threads", "N", "CPU threads (0: all cores)"},
        device_option()}},
      run_ablate,
      nullptr};
  return command;
}

}  // namespace lathe::cli

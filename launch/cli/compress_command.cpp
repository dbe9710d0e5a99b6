// `lathe compress BASE.h5 RECIPE.yaml -o OUT.h5`: applies a recipe to a trained model,
// fine-tunes it as the recipe says, and writes the compressed artifact with its metrics.
#include <cstdio>
#include <filesystem>

#include "common/checkpoint_data.h"
#include "cli/commands.h"
#include "common/output_checks.h"
#include "common/provenance.h"
#include "cli/compress_report.h"
#include "cli/run_setup.h"
#include "config/field_listing.h"
#include "core/error.h"
#include "io/checkpoint_file.h"
#include "nn/model_checkpoint.h"
#include "recipe/evaluator.h"
#include "recipe/recipe_docs.h"

namespace lathe::cli {
namespace {

int run_compress(const Arguments& arguments) {
  const std::string base_path = arguments.positional(0);
  const std::string recipe_path = arguments.positional(1);
  const std::optional<std::string> output = arguments.value("output");
  LATHE_CHECK(output.has_value(), "lathe compress: -o OUT.h5 is required (where to write the "
              "compressed model)");
  const io::Checkpoint base = io::read_checkpoint(base_path);
  const recipe::Recipe recipe = recipe::load_recipe(recipe_path);
  launch::require_outputs({*output}, launch::checkpoint_run_inputs(base, base_path, arguments.value("data"), {recipe_path}),
                          "lathe compress: -o");
  recipe::EvaluatorOptions options;
  options.batch_size = static_cast<int>(arguments.integer("batch-size", 128, 1, 65536));
  options.seed = static_cast<std::uint64_t>(arguments.integer("seed", 1, 0, 1LL << 62));
  options.measure_latency = !arguments.flag("no-latency");
  const bool json = arguments.flag("json");
  if (!json) options.log = [](const std::string& line) { std::printf("%s\n", line.c_str()); std::fflush(stdout); };
  // Every step is checked before the data is read or anything trains.
  recipe::PreparedSteps steps = recipe::prepare_steps(recipe, base, base_path);
  std::filesystem::path parent = std::filesystem::path(*output).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);

  const auto backend = backend_from_options(arguments);
  const data::DataSplits data = launch::load_checkpoint_data(base, base_path, arguments.value("data"));
  nn::Model base_model = nn::model_from_checkpoint(base, base_path);
  launch::check_model_fits_splits(base_model, data);
  const recipe::CandidateMetrics base_metrics =
      recipe::measure_model(base_model, base, data, *backend, options);
  recipe::CompressionOutcome outcome =
      recipe::compress_and_measure(base, base_path, recipe, std::move(steps), data, *backend, options);
  if (outcome.metrics.status != recipe::CandidateStatus::ok) {
    std::fprintf(stderr, "lathe: error: %s: %s: %s\n", recipe_path.c_str(),
                 recipe::status_name(outcome.metrics.status), outcome.metrics.message.c_str());
    return 1;
  }
  launch::record_provenance(outcome.artifact, base, base_path, recipe, outcome.metrics);
  io::write_checkpoint(*output, outcome.artifact);
  const auto file_bytes = static_cast<std::int64_t>(std::filesystem::file_size(*output));
  if (json) {
    std::printf("%s\n", compress_json(*output, file_bytes, base_metrics, outcome.metrics).c_str());
  } else {
    print_comparison(*output, file_bytes, base_metrics, outcome.metrics);
  }
  return 0;
}

std::string recipe_keys(bool markdown) { return recipe::recipe_reference(markdown); }

}  // namespace

const Command& compress_command() {
  static const Command command{
      {"compress",
       "lathe compress BASE.h5 RECIPE.yaml -o OUT.h5 [options]",
       "apply a compression recipe to a trained model and write the smaller model",
       "Checks every recipe step against the base model, then applies the steps in order\n"
       "(prune, quantize, share, distill), runs each finetune step with the hooks of the\n"
       "earlier steps active, compacts and packs the model, and writes it to OUT.h5. The\n"
       "report compares the base and the compressed model: validation and test accuracy,\n"
       "stored size (docs/stored-size.md), parameters, MACs and latency. Data: the data\n"
       "the base was trained on (stored in it), split with its seed, unless --data.",
       {"BASE.h5", "RECIPE.yaml"},
       {{"output", "OUT.h5", "where to write the compressed model (also -o)"},
        {"data", "DATA.yaml", "a data-section YAML file instead of the base's own data"},
        {"batch-size", "N", "images per step for fine-tuning and evaluation (default 128)"},
        {"seed", "N", "the candidate's seed: fine-tuning order, sampling (default 1)"},
        {"threads", "N", "CPU threads (0: all cores)"},
        device_option(),
        {"no-latency", "", "skip the latency measurement"},
        {"json", "", "print one JSON line instead of the report"}}},
      run_compress,
      recipe_keys};
  return command;
}

}  // namespace lathe::cli

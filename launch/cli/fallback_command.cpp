// `lathe fallback BASE.h5 CHAIN.yaml -o OUT.h5`: M5, tries the chain's recipes in order
// until one meets the target condition, writes the model it chose and the table of
// attempts (OUT.attempts.csv and stdout).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

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
#include "recipe/fallback.h"

namespace lathe::cli {
namespace {

// A CSV field, quoted with inner quotes doubled (RFC 4180), so names and messages may
// hold commas and quotes.
std::string csv_field(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void write_attempts_csv(const std::string& path, const recipe::FallbackResult& result) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    LATHE_CHECK(out.good(), path, ": cannot write the attempts table");
    out << "attempt,name,started_from,status,validation_accuracy,test_accuracy,size_bytes,"
           "parameters,macs,latency_batch1_ms,wall_seconds,chosen,unmet\n";
    for (std::size_t i = 0; i < result.attempts.size(); ++i) {
      const recipe::AttemptRecord& a = result.attempts[i];
      out << i << "," << csv_field(a.name) << "," << csv_field(a.started_from) << ","
          << recipe::status_name(a.metrics.status) << "," << a.metrics.validation_accuracy << ","
          << a.metrics.test_accuracy << "," << a.metrics.size_bytes << ","
          << a.metrics.parameter_count << "," << a.metrics.macs << ","
          << a.metrics.latency_batch1_ms << "," << a.metrics.wall_seconds << ","
          << (static_cast<int>(i) == result.chosen ? "yes" : "no") << ","
          << csv_field(a.metrics.status == recipe::CandidateStatus::ok ? a.unmet : a.metrics.message)
          << "\n";
    }
  }
  std::filesystem::rename(temporary, path);
}

void print_attempts(const recipe::FallbackResult& result) {
  std::printf("\n%-3s %-22s %-10s %9s %9s %10s %12s  %s\n", "#", "attempt", "status", "val acc",
              "test acc", "bytes", "MACs", "target");
  for (std::size_t i = 0; i < result.attempts.size(); ++i) {
    const recipe::AttemptRecord& a = result.attempts[i];
    std::printf("%-3zu %-22s %-10s %8.2f%% %8.2f%% %10lld %12lld  %s%s\n", i, a.name.c_str(),
                recipe::status_name(a.metrics.status), 100.0 * a.metrics.validation_accuracy,
                100.0 * a.metrics.test_accuracy, static_cast<long long>(a.metrics.size_bytes),
                static_cast<long long>(a.metrics.macs),
                a.unmet.empty() ? "met" : a.unmet.c_str(),
                static_cast<int>(i) == result.chosen ? "  <- chosen" : "");
  }
}

int run_fallback_command(const Arguments& arguments) {
  const std::string base_path = arguments.positional(0);
  const std::string chain_path = arguments.positional(1);
  const std::optional<std::string> output = arguments.value("output");
  LATHE_CHECK(output.has_value(), "lathe fallback: -o OUT.h5 is required (where to write the chosen model)");
  const io::Checkpoint base = io::read_checkpoint(base_path);
  const recipe::FallbackChain chain = recipe::load_fallback_chain(chain_path);
  launch::require_outputs({*output, *output + ".attempts.csv"},
                          launch::checkpoint_run_inputs(base, base_path, arguments.value("data"), {chain_path}),
                          "lathe fallback: -o");
  // Every attempt's recipe is checked against the base before anything trains; an
  // attempt that starts from an earlier result is prepared again for that model.
  std::vector<recipe::PreparedSteps> prepared;
  for (const recipe::FallbackAttempt& attempt : chain.attempts) {
    prepared.push_back(recipe::prepare_steps(attempt.recipe, base, base_path));
  }
  std::filesystem::path parent = std::filesystem::path(*output).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);

  recipe::EvaluatorOptions options;
  options.batch_size = static_cast<int>(arguments.integer("batch-size", 128, 1, 65536));
  options.seed = static_cast<std::uint64_t>(arguments.integer("seed", 1, 0, 1LL << 62));
  options.measure_latency = !arguments.flag("no-latency");
  options.log = [](const std::string& line) { std::printf("  %s\n", line.c_str()); std::fflush(stdout); };
  const auto backend = backend_from_options(arguments);
  const data::DataSplits data = launch::load_checkpoint_data(base, base_path, arguments.value("data"));
  nn::Model base_model = nn::model_from_checkpoint(base, base_path);
  launch::check_model_fits_splits(base_model, data);
  const recipe::CandidateMetrics base_metrics =
      recipe::measure_model(base_model, base, data, *backend, options);
  std::printf("base %s: validation accuracy %.2f%%, %lld stored bytes\n", base_path.c_str(),
              100.0 * base_metrics.validation_accuracy, static_cast<long long>(base_metrics.size_bytes));

  std::size_t index = 0;
  const recipe::FallbackResult result = recipe::run_fallback(
      chain, base, base_metrics, [&](const recipe::Recipe& recipe, const io::Checkpoint& start) {
        std::printf("attempt %zu: %s\n", index, chain.attempts[index].name.c_str());
        recipe::PreparedSteps steps = &start == &base ? std::move(prepared[index])
                                                      : recipe::prepare_steps(recipe, start, base_path);
        ++index;
        return recipe::compress_and_measure(start, base_path, recipe, std::move(steps), data, *backend,
                                            options);
      });
  print_attempts(result);
  write_attempts_csv(*output + ".attempts.csv", result);
  if (result.chosen < 0) {
    std::fprintf(stderr, "lathe: error: %s: no attempt produced a model (see %s.attempts.csv)\n",
                 chain_path.c_str(), output->c_str());
    return 1;
  }
  io::Checkpoint artifact = result.artifact;
  const recipe::AttemptRecord& chosen = result.attempts[static_cast<std::size_t>(result.chosen)];
  launch::record_provenance(artifact, base, base_path,
                    chain.attempts[static_cast<std::size_t>(result.chosen)].recipe, chosen.metrics);
  artifact.text_metadata["fallback_chain"] = chain_path;
  artifact.text_metadata["fallback_attempt"] = chosen.name;
  io::write_checkpoint(*output, artifact);
  std::printf("\n%s: wrote %s from attempt '%s'; attempts in %s.attempts.csv\n",
              result.met_target ? "target met" : "target NOT met, kept the best attempt",
              output->c_str(), chosen.name.c_str(), output->c_str());
  return result.met_target ? 0 : 3;
}

std::string chain_keys(bool markdown) {
  const auto rows = config::FieldListing::of(recipe::TargetCondition{}, "target.");
  if (markdown) return config::format_markdown(rows);
  return "\nchain file: target (these keys) and attempts: a list of {name, recipe: FILE or a\n"
         "list of steps, start_from: base|best}\n" + config::format_help(rows);
}

}  // namespace

const Command& fallback_command() {
  static const Command command{
      {"fallback",
       "lathe fallback BASE.h5 CHAIN.yaml -o OUT.h5 [options]",
       "try a chain of recipes until one meets a target (size, accuracy drop, MACs)",
       "M5: runs the chain's attempts in order, each from the base or (start_from: best)\n"
       "from the best result so far, and stops at the first that meets every target\n"
       "condition. Writes the chosen model to OUT.h5 and the attempts to OUT.attempts.csv.\n"
       "Exit status 0 when the target was met, 3 when only the best attempt was kept.",
       {"BASE.h5", "CHAIN.yaml"},
       {{"output", "OUT.h5", "where to write the chosen model (also -o)"},
        {"data", "DATA.yaml", "a data-section YAML file instead of the base's own data"},
        {"batch-size", "N", "images per step (default 128)"},
        {"seed", "N", "the candidates' seed (default 1)"},
        {"threads", "N", "CPU threads (0: all cores)"},
        device_option(),
        {"no-latency", "", "skip the latency measurement"}}},
      run_fallback_command,
      chain_keys};
  return command;
}

}  // namespace lathe::cli

// A campaign file: a reproducible benchmark matrix of searches, experiments x bases x
// strategies x seeds, each cell one `lathe search` in its own output folder. Every key is
// declared once here (the reader, `lathe campaign --help` and docs/campaign-files.md come
// from the same declarations) and checked before anything runs.
//
//   name: lenet5_strategies
//   output: out/campaigns/lenet5_strategies
//   experiments: [configs/experiments/lenet5_joint.yaml]
//   strategies:
//     - {label: random, name: random, population: 12}
//     - {label: nsga2, name: nsga2, population: 12}
//   seeds: [1, 2, 3]
//   budget: {evaluations: 60}          # optional: every cell's budget
//   slurm: {partition: lathe, time_minutes: 120}
//
// This folder (launch/campaign/) builds on launch/search/ only: no command line, no MPI.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "config/field_checks.h"
#include "search/experiment.h"

namespace lathe::campaign {

// One entry of `strategies`: a label and a whole `strategy` block of an experiment, which
// replaces the experiment's own (so every experiment of a campaign meets the same
// strategies).
struct StrategyEntry {
  std::string label;
  search::StrategySection strategy;

  template <class V>
  void visit(V& v) {
    v.text("label", label, "names the strategy in task folders and the summary (letters, digits and _)",
           config::Presence::required);
    strategy.visit(v);
  }
};

// One entry of `bases`: a base model every experiment is searched on, instead of its own.
struct BaseEntry {
  std::string label;
  std::string base;
  std::string train;

  template <class V>
  void visit(V& v) {
    v.text("label", label, "names the base in task folders and the summary (letters, digits and _)",
           config::Presence::required);
    v.text("base", base, "the trained base checkpoint (.h5), the experiment's `base`",
           config::Presence::required);
    v.text("train", train, "a training config that writes `base` when it is missing (the experiment's `train`)");
  }
};

struct SummarySection {
  std::vector<double> accuracy_drops{0.005, 0.01, 0.02};
  double reference_accuracy_drop = -1.0;

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.numbers("accuracy_drops", accuracy_drops, Range::closed(0.0, 1.0),
              "the accuracy-drop limits (fractions of validation accuracy below the base) under which the "
              "summary gives the smallest feasible model");
    v.number("reference_accuracy_drop", reference_accuracy_drop, Range::closed(-1.0, 1.0),
             "the hypervolume's reference point is (base size, base validation accuracy - this); negative: "
             "each experiment's constraints.max_accuracy_drop");
  }
};

struct SlurmSection {
  std::string partition;
  std::string account;
  double time_minutes = 60.0;
  int ranks = 1;
  int cpus_per_rank = 1;
  int gpus_per_task = 0;
  int max_running = 0;
  std::vector<std::string> options;

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.text("partition", partition, "the partition the array runs in (\"\": the cluster's default)");
    v.text("account", account, "the account charged (\"\": the user's default)");
    v.number("time_minutes", time_minutes, Range::positive(),
             "the time limit of each array task (one search); a task stopped by it resumes when the "
             "campaign is submitted again");
    v.number("ranks", ranks, Range::closed(1, 4096),
             "MPI ranks per search: 1 runs the coordinator and one worker in one process; more run "
             "`mpirun -np RANKS` inside the task (rank 0 coordinates)");
    v.number("cpus_per_rank", cpus_per_rank, Range::closed(1, 4096), "CPUs of each rank (--cpus-per-task)");
    v.number("gpus_per_task", gpus_per_task, Range::closed(0, 64), "GPUs of each array task (0: none)");
    v.number("max_running", max_running, Range::closed(0, 100000),
             "at most this many array tasks at once (the array's %N; 0: no limit)");
    v.texts("options", options, "further sbatch options, each `--name=value`, written into the batch script");
  }
};

struct CampaignFile {
  std::string name;
  std::string output;
  std::vector<std::string> experiments;
  YAML::Node strategies;
  YAML::Node seeds;
  YAML::Node bases;
  search::BudgetSection budget;
  SummarySection summary;
  SlurmSection slurm;

  template <class V>
  void visit(V& v) {
    using config::Presence;
    v.text("name", name, "the campaign's name (letters, digits and _), shown in the summary and job name",
           Presence::required);
    v.text("output", output,
           "the campaign folder: one output folder per task, the summary, the batch scripts",
           Presence::required);
    v.texts("experiments", experiments, "the experiment files (required; each task folder starts with "
                                        "the file's name without .yaml)");
    v.node("strategies", strategies, "a list of strategy entries, below: each replaces the experiments' "
                                     "`strategy` block", Presence::required);
    v.node("seeds", seeds, "a list of experiment seeds (integers), each overriding the experiment's `seed`",
           Presence::required);
    v.node("bases", bases, "optional list of base entries, below: each task runs on one of them instead of "
                           "the experiment's own base");
    v.section("budget", budget, "optional: every task's budget instead of its experiment's");
    v.section("summary", summary, "what `lathe campaign summarize` computes");
    v.section("slurm", slurm, "the job array `lathe campaign` submits");
  }
};

// One cell of the matrix: one search in its own output folder.
struct CampaignTask {
  std::size_t index = 0;          // the SLURM array index
  std::string name;               // <experiment>-<strategy>-seed<k>, or <experiment>-<base>-<strategy>-seed<k>
  std::string experiment_label;   // the experiment file's name without .yaml
  std::string base_label;         // "" for the experiment's own base
  std::string strategy_label;
  std::int64_t seed = 0;
  std::size_t experiment = 0;     // into Campaign::experiment_paths (and experiments, when read)
  int base = -1;                  // into Campaign::bases; -1: the experiment's own
  std::size_t strategy = 0;       // into Campaign::strategies
};

// An experiment file as the campaign read it.
struct CampaignExperiment {
  std::string path;
  std::string text;       // as written
  YAML::Node root;
  search::Experiment experiment;  // as written, checked
};

struct Campaign {
  CampaignFile file;
  std::string path;        // as given
  std::string yaml_text;   // as written
  std::vector<std::string> experiment_labels;
  std::vector<StrategyEntry> strategies;
  std::vector<YAML::Node> strategy_nodes;  // each entry as written (label included)
  std::vector<BaseEntry> bases;
  std::vector<std::int64_t> seeds;
  bool budget_given = false;  // the campaign overrides every task's budget
  // Experiments x bases x strategies x seeds, the last fastest; index = position.
  std::vector<CampaignTask> tasks;
  // Read only with Reading::experiments; empty otherwise.
  std::vector<CampaignExperiment> experiments;
};

// `experiments`: the experiment files are read and every task's experiment is checked
// (what running needs); `matrix_only`: only the campaign file, as `lathe campaign
// summarize` reads the copy in a campaign folder (the tasks' experiments are in their
// folders).
enum class Reading { experiments, matrix_only };

Campaign parse_campaign(const std::string& yaml_text, const std::string& source,
                        Reading reading = Reading::experiments);
Campaign load_campaign(const std::string& path, Reading reading = Reading::experiments);

// The task's output folder: <output>/<name>.
std::string task_folder(const Campaign& campaign, const CampaignTask& task);

}  // namespace lathe::campaign

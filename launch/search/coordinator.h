// The coordinator: asks the strategy for candidates, hands each to a free worker at once,
// journals every result (fsynced) before the strategy hears of it, and resumes a search
// from its journal. Talks to workers only through CoordinatorTransport.
//
// Reproducible mode: candidates come in generations of `strategy.population`; a
// generation's results are told in id order once all are in, so the results depend only
// on the experiment, never on how many workers ran it or in which order they finished.
// A resume runs the same loop with the journal's results standing in for evaluations.
// Asynchronous mode: a free worker gets the next candidate at once and results are told
// as they come; a resume replays the journal's asks and tells in their order.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "search/experiment.h"
#include "search/journal.h"
#include "search/protocol.h"
#include "search/search_history.h"
#include "search/transport.h"
#include "strategies/strategy.h"

namespace lathe::search {

struct CoordinatorHooks {
  std::function<void(const std::string&)> progress;      // one line per finished evaluation
  std::function<void(const SearchOutcome&)> publish;     // results.h5 and the report, now and then
  const std::atomic<bool>* interrupt = nullptr;          // set by SIGTERM/SIGINT handlers
  std::chrono::milliseconds poll{250};                   // how often the interrupt is checked
  // After an interrupt, how long the candidates in flight have to answer (paused at their
  // next step boundary, or finished) before the workers are stopped: SLURM's KillWait
  // (30 s by default) is the time a job has between SIGTERM and SIGKILL.
  std::chrono::milliseconds stop_grace{25000};
  // results.h5 and the report are rewritten at most this often while the search runs
  // (each rewrite reads every result), and always at the end.
  std::chrono::milliseconds publish_every{10000};
};

// A candidate in flight whose worker died in this many runs is recorded as crashed.
inline constexpr int kCrashesBeforeGivingUp = 2;

class Coordinator {
 public:
  Coordinator(const Experiment& experiment, std::string output_dir, SearchHistory history,
              JournalWriter& journal, CoordinatorTransport& transport, CoordinatorHooks hooks);

  // Runs the search to its budget (or the strategy's end, or an interrupt); stops the
  // workers and returns the outcome as the journal now holds it.
  SearchOutcome run();
  [[nodiscard]] bool interrupted() const { return interrupted_; }
  [[nodiscard]] const SearchHistory& history() const { return history_; }

 private:
  void run_reproducible(Strategy& strategy);
  void run_asynchronous(Strategy& strategy);
  // Journals and queues `candidate` unless the journal already holds its result (or it
  // crashed its workers too often, then a crashed result is journaled).
  void enqueue(const Candidate& candidate);
  // A candidate whose recipe an earlier ok candidate had gets that result (saying so) and
  // costs no evaluation; NSGA-II breeds duplicates once a population converges.
  bool reuse_earlier_result(const Candidate& candidate);
  void measure_base();
  // Journals the metrics every result is judged against, and keeps them.
  void record_base(const recipe::CandidateMetrics& base);
  // strategy.sensitivity_seeds: the probes (journaled, run once) and the seeds they give.
  std::vector<Point> sensitivity_seeds();
  void dispatch_queued();
  // The queued task `worker` should take in dispatch pass `pass` (queue_.end(): none):
  // 0 one that continues a state this worker keeps; 1 one that continues no kept state;
  // 2 the last of the tasks of a worker that keeps the states of more than one, which
  // it would otherwise run one after another (this one is then run from the start).
  [[nodiscard]] std::deque<Task>::iterator pick_task(int worker, int pass);
  // Handles at most one message (waiting up to `wait`, by default the poll interval);
  // returns the id of a result it journaled, if any, and sets `received` when a message
  // of any kind was handled.
  std::optional<std::int64_t> pump(std::optional<std::chrono::milliseconds> wait = std::nullopt,
                                   bool* received = nullptr);
  // Asynchronous mode: the next result and every one already waiting behind it, journaled
  // and then fsynced once (a group commit: with many workers finishing together, one
  // fsync each would hold every worker behind them), in arrival order.
  std::vector<std::int64_t> pump_arrived_results();
  void record_result(const TaskResult& result, int worker);
  // A candidate a stop paused: journaled with the file its state went to. A pause the
  // coordinator did not ask for (the signal reached that worker only) sends the task
  // again, with its state, to another worker: the one that paused is stopping.
  void record_paused(const TaskResult& result);
  // After an interrupt: waits up to hooks_.stop_grace for every candidate in flight to
  // answer (paused or finished) and journals each answer.
  void collect_in_flight();
  void tell(Strategy& strategy, std::int64_t id);
  [[nodiscard]] bool should_stop_asking() const;
  [[nodiscard]] bool interrupt_requested() const;
  [[nodiscard]] double elapsed_seconds() const;
  void report_progress(std::int64_t id);
  void count_result(const EvaluationRecord& record);
  void maybe_publish();
  [[nodiscard]] Task make_task(const Candidate& candidate) const;
  // The recipe a candidate runs: its point's, and for multi-fidelity strategies the
  // fine-tunes of its rung (rung_recipe.h); `for_worker`: with the paths of files in the
  // output folder as the worker opens them (recorded relative to the folder).
  [[nodiscard]] std::string recipe_of(const Candidate& candidate, bool for_worker = false) const;
  // A promotion runs with the seed of its rung-0 ancestor, so that it continues that
  // candidate's training exactly (its recipe extends the ancestor's).
  [[nodiscard]] std::uint64_t seed_of(const Candidate& candidate) const;
  // The artifact a candidate starts from ("" for the base).
  [[nodiscard]] std::string start_artifact_of(const Candidate& candidate) const;
  // `name` inside the output folder.
  [[nodiscard]] std::string output_path(const std::string& name) const;
  // Ablation-greedy: merges the tables of the round's scoring candidates (all told
  // before the removal is asked) into the round's table the removal selects from.
  void gather_round_scores(const Candidate& removal);

  const Experiment& experiment_;
  std::string output_dir_;
  SearchHistory history_;
  JournalWriter& journal_;
  CoordinatorTransport& transport_;
  CoordinatorHooks hooks_;
  int run_ = 0;
  bool interrupted_ = false;
  std::int64_t asked_count_ = 0;
  std::int64_t results_this_run_ = 0;
  std::chrono::steady_clock::time_point started_;
  double earlier_runs_seconds_ = 0.0;
  std::map<std::int64_t, Candidate> candidates_;  // every candidate asked in this run's replay
  std::deque<Task> queue_;
  std::deque<int> free_workers_;
  std::map<int, std::int64_t> in_flight_;  // worker -> task id
  std::map<std::int64_t, Task> dispatched_;  // the tasks in flight, by id (a paused one is sent again)
  std::map<int, std::string> hosts_;
  std::map<std::int64_t, int> kept_by_;  // candidate id -> the worker keeping its training state
  std::map<int, std::vector<std::int64_t>> releases_;  // worker -> kept states to drop with its next task
  std::map<std::int64_t, std::string> probe_tasks_;  // task id -> dimension name
  std::int64_t feasible_count_ = 0;
  double best_feasible_size_ = 0.0;  // 0: none yet
  // Results of candidates below this id may be reused (asynchronous mode: all of them).
  std::int64_t reusable_below_ = std::numeric_limits<std::int64_t>::max();
  std::chrono::steady_clock::time_point last_publish_;
  // Rewriting results.h5 and the report grows with the results and holds up dispatch:
  // the next rewrite waits at least 50 times as long as the last one took.
  std::chrono::steady_clock::duration publish_gap_{};
};

}  // namespace lathe::search

#include "search/coordinator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "core/error.h"
#include "recipe/recipe.h"
#include "search/ablation_round_recipe.h"
#include "search/rung_recipe.h"
#include "search/search_outcome.h"
#include "strategies/sensitivity_seeds.h"

namespace lathe::search {
namespace {

std::string artifact_name(std::int64_t id) {
  char name[64];
  std::snprintf(name, sizeof name, "artifacts/candidate-%06lld.h5", static_cast<long long>(id));
  return name;
}

std::string size_text(double bytes) {
  char text[32];
  if (bytes >= 1e6) {
    std::snprintf(text, sizeof text, "%.2f MB", bytes / 1e6);
  } else if (bytes >= 1e3) {
    std::snprintf(text, sizeof text, "%.2f kB", bytes / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.0f B", bytes);
  }
  return text;
}

}  // namespace

Coordinator::Coordinator(const Experiment& experiment, std::string output_dir, SearchHistory history,
                         JournalWriter& journal, CoordinatorTransport& transport, CoordinatorHooks hooks)
    : experiment_(experiment),
      output_dir_(std::move(output_dir)),
      history_(std::move(history)),
      journal_(journal),
      transport_(transport),
      hooks_(std::move(hooks)) {}

SearchOutcome Coordinator::run() {
  started_ = std::chrono::steady_clock::now();
  earlier_runs_seconds_ = history_.elapsed_seconds;
  run_ = history_.runs + 1;
  history_.runs = run_;
  journal_.append(run_event(run_, transport_.worker_count()));
  if (!history_.base) measure_base();
  if (history_.base) {
    for (const auto& [id, stored] : history_.results) {
      EvaluationRecord judged = stored;
      judge_record(experiment_, *history_.base, judged);
      count_result(judged);
    }
  }
  last_publish_ = std::chrono::steady_clock::now();
  if (!interrupt_requested()) {
    StrategySettings settings = strategy_settings(experiment_);
    if (experiment_.file.strategy.sensitivity_seeds > 0) settings.initial_points = sensitivity_seeds();
    // Not one candidate is asked before the seeds are known: a resume must ask the same.
    if (!interrupt_requested()) {
      const std::unique_ptr<Strategy> strategy = make_strategy(
          experiment_.space.space(), static_cast<int>(experiment_.objectives.size()), settings);
      if (experiment_.file.mode == "reproducible") {
        run_reproducible(*strategy);
      } else {
        run_asynchronous(*strategy);
      }
    }
  }
  interrupted_ = interrupted_ || interrupt_requested();
  if (interrupted_) collect_in_flight();
  if (interrupted_) journal_.append(interrupted_event(run_));
  journal_.sync();
  transport_.stop_workers();
  SearchOutcome outcome = build_outcome(experiment_, history_);
  if (hooks_.publish) hooks_.publish(outcome);
  return outcome;
}

void Coordinator::record_base(const recipe::CandidateMetrics& base) {
  journal_.append(base_event(base, experiment_.base_file_hash));
  history_.base_file_hash = experiment_.base_file_hash;
  history_.base = base;
}

void Coordinator::measure_base() {
  if (experiment_.reference) {  // base_search: judged against the earlier search's base
    record_base(*experiment_.reference);
    return;
  }
  Task base;
  base.id = kBaseTaskId;
  base.seed = candidate_seed(static_cast<std::uint64_t>(experiment_.file.seed), kBaseTaskId);
  queue_.push_back(base);
  while (!history_.base) {
    if (interrupt_requested()) return;
    dispatch_queued();
    pump();
  }
}

std::vector<Point> Coordinator::sensitivity_seeds() {
  const SearchSpace& space = experiment_.space.space();
  const std::vector<SensitivityProbe> probes = experiment_.space.sensitivity_probes();
  std::int64_t task_id = kBaseTaskId;
  for (const SensitivityProbe& probe : probes) {
    --task_id;  // probes are tasks -2, -3, ...: never a candidate, never in the results
    const std::string& name = space.dimensions[static_cast<std::size_t>(probe.dimension)].name;
    if (history_.probes.contains(name)) continue;
    Task task;
    task.id = task_id;
    task.seed = candidate_seed(static_cast<std::uint64_t>(experiment_.file.seed), task_id);
    task.recipe_yaml = probe.recipe_yaml;
    task.time_limit_seconds = experiment_.file.candidate.time_limit_seconds;
    probe_tasks_[task_id] = name;
    queue_.push_back(task);
  }
  const auto all_probed = [&] {
    return std::all_of(probes.begin(), probes.end(), [&](const SensitivityProbe& p) {
      return history_.probes.contains(space.dimensions[static_cast<std::size_t>(p.dimension)].name);
    });
  };
  while (!all_probed()) {
    if (interrupt_requested()) return {};
    dispatch_queued();
    pump();
  }
  // Sensitivity: the validation accuracy a layer loses alone at its extreme, relative to
  // the most any probed layer loses (a probe that failed counts as the most sensitive).
  std::vector<DimensionSensitivity> sensitivities(space.dimensions.size());
  double worst = 0.0;
  for (const SensitivityProbe& probe : probes) {
    const recipe::CandidateMetrics& m = history_.probes.at(space.dimensions[static_cast<std::size_t>(probe.dimension)].name);
    const double loss = m.status == recipe::CandidateStatus::ok
                            ? std::max(0.0, history_.base->validation_accuracy - m.validation_accuracy)
                            : INFINITY;
    sensitivities[static_cast<std::size_t>(probe.dimension)] = {true, probe.aggressive_is_high, loss};
    if (std::isfinite(loss)) worst = std::max(worst, loss);
  }
  for (DimensionSensitivity& s : sensitivities) {
    if (!s.probed) continue;
    s.sensitivity = !std::isfinite(s.sensitivity) ? 1.0 : worst > 0.0 ? s.sensitivity / worst : 0.0;
  }
  return sensitivity_seeded_points(space, sensitivities, experiment_.file.strategy.sensitivity_seeds);
}

std::string Coordinator::recipe_of(const Candidate& candidate, bool for_worker) const {
  std::string recipe = experiment_.space.recipe_yaml(candidate.point);
  if (uses_rungs(experiment_.file.strategy)) {
    recipe = recipe_at_rung(recipe, rung_schedule(experiment_.file.strategy), candidate.rung);
  }
  if (candidate.round >= 0) {
    // Recorded relative to the output folder (the same experiment gives the same recipes
    // wherever it runs); the worker is given the paths it opens.
    const auto table = [&](const std::string& name) { return for_worker ? output_path(name) : name; };
    recipe = candidate.shard >= 0 ? scoring_recipe(recipe, candidate.round, candidate.shard, candidate.shards,
                                                   table(shard_table_name(candidate.id)))
                                  : removal_recipe(recipe, table(round_table_name(candidate.round)));
  }
  if (candidate.start_from >= 0) {
    // Said in the recipe as run, so that the results show it and the recipe is never taken
    // for the same one applied to the base.
    recipe = "# applied to the model of candidate " + std::to_string(candidate.start_from) + " (" +
             start_artifact_of(candidate) + "), not to the base\n" + recipe;
  }
  return recipe;
}

std::string Coordinator::output_path(const std::string& name) const {
  return (std::filesystem::path(output_dir_) / name).string();
}

void Coordinator::gather_round_scores(const Candidate& removal) {
  std::vector<std::string> shard_paths;
  for (const auto& [id, candidate] : candidates_) {
    if (candidate.round == removal.round && candidate.shard >= 0) shard_paths.push_back(output_path(shard_table_name(id)));
  }
  write_round_table(shard_paths, output_path(round_table_name(removal.round)));
}

std::string Coordinator::start_artifact_of(const Candidate& candidate) const {
  if (candidate.start_from < 0) return "";
  const auto start = history_.results.find(candidate.start_from);
  LATHE_CHECK(start != history_.results.end() && !start->second.artifact.empty(), output_dir_,
              ": candidate ", candidate.id, " starts from candidate ", candidate.start_from,
              ", which has no artifact");
  return start->second.artifact;
}

std::uint64_t Coordinator::seed_of(const Candidate& candidate) const {
  std::int64_t root = candidate.id;
  for (std::int64_t parent = candidate.parent; parent >= 0;) {
    root = parent;
    const auto found = candidates_.find(parent);
    parent = found != candidates_.end() ? found->second.parent : -1;
  }
  return candidate_seed(static_cast<std::uint64_t>(experiment_.file.seed), root);
}

Task Coordinator::make_task(const Candidate& candidate) const {
  Task task;
  task.id = candidate.id;
  task.seed = seed_of(candidate);
  task.recipe_yaml = recipe_of(candidate, /*for_worker=*/true);
  // A scoring candidate's result is its table of scores; its model is its start model.
  if (candidate.shard < 0) task.artifact_path = artifact_name(candidate.id);
  task.time_limit_seconds = experiment_.file.candidate.time_limit_seconds;
  task.start_artifact = start_artifact_of(candidate);
  if (const auto paused = history_.paused_states.find(candidate.id); paused != history_.paused_states.end()) {
    task.paused_state = paused->second;
  }
  if (uses_rungs(experiment_.file.strategy)) {
    task.continues = candidate.parent;
    task.keep_state = candidate.rung + 1 < rung_schedule(experiment_.file.strategy).rungs() &&
                      experiment_.file.candidate.kept_states > 0;
  }
  return task;
}

void Coordinator::enqueue(const Candidate& candidate) {
  ++asked_count_;
  candidates_[candidate.id] = candidate;
  const std::string point_json = point_to_json(experiment_.space.space(), candidate.point);
  const auto asked = history_.asked.find(candidate.id);
  if (asked != history_.asked.end()) {
    LATHE_CHECK(asked->second.point_json == point_json, output_dir_, "/journal.lathe: candidate ",
                candidate.id, " was asked as ", asked->second.point_json, " but the strategy now asks ",
                point_json, ": the journal was written by another version of Lathe or of this experiment");
  } else {
    // The strategy asks again on a resume, so an ask lost with the machine costs nothing.
    journal_.append(asked_event(candidate.id, candidate.rung, point_json), JournalWriter::Durability::written);
    history_.asked[candidate.id] = {candidate.rung, point_json};
    history_.events.push_back({HistoryEvent::Kind::asked, candidate.id});
  }
  if (history_.results.contains(candidate.id)) return;
  if (candidate.round >= 0) {
    // The tables are written by the workers (shards) and here (the round's, which needs
    // every shard told: the strategy asks a removal only then), beside the artifacts.
    std::filesystem::create_directories(std::filesystem::path(output_path(shard_table_name(0))).parent_path());
    if (candidate.shard < 0) gather_round_scores(candidate);
  }
  if (reuse_earlier_result(candidate)) return;
  const int deaths = history_.deaths_in_flight(candidate.id);
  if (deaths >= kCrashesBeforeGivingUp) {
    TaskResult crashed;
    crashed.id = candidate.id;
    crashed.metrics.status = recipe::CandidateStatus::crashed;
    crashed.metrics.candidate_id = candidate.id;
    crashed.metrics.message = "its worker process died while evaluating it, in " + std::to_string(deaths) +
                              " runs; not tried again";
    record_result(crashed, 0);
    return;
  }
  queue_.push_back(make_task(candidate));
}

bool Coordinator::reuse_earlier_result(const Candidate& candidate) {
  const std::string recipe = recipe_of(candidate);
  for (const auto& [id, earlier] : history_.results) {
    // Reproducible mode: only results of earlier generations, which every run (whatever
    // it resumed from) has when it asks this candidate.
    if (id >= reusable_below_) break;
    if (earlier.metrics.status != recipe::CandidateStatus::ok || earlier.recipe_yaml != recipe) continue;
    TaskResult reused;
    reused.id = candidate.id;
    reused.metrics = earlier.metrics;
    reused.metrics.candidate_id = candidate.id;
    reused.metrics.wall_seconds = 0.0;
    reused.metrics.message = "the recipe of candidate " + std::to_string(id) + ": its result is reused";
    reused.artifact_path = earlier.artifact;
    record_result(reused, earlier.metrics.rank);
    return true;
  }
  return false;
}

void Coordinator::dispatch_queued() {
  for (int pass = 0; pass < 3; ++pass) {
    for (auto free = free_workers_.begin(); free != free_workers_.end() && !queue_.empty();) {
      const auto picked = pick_task(*free, pass);
      if (picked == queue_.end()) {
        ++free;
        continue;
      }
      const int worker = *free;
      free = free_workers_.erase(free);
      const Task task = std::move(*picked);
      queue_.erase(picked);
      if (task.id != kBaseTaskId) {
        // Lost only with the machine (then no worker crash is to be counted either).
        journal_.append(dispatched_event(task.id, run_, worker, task.paused_state),
                        JournalWriter::Durability::written);
        history_.dispatched_in_runs[task.id].insert(run_);
      }
      if (task.continues >= 0) kept_by_.erase(task.continues);  // a state is continued once
      in_flight_[worker] = task.id;
      Task sent = task;
      sent.release = std::exchange(releases_[worker], {});
      transport_.send(worker, task_to_json(sent));
      dispatched_[task.id] = task;
    }
  }
}

std::deque<Task>::iterator Coordinator::pick_task(int worker, int pass) {
  const auto keeper = [&](const Task& task) {
    const auto found = task.continues >= 0 ? kept_by_.find(task.continues) : kept_by_.end();
    return found != kept_by_.end() ? found->second : -1;
  };
  if (pass == 0) {
    return std::find_if(queue_.begin(), queue_.end(), [&](const Task& t) { return keeper(t) == worker; });
  }
  if (pass == 1) return std::find_if(queue_.begin(), queue_.end(), [&](const Task& t) { return keeper(t) < 0; });
  std::map<int, int> queued_per_keeper;
  for (const Task& task : queue_) {
    if (keeper(task) >= 0) ++queued_per_keeper[keeper(task)];
  }
  int busiest = -1;
  int most = 1;
  for (const auto& [kept_by, count] : queued_per_keeper) {
    if (count > most) {
      busiest = kept_by;
      most = count;
    }
  }
  if (busiest < 0) return queue_.end();
  for (auto task = queue_.end(); task != queue_.begin();) {
    --task;
    if (keeper(*task) == busiest) return task;
  }
  return queue_.end();
}

std::optional<std::int64_t> Coordinator::pump(std::optional<std::chrono::milliseconds> wait, bool* received) {
  const std::optional<WorkerMessage> message = transport_.receive(wait.value_or(hooks_.poll));
  if (received != nullptr) *received = message.has_value();
  if (!message) return std::nullopt;
  const std::string type = message_type(message->payload);
  if (type == "ready") {
    const ReadyMessage ready = ready_from_json(message->payload);
    hosts_[message->worker] = ready.host;
    free_workers_.push_back(message->worker);
    return std::nullopt;
  }
  LATHE_CHECK(type == "result", "search protocol: worker ", message->worker, " sent a '", type,
              "' message, expected ready or result");
  const TaskResult result = result_from_json(message->payload);
  const auto flying = in_flight_.find(message->worker);
  LATHE_CHECK(flying != in_flight_.end() && flying->second == result.id, "search protocol: worker ",
              message->worker, " answered candidate ", result.id, ", which it was not given");
  in_flight_.erase(flying);
  if (result.paused) {
    record_paused(result);
    return std::nullopt;
  }
  dispatched_.erase(result.id);
  free_workers_.push_back(message->worker);
  if (result.state_kept) kept_by_[result.id] = message->worker;
  if (const auto probe = probe_tasks_.find(result.id); probe != probe_tasks_.end()) {
    journal_.append(probe_event(probe->second, result.metrics));
    history_.probes[probe->second] = result.metrics;
    return std::nullopt;
  }
  if (result.id == kBaseTaskId) {
    LATHE_CHECK(result.metrics.status == recipe::CandidateStatus::ok, experiment_.file.base,
                ": measuring the base model failed: ", result.metrics.message);
    record_base(result.metrics);
    return std::nullopt;
  }
  record_result(result, message->worker);
  return result.id;
}

void Coordinator::record_result(const TaskResult& result, int worker) {
  EvaluationRecord record;
  record.id = result.id;
  const Candidate& candidate = candidates_.at(result.id);
  record.rung = candidate.rung;
  record.point_json = history_.asked.at(result.id).point_json;
  record.recipe_yaml = recipe_of(candidate);
  record.metrics = result.metrics;
  if (candidate.round >= 0 && !record.metrics.recipe_hash.empty()) {
    // The hash of the recipe as recorded, not of the worker's copy with the folder's path.
    record.metrics.recipe_hash =
        recipe::recipe_hash(recipe::parse_recipe(record.recipe_yaml, "candidate " + std::to_string(result.id)));
  }
  if (record.metrics.rank < 0) record.metrics.rank = worker;
  record.finished_seconds = elapsed_seconds();
  record.artifact = result.artifact_path;
  judge_record(experiment_, *history_.base, record);
  // A fallback chain's later attempts, and ablation rounds, may start from an infeasible earlier one.
  const bool starts_later = starts_from_earlier_models(experiment_.file.strategy);
  if (!record.feasible && !record.artifact.empty() && !starts_later) {
    // Only feasible candidates keep an artifact: they are the ones a front may hold.
    std::error_code ignored;
    std::filesystem::remove(std::filesystem::path(output_dir_) / record.artifact, ignored);
    record.artifact.clear();
  }
  // Synced before the strategy hears of it: once per generation (one fsync for all its
  // results) in reproducible mode, once per group of results arriving together in
  // asynchronous mode (pump_arrived_results), at once for results made up here.
  journal_.append(result_event(record), JournalWriter::Durability::written);
  if (const auto paused = history_.paused_states.find(record.id); paused != history_.paused_states.end()) {
    // The result is journaled: the state it continued from is no longer needed.
    if (!paused->second.empty()) {
      std::error_code ignored;
      std::filesystem::remove(std::filesystem::path(output_dir_) / paused->second, ignored);
    }
    history_.paused_states.erase(paused);
  }
  history_.events.push_back({HistoryEvent::Kind::result, record.id});
  history_.elapsed_seconds = std::max(history_.elapsed_seconds, record.finished_seconds);
  count_result(record);
  history_.results[record.id] = std::move(record);
  ++results_this_run_;
  report_progress(result.id);
}

void Coordinator::record_paused(const TaskResult& result) {
  journal_.append(paused_event(result.id, run_, result.paused_state, result.metrics.message));
  history_.paused_states[result.id] = result.paused_state;
  const auto task = dispatched_.find(result.id);
  if (task != dispatched_.end()) {
    if (!interrupt_requested()) {
      task->second.paused_state = result.paused_state;
      queue_.push_front(task->second);
    }
    dispatched_.erase(task);
  }
  if (hooks_.progress) {
    hooks_.progress("#" + std::to_string(result.id) + " " + result.metrics.message +
                    (result.paused_state.empty() ? "" : "; state saved to " + result.paused_state));
  }
}

void Coordinator::collect_in_flight() {
  const auto deadline = std::chrono::steady_clock::now() + hooks_.stop_grace;
  while (!in_flight_.empty() && std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pump(std::max(std::chrono::milliseconds(1), std::min(left, hooks_.poll)));
  }
}

void Coordinator::count_result(const EvaluationRecord& record) {
  if (!record.feasible) return;
  ++feasible_count_;
  const double size = static_cast<double>(record.metrics.size_bytes);
  if (best_feasible_size_ == 0.0 || size < best_feasible_size_) best_feasible_size_ = size;
}

void Coordinator::maybe_publish() {
  if (!hooks_.publish) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_publish_ < std::max<std::chrono::steady_clock::duration>(hooks_.publish_every, publish_gap_)) return;
  hooks_.publish(build_outcome(experiment_, history_));
  last_publish_ = std::chrono::steady_clock::now();
  publish_gap_ = 50 * (last_publish_ - now);
}

std::vector<std::int64_t> Coordinator::pump_arrived_results() {
  std::vector<std::int64_t> arrived;
  bool received = false;
  if (const std::optional<std::int64_t> id = pump(std::nullopt, &received)) arrived.push_back(*id);
  while (received) {
    if (const std::optional<std::int64_t> id = pump(std::chrono::milliseconds(0), &received)) arrived.push_back(*id);
  }
  if (!arrived.empty()) journal_.sync();
  return arrived;
}

void Coordinator::tell(Strategy& strategy, std::int64_t id) {
  const EvaluationRecord& record = history_.results.at(id);
  strategy.tell(strategy_evaluation(experiment_, *history_.base, record, candidates_.at(id).point));
  for (const std::int64_t settled : strategy.take_settled()) {
    const auto kept = kept_by_.find(settled);
    if (kept == kept_by_.end()) continue;
    releases_[kept->second].push_back(settled);
    kept_by_.erase(kept);
  }
}

bool Coordinator::interrupt_requested() const {
  return hooks_.interrupt != nullptr && hooks_.interrupt->load();
}

bool Coordinator::should_stop_asking() const {
  const BudgetSection& budget = experiment_.file.budget;
  if (budget.evaluations > 0 && asked_count_ >= budget.evaluations) return true;
  return budget.wall_minutes > 0.0 && elapsed_seconds() >= 60.0 * budget.wall_minutes;
}

double Coordinator::elapsed_seconds() const {
  // Time of earlier runs (up to their last result) plus this run's.
  return earlier_runs_seconds_ +
         std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void Coordinator::run_reproducible(Strategy& strategy) {
  while (!should_stop_asking() && !strategy.exhausted()) {
    const std::int64_t budget = experiment_.file.budget.evaluations;
    int want = experiment_.file.strategy.population;
    if (budget > 0) want = static_cast<int>(std::min<std::int64_t>(want, budget - asked_count_));
    const std::vector<Candidate> batch = strategy.ask(want);
    if (batch.empty()) break;
    reusable_below_ = batch.front().id;
    for (const Candidate& candidate : batch) enqueue(candidate);
    const auto all_in = [&] {
      return std::all_of(batch.begin(), batch.end(),
                         [&](const Candidate& c) { return history_.results.contains(c.id); });
    };
    while (!all_in()) {
      if (interrupt_requested()) {
        interrupted_ = true;
        return;
      }
      dispatch_queued();
      pump();
    }
    journal_.sync();
    std::vector<std::int64_t> ids;
    for (const Candidate& candidate : batch) ids.push_back(candidate.id);
    std::sort(ids.begin(), ids.end());
    for (const std::int64_t id : ids) tell(strategy, id);
    maybe_publish();
  }
}

void Coordinator::run_asynchronous(Strategy& strategy) {
  // Replay: the journal holds the asks and tells of earlier runs in the order they happened.
  const std::vector<HistoryEvent> earlier = history_.events;
  std::vector<std::int64_t> unfinished;
  for (const HistoryEvent& event : earlier) {
    if (event.kind == HistoryEvent::Kind::asked) {
      const std::vector<Candidate> again = strategy.ask(1);
      LATHE_CHECK(again.size() == 1 && again.front().id == event.id, output_dir_,
                  "/journal.lathe: replaying candidate ", event.id,
                  ", the strategy asked another: the journal does not belong to this experiment");
      ++asked_count_;
      candidates_[event.id] = again.front();
      const std::string point_json = point_to_json(experiment_.space.space(), again.front().point);
      LATHE_CHECK(history_.asked.at(event.id).point_json == point_json, output_dir_,
                  "/journal.lathe: candidate ", event.id, " was asked as ",
                  history_.asked.at(event.id).point_json, ", the strategy now asks ", point_json);
      if (!history_.results.contains(event.id)) unfinished.push_back(event.id);
    } else {
      tell(strategy, event.id);
      std::erase(unfinished, event.id);
    }
  }
  for (const std::int64_t id : unfinished) {
    --asked_count_;  // enqueue counts it again
    enqueue(candidates_.at(id));
    if (history_.results.contains(id)) {  // recorded as crashed just now
      journal_.sync();
      tell(strategy, id);
    }
  }
  while (true) {
    if (interrupt_requested()) {
      interrupted_ = true;
      return;
    }
    while (queue_.size() < free_workers_.size() && !should_stop_asking() && !strategy.exhausted()) {
      const std::vector<Candidate> next = strategy.ask(1);
      if (next.empty()) break;
      enqueue(next.front());
      if (history_.results.contains(next.front().id)) {  // reused or crashed just now
        journal_.sync();
        tell(strategy, next.front().id);
      }
    }
    dispatch_queued();
    if (queue_.empty() && in_flight_.empty() && (should_stop_asking() || strategy.exhausted())) break;
    const std::vector<std::int64_t> arrived = pump_arrived_results();
    for (const std::int64_t id : arrived) tell(strategy, id);
    if (!arrived.empty()) maybe_publish();
  }
}

void Coordinator::report_progress(std::int64_t id) {
  if (!hooks_.progress) return;
  const std::int64_t feasible = feasible_count_;
  const double best_size = best_feasible_size_ > 0.0 ? best_feasible_size_ : INFINITY;
  const double base_size = history_.base ? static_cast<double>(history_.base->size_bytes) : 0.0;
  const double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count() / 60.0;
  const double per_minute = minutes > 0 ? static_cast<double>(results_this_run_) / minutes : 0.0;
  const std::int64_t done = static_cast<std::int64_t>(history_.results.size());
  const std::int64_t budget = experiment_.file.budget.evaluations;
  const EvaluationRecord& latest = history_.results.at(id);
  char line[512];
  std::string best = "none feasible yet";
  if (std::isfinite(best_size)) {
    best = "best " + size_text(best_size);
    if (base_size > 0) {
      char ratio[32];
      std::snprintf(ratio, sizeof ratio, " (%.1fx smaller)", base_size / best_size);
      best += ratio;
    }
  }
  std::string left;
  if (budget > 0 && per_minute > 0) {
    char text[48];
    std::snprintf(text, sizeof text, ", ~%.1f min left", static_cast<double>(budget - done) / per_minute);
    left = text;
  }
  std::snprintf(line, sizeof line, "%s: %lld/%s done, %lld feasible, %s, %.1f eval/min%s  [#%lld %s%s]",
                experiment_.file.name.c_str(), static_cast<long long>(done),
                budget > 0 ? std::to_string(budget).c_str() : "-", static_cast<long long>(feasible),
                best.c_str(), per_minute, left.c_str(), static_cast<long long>(id),
                recipe::status_name(latest.metrics.status), latest.feasible ? ", feasible" : "");
  hooks_.progress(line);
}

}  // namespace lathe::search

// Whether a campaign's task has run, read from its search's journal (the one source of
// truth): not started (no journal), started, or finished: its search ended with its budget
// spent (every asked candidate has its result, and the results reach the budget's
// evaluations, the end of a grid, or the budget's wall time).
#pragma once

#include <cstdint>

#include "search/experiment.h"
#include "search/search_history.h"

namespace lathe::campaign {

enum class TaskState { not_started, started, finished };

const char* task_state_name(TaskState state);  // "not started", "started", "finished"

struct TaskProgress {
  TaskState state = TaskState::not_started;
  std::int64_t results = 0;  // evaluations journaled
  std::int64_t planned = 0;  // what the budget (or the end of a grid) allows; 0: a wall-time budget only
};

// `experiment` is the task's experiment as the campaign gives it now: its budget may have
// grown since the search began, and then a finished search is started again.
TaskProgress task_progress(const search::Experiment& experiment, const search::SearchHistory& history);

// The same from the journal in the experiment's output folder (none: not started). A
// journal that cannot be read throws lathe::Error naming it.
TaskProgress read_task_progress(const search::Experiment& experiment);

}  // namespace lathe::campaign

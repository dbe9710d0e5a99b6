// The budget ladder of the multi-fidelity strategies (successive halving, ASHA): rung r
// gets min_resource * eta^r units of the resource (launch/ uses fine-tune epochs), capped
// at max_resource; the top rung is the first that reaches max_resource. A candidate
// promoted from rung r to r + 1 continues its rung-r state with the difference.
//   eta 3, min 1, max 9:  rungs 1, 3, 9     eta 2, min 1, max 5:  rungs 1, 2, 4, 5
#pragma once

#include <string>

namespace lathe::search {

struct RungSchedule {
  int eta = 3;
  int min_resource = 1;
  int max_resource = 9;

  // Throws lathe::Error naming `where` unless eta >= 2 and 1 <= min_resource <= max_resource.
  void check(const std::string& where) const;
  [[nodiscard]] int rungs() const;
  // The resource of `rung` (0-based, below rungs()), cumulative.
  [[nodiscard]] int resource(int rung) const;
};

}  // namespace lathe::search

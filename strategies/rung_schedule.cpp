#include "strategies/rung_schedule.h"

#include <algorithm>
#include <cstdint>

#include "core/error.h"

namespace lathe::search {

void RungSchedule::check(const std::string& where) const {
  LATHE_CHECK(eta >= 2, where, ": eta: expected an integer of at least 2, found ", eta);
  LATHE_CHECK(min_resource >= 1, where, ": the lowest rung's budget: expected at least 1, found ",
              min_resource);
  LATHE_CHECK(max_resource >= min_resource, where, ": the top rung's budget (", max_resource,
              ") is below the lowest rung's (", min_resource, ")");
}

int RungSchedule::rungs() const {
  int count = 1;
  for (std::int64_t r = min_resource; r < max_resource; r *= eta) ++count;
  return count;
}

int RungSchedule::resource(int rung) const {
  std::int64_t value = min_resource;
  for (int r = 0; r < rung && value < max_resource; ++r) value *= eta;
  return static_cast<int>(std::min<std::int64_t>(value, max_resource));
}

}  // namespace lathe::search

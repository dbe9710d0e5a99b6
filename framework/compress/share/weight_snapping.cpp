#include "compress/share/weight_snapping.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace lathe::compress::share {
namespace {

// The index of the value in `candidates` nearest to `w`; the first on ties.
template <class Number>
std::size_t nearest_index(double w, std::span<const Number> candidates) {
  std::size_t best = 0;
  double best_distance = std::abs(w - static_cast<double>(candidates[0]));
  for (std::size_t j = 1; j < candidates.size(); ++j) {
    const double distance = std::abs(w - static_cast<double>(candidates[j]));
    if (distance < best_distance) {
      best_distance = distance;
      best = j;
    }
  }
  return best;
}

}  // namespace

LayerSnap snap_to_target_means(std::span<float> weights, std::span<const double> means,
                               int min_members) {
  LATHE_CHECK(!means.empty() && means.size() <= 256, "snap_to_target_means: ", means.size(),
              " components (expected 1..256)");
  LayerSnap snap;
  snap.member_counts.assign(means.size(), 0);
  std::vector<std::size_t> component_of(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    component_of[i] = nearest_index(weights[i], means);
    ++snap.member_counts[component_of[i]];
  }
  for (std::size_t j = 0; j < means.size(); ++j) {
    if (snap.member_counts[j] > min_members) snap.target_components.push_back(j);
  }
  if (snap.target_components.empty()) {
    const auto most = std::max_element(snap.member_counts.begin(), snap.member_counts.end());
    snap.target_components.push_back(static_cast<std::size_t>(most - snap.member_counts.begin()));
  }
  // Component index -> codebook index, for the members of target components.
  std::vector<int> code_of_component(means.size(), -1);
  for (std::size_t c = 0; c < snap.target_components.size(); ++c) {
    code_of_component[snap.target_components[c]] = static_cast<int>(c);
    snap.codebook.push_back(static_cast<float>(means[snap.target_components[c]]));
  }
  snap.codes.resize(weights.size());
  const std::span<const float> codebook(snap.codebook);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const int own = code_of_component[component_of[i]];
    const std::size_t code = own >= 0 ? static_cast<std::size_t>(own) : nearest_index(weights[i], codebook);
    snap.codes[i] = static_cast<std::uint8_t>(code);
    weights[i] = snap.codebook[code];
  }
  return snap;
}

}  // namespace lathe::compress::share

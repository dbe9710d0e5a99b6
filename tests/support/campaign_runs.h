// Real `lathe campaign` runs for the campaign tests (tests/campaign/, tests/slurm/): the
// shipped tiny campaign with a few keys changed, written into a test's own folder, and
// what its summary and its tasks' results say, read back independently of Lathe's own
// summary code (CSV split by hand, the front's hypervolume swept here).
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/read_text.h"
#include "support/run_lathe.h"
#include "support/temp_dir.h"

namespace lathe::test_support {

// configs/campaigns/tiny.yaml with its output in `dir`/campaign (returned) and each
// `from` replaced by `to`, written as `dir`/tiny.yaml.
inline std::filesystem::path tiny_campaign(const TempDir& dir,
                                           const std::vector<std::pair<std::string, std::string>>& changes = {}) {
  std::string text = read_text(LATHE_SOURCE_DIR "/configs/campaigns/tiny.yaml");
  const std::filesystem::path output = dir.path() / "campaign";
  std::vector<std::pair<std::string, std::string>> all = {{"output: out/campaigns/tiny", "output: " + output.string()}};
  all.insert(all.end(), changes.begin(), changes.end());
  for (const auto& [from, to] : all) {
    const std::size_t at = text.find(from);
    if (at == std::string::npos) return "(tiny.yaml holds no '" + from + "')";
    text.replace(at, from.size(), to);
  }
  std::ofstream(dir.path() / "tiny.yaml") << text;
  return output;
}

// One CSV line split into fields ("" quotes a quote; commas inside quotes stay).
inline std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

// Rows of a CSV text as column -> value.
inline std::vector<std::map<std::string, std::string>> csv_rows(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = csv_fields(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = csv_fields(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < fields.size(); ++i) row[header[i]] = fields[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// A summary CSV without its timings (the columns wall_seconds* and
// evaluations_per_hour*): what two runs of one campaign must agree on.
inline std::string without_timings(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  std::vector<bool> keep;
  std::string out;
  bool header = true;
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = csv_fields(line);
    if (header) {
      for (const std::string& name : fields) {
        keep.push_back(name.find("wall_seconds") == std::string::npos &&
                       name.find("evaluations_per_hour") == std::string::npos);
      }
      header = false;
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i < keep.size() && keep[i]) out += fields[i] + "|";
    }
    out += "\n";
  }
  return out;
}

// A task's front and base as `lathe results` prints them.
struct TaskResults {
  double base_size = 0.0;
  double base_accuracy = 0.0;
  std::vector<std::pair<double, double>> feasible;  // (size_bytes, validation_accuracy)
  int evaluations = 0;
};

// The number after "key": in `json` at or after `from`.
inline double json_number_after(const std::string& json, const std::string& key, std::size_t from) {
  const std::size_t at = json.find("\"" + key + "\": ", from);
  return at == std::string::npos ? -1.0 : std::stod(json.substr(at + key.size() + 4));
}

inline TaskResults task_results(const std::filesystem::path& task_folder) {
  TaskResults results;
  const RunResult json = run_lathe("results " + task_folder.string() + " --json");
  const std::size_t base = json.output.find("\"base\": {");
  if (json.exit_code != 0 || base == std::string::npos) return results;
  results.base_size = json_number_after(json.output, "size_bytes", base);
  results.base_accuracy = json_number_after(json.output, "validation_accuracy", base);
  const RunResult csv = run_lathe("results " + task_folder.string() + " --csv");
  for (const auto& row : csv_rows(csv.output)) {
    ++results.evaluations;
    if (row.at("feasible") == "yes") {
      results.feasible.emplace_back(std::stod(row.at("size_bytes")), std::stod(row.at("validation_accuracy")));
    }
  }
  return results;
}

// The area the feasible points claim in (size / base size, accuracy) up to the reference
// (1, base accuracy - drop): a staircase swept from the smallest size up, as
// bench/compare_fronts.py does it.
inline double front_hypervolume_here(const TaskResults& results, double drop) {
  std::vector<std::pair<double, double>> points;
  for (const auto& [size, accuracy] : results.feasible) points.emplace_back(size / results.base_size, accuracy);
  std::sort(points.begin(), points.end(),
            [](const auto& a, const auto& b) { return a.first < b.first || (a.first == b.first && a.second > b.second); });
  const double floor = results.base_accuracy - drop;
  std::vector<std::pair<double, double>> front;
  for (const auto& p : points) {
    if (p.first < 1.0 && p.second > floor && (front.empty() || p.second > front.back().second)) front.push_back(p);
  }
  double area = 0.0;
  for (std::size_t i = 0; i < front.size(); ++i) {
    const double next = i + 1 < front.size() ? front[i + 1].first : 1.0;
    area += (next - front[i].first) * (front[i].second - floor);
  }
  return area;
}

}  // namespace lathe::test_support

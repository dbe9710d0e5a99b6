#include "search/results_file.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "io/atomic_hdf5_file.h"
#include "io/hdf5_calls.h"

namespace lathe::search {
namespace {

using io::Hdf5Handle;
using io::check;
using io::own;
using io::text_type;
using recipe::CandidateMetrics;

constexpr const char* kFormatName = "lathe-search-results";
constexpr std::int64_t kFormatVersion = 1;

// Writes attributes, groups and data sets under one HDF5 location, naming it in messages.
class Location {
 public:
  Location(hid_t id, std::string name, std::string path) : id_(id), name_(std::move(name)), path_(std::move(path)) {}

  [[nodiscard]] Hdf5Handle group(const char* name) const {
    return own(H5Gcreate2(id_, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, path_, ": ", child(name),
               ": cannot create the group");
  }

  void attribute(const char* name, const std::string& value) const { texts_attribute(name, {value}, true); }
  void attribute(const char* name, std::int64_t value) const {
    scalar_attribute(name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
  }
  void attribute(const char* name, std::uint64_t value) const {
    scalar_attribute(name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
  }
  void attribute(const char* name, double value) const {
    scalar_attribute(name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
  }
  // A 1-D array of strings (h5py: a numpy array of str).
  void attribute(const char* name, const std::vector<std::string>& values) const {
    texts_attribute(name, values, false);
  }

  void column(const char* name, const std::vector<std::int64_t>& values) const {
    data_set(name, H5T_STD_I64LE, H5T_NATIVE_INT64, {values.size()}, values.data());
  }
  void column(const char* name, const std::vector<std::uint64_t>& values) const {
    data_set(name, H5T_STD_U64LE, H5T_NATIVE_UINT64, {values.size()}, values.data());
  }
  void column(const char* name, const std::vector<std::int8_t>& values) const {
    data_set(name, H5T_STD_I8LE, H5T_NATIVE_INT8, {values.size()}, values.data());
  }
  void column(const char* name, const std::vector<double>& values) const {
    data_set(name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {values.size()}, values.data());
  }
  void column(const char* name, const std::vector<std::string>& values) const {
    const std::vector<const char*> pointers = c_strings(child(name), values);
    const Hdf5Handle type = text_type();
    data_set(name, type.get(), type.get(), {values.size()}, pointers.data());
  }
  // Row-major rows x columns, with the columns' names in its attribute `names`.
  void matrix(const char* name, const std::vector<double>& values, std::size_t rows,
              const std::vector<std::string>& column_names) const {
    const Hdf5Handle data =
        data_set(name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {rows, column_names.size()}, values.data());
    Location(data.get(), child(name), path_).attribute("names", column_names);
  }

 private:
  [[nodiscard]] std::string child(const char* name) const { return (name_ == "/" ? "/" : name_ + "/") + name; }
  [[nodiscard]] std::string attribute_name(const char* name) const {
    return name_ + " attribute '" + name + "'";
  }

  // Variable-length strings are NUL-terminated: a NUL inside would cut the text short
  // without a word.
  [[nodiscard]] std::vector<const char*> c_strings(const std::string& what,
                                                   const std::vector<std::string>& values) const {
    std::vector<const char*> pointers;
    for (std::size_t row = 0; row < values.size(); ++row) {
      LATHE_CHECK(values[row].find('\0') == std::string::npos, path_, ": ", what, "[", row,
                  "]: expected text without NUL bytes, found one at byte ", values[row].find('\0'));
      pointers.push_back(values[row].c_str());
    }
    return pointers;
  }

  void scalar_attribute(const char* name, hid_t stored, hid_t memory, const void* value) const {
    const Hdf5Handle space = own(H5Screate(H5S_SCALAR), H5Sclose, path_, ": cannot create a scalar dataspace");
    write_attribute(name, stored, memory, space.get(), value);
  }

  void texts_attribute(const char* name, const std::vector<std::string>& values, bool scalar) const {
    const std::vector<const char*> pointers = c_strings(attribute_name(name), values);
    const hsize_t dims[1] = {values.size()};
    const Hdf5Handle space = scalar ? own(H5Screate(H5S_SCALAR), H5Sclose, path_, ": cannot create a dataspace")
                                    : own(H5Screate_simple(1, dims, nullptr), H5Sclose, path_, ": ", child(name),
                                          ": cannot create its dataspace");
    const Hdf5Handle type = text_type();
    write_attribute(name, type.get(), type.get(), space.get(), pointers.data());
  }

  void write_attribute(const char* name, hid_t stored, hid_t memory, hid_t space, const void* value) const {
    const Hdf5Handle attribute = own(H5Acreate2(id_, name, stored, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                                     path_, ": ", attribute_name(name), ": cannot create it");
    check(H5Awrite(attribute.get(), memory, value), path_, ": ", attribute_name(name), ": cannot write it");
  }

  Hdf5Handle data_set(const char* name, hid_t stored, hid_t memory, std::vector<hsize_t> dims,
                      const void* values) const {
    const Hdf5Handle space = own(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
                                 path_, ": ", child(name), ": cannot create its dataspace");
    Hdf5Handle data =
        own(H5Dcreate2(id_, name, stored, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose, path_,
            ": ", child(name), ": cannot create the data set");
    hsize_t count = 1;
    for (const hsize_t dim : dims) count *= dim;
    if (count > 0) {
      check(H5Dwrite(data.get(), memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), path_, ": ", child(name),
            ": cannot write the values");
    }
    return data;
  }

  hid_t id_;
  std::string name_;
  std::string path_;
};

// One column of every evaluation: `field` picks the value from a record.
template <class Value, class Field>
std::vector<Value> column_of(const std::vector<EvaluationRecord>& evaluations, Field field) {
  std::vector<Value> values;
  values.reserve(evaluations.size());
  for (const EvaluationRecord& record : evaluations) values.push_back(static_cast<Value>(field(record)));
  return values;
}

void write_base(const Location& base, const CandidateMetrics& m) {
  base.attribute("status", std::string(recipe::status_name(m.status)));
  base.attribute("message", m.message);
  base.attribute("validation_loss", m.validation_loss);
  base.attribute("validation_accuracy", m.validation_accuracy);
  base.attribute("test_accuracy", m.test_accuracy);
  base.attribute("size_bytes", m.size_bytes);
  base.attribute("parameter_count", m.parameter_count);
  base.attribute("macs", m.macs);
  base.attribute("latency_batch1_ms", m.latency_batch1_ms);
  base.attribute("latency_batch128_ms", m.latency_batch128_ms);
  base.attribute("wall_seconds", m.wall_seconds);
  base.attribute("compress_seconds", m.compress_seconds);
  base.attribute("finetune_seconds", m.finetune_seconds);
  base.attribute("measure_seconds", m.measure_seconds);
  base.attribute("peak_memory_bytes", m.peak_memory_bytes);
  base.attribute("candidate_id", m.candidate_id);
  base.attribute("seed", m.seed);
  base.attribute("recipe_hash", m.recipe_hash);
  base.attribute("rank", static_cast<std::int64_t>(m.rank));
  base.attribute("host", m.host);
}

std::vector<double> objective_matrix(const SearchOutcome& outcome, const std::string& path) {
  const std::size_t k = outcome.objectives.size();
  std::vector<double> values;
  values.reserve(outcome.evaluations.size() * k);
  for (const EvaluationRecord& record : outcome.evaluations) {
    LATHE_CHECK(record.objectives.empty() || record.objectives.size() == k, path,
                ": /evaluations/objectives: evaluation ", record.id, ": expected ", k,
                " objective values (or none), found ", record.objectives.size());
    for (std::size_t j = 0; j < k; ++j) {
      values.push_back(record.objectives.empty() ? std::numeric_limits<double>::quiet_NaN() : record.objectives[j]);
    }
  }
  return values;
}

void write_evaluations(const Location& group, const SearchOutcome& outcome, const std::string& path) {
  const std::vector<EvaluationRecord>& e = outcome.evaluations;
  using R = const EvaluationRecord&;
  group.column("id", column_of<std::int64_t>(e, [](R r) { return r.id; }));
  group.column("rung", column_of<std::int64_t>(e, [](R r) { return r.rung; }));
  group.column("status", column_of<std::string>(e, [](R r) { return recipe::status_name(r.metrics.status); }));
  group.column("message", column_of<std::string>(e, [](R r) { return r.metrics.message; }));
  group.column("recipe", column_of<std::string>(e, [](R r) { return r.recipe_yaml; }));
  group.column("point", column_of<std::string>(e, [](R r) { return r.point_json; }));
  group.column("feasible", column_of<std::int8_t>(e, [](R r) { return r.feasible ? 1 : 0; }));
  group.column("violated", column_of<std::string>(e, [](R r) { return r.violated; }));
  group.column("artifact", column_of<std::string>(e, [](R r) { return r.artifact; }));

  std::vector<std::string> names;
  for (const ObjectiveSpec& objective : outcome.objectives) names.push_back(objective.metric);
  group.matrix("objectives", objective_matrix(outcome, path), e.size(), names);

  group.column("validation_loss", column_of<double>(e, [](R r) { return r.metrics.validation_loss; }));
  group.column("validation_accuracy", column_of<double>(e, [](R r) { return r.metrics.validation_accuracy; }));
  group.column("test_accuracy", column_of<double>(e, [](R r) { return r.metrics.test_accuracy; }));
  group.column("size_bytes", column_of<std::int64_t>(e, [](R r) { return r.metrics.size_bytes; }));
  group.column("parameter_count", column_of<std::int64_t>(e, [](R r) { return r.metrics.parameter_count; }));
  group.column("macs", column_of<std::int64_t>(e, [](R r) { return r.metrics.macs; }));
  group.column("latency_batch1_ms", column_of<double>(e, [](R r) { return r.metrics.latency_batch1_ms; }));
  group.column("latency_batch128_ms", column_of<double>(e, [](R r) { return r.metrics.latency_batch128_ms; }));
  group.column("wall_seconds", column_of<double>(e, [](R r) { return r.metrics.wall_seconds; }));
  group.column("compress_seconds", column_of<double>(e, [](R r) { return r.metrics.compress_seconds; }));
  group.column("finetune_seconds", column_of<double>(e, [](R r) { return r.metrics.finetune_seconds; }));
  group.column("measure_seconds", column_of<double>(e, [](R r) { return r.metrics.measure_seconds; }));
  group.column("peak_memory_bytes", column_of<std::int64_t>(e, [](R r) { return r.metrics.peak_memory_bytes; }));
  group.column("continued_steps", column_of<std::int64_t>(e, [](R r) { return r.metrics.continued_steps; }));
  group.column("candidate_id", column_of<std::int64_t>(e, [](R r) { return r.metrics.candidate_id; }));
  group.column("rank", column_of<std::int64_t>(e, [](R r) { return r.metrics.rank; }));
  group.column("host", column_of<std::string>(e, [](R r) { return r.metrics.host; }));
  group.column("seed", column_of<std::uint64_t>(e, [](R r) { return r.metrics.seed; }));
  group.column("recipe_hash", column_of<std::string>(e, [](R r) { return r.metrics.recipe_hash; }));
  group.column("finished_seconds", column_of<double>(e, [](R r) { return r.finished_seconds; }));
}

void write_contents(hid_t file, const SearchOutcome& outcome, const std::string& path) {
  const Location root(file, "/", path);
  root.attribute("format", std::string(kFormatName));
  root.attribute("format_version", kFormatVersion);
  root.attribute("experiment_name", outcome.experiment_name);
  root.attribute("experiment_path", outcome.experiment_path);
  root.attribute("experiment_yaml", outcome.experiment_yaml);
  root.attribute("strategy", outcome.strategy);
  root.attribute("mode", outcome.mode);
  root.attribute("budget_evaluations", outcome.budget_evaluations);
  root.attribute("elapsed_seconds", outcome.elapsed_seconds);
  std::vector<std::string> names;
  std::vector<std::string> goals;
  for (const ObjectiveSpec& objective : outcome.objectives) {
    names.push_back(objective.metric);
    goals.emplace_back(objective.maximize ? "maximize" : "minimize");
  }
  root.attribute("objectives", names);
  root.attribute("objective_goals", goals);
  root.attribute("max_size_bytes", outcome.constraints.max_size_bytes);
  root.attribute("max_accuracy_drop", outcome.constraints.max_accuracy_drop);
  root.attribute("max_macs", outcome.constraints.max_macs);
  root.attribute("max_latency_ms", outcome.constraints.max_latency_ms);

  const Hdf5Handle base = root.group("base");
  write_base(Location(base.get(), "/base", path), outcome.base);
  const Hdf5Handle evaluations = root.group("evaluations");
  write_evaluations(Location(evaluations.get(), "/evaluations", path), outcome, path);
  const Hdf5Handle pareto = root.group("pareto");
  Location(pareto.get(), "/pareto", path).column("ids", outcome.pareto_ids);
}

}  // namespace

void write_results_file(const std::string& path, const SearchOutcome& outcome) {
  io::write_hdf5_atomically(path, "search results", [&](hid_t file) { write_contents(file, outcome, path); });
}

}  // namespace lathe::search

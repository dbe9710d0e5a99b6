#include "recipe/metrics.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <type_traits>
#include <utility>

#include "core/error.h"
#include "recipe/json_text.h"

namespace lathe::recipe {
namespace {

constexpr CandidateStatus kStatuses[] = {CandidateStatus::ok, CandidateStatus::diverged,
                                         CandidateStatus::failed, CandidateStatus::timeout,
                                         CandidateStatus::crashed};

// What a message shows of a value that is not of the kind expected.
std::string shown(const YAML::Node& value) {
  if (value.IsNull()) return "null";
  if (value.IsSequence()) return "a list";
  if (value.IsMap()) return "an object";
  std::string text = value.Scalar();
  if (text.size() > 40) text = text.substr(0, 40) + "...";
  return value.Tag() == "!" ? json_string(text) : text;
}

// yaml-cpp tags a quoted scalar "!" and a plain one "?": JSON numbers, true and false are
// plain, strings quoted, so "5" never reads as a number nor 5 as text.
bool is_plain(const YAML::Node& value) { return value.IsScalar() && value.Tag() != "!"; }
bool is_quoted(const YAML::Node& value) { return value.IsScalar() && value.Tag() == "!"; }

// JSON's number grammar: strtod alone would also take "nan", "0x1p3" and " 5".
bool is_json_number(const std::string& text, bool integer_only) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i > start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (integer_only) return i == text.size();
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

template <class Integer>
Integer integer_from_yaml(const YAML::Node& value, const std::string& where) {
  const char* expected = std::is_signed_v<Integer> ? "an integer" : "a non-negative integer";
  LATHE_CHECK(is_plain(value) && is_json_number(value.Scalar(), true), where, ": expected ", expected,
              ", found ", shown(value));
  const std::string& text = value.Scalar();
  Integer parsed{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  LATHE_CHECK(error == std::errc() && end == text.data() + text.size(), where, ": expected ", expected,
              " from ", std::numeric_limits<Integer>::min(), " to ", std::numeric_limits<Integer>::max(),
              ", found ", text);
  return parsed;
}

// Every field once, in the order the JSON lists them: the writer and the reader both walk
// this list, so a field cannot be written and then forgotten on reading (or the reverse).
template <class Metrics, class Visitor>
void visit_fields(Metrics& m, Visitor& visit) {
  visit("status", m.status);
  visit("message", m.message);
  visit("validation_loss", m.validation_loss);
  visit("validation_accuracy", m.validation_accuracy);
  visit("test_accuracy", m.test_accuracy);
  visit("size_bytes", m.size_bytes);
  visit("parameter_count", m.parameter_count);
  visit("macs", m.macs);
  visit("latency_batch1_ms", m.latency_batch1_ms);
  visit("latency_batch128_ms", m.latency_batch128_ms);
  visit("wall_seconds", m.wall_seconds);
  visit("compress_seconds", m.compress_seconds);
  visit("finetune_seconds", m.finetune_seconds);
  visit("measure_seconds", m.measure_seconds);
  visit("peak_memory_bytes", m.peak_memory_bytes);
  visit("continued_steps", m.continued_steps);
  visit("candidate_id", m.candidate_id);
  visit("seed", m.seed);
  visit("recipe_hash", m.recipe_hash);
  visit("rank", m.rank);
  visit("host", m.host);
}

class JsonWriter {
 public:
  void operator()(const char* key, CandidateStatus value) { field(key, json_string(status_name(value))); }
  void operator()(const char* key, const std::string& value) { field(key, json_string(value)); }
  void operator()(const char* key, double value) { field(key, json_number(value)); }
  void operator()(const char* key, std::int64_t value) { field(key, std::to_string(value)); }
  void operator()(const char* key, std::uint64_t value) { field(key, std::to_string(value)); }
  void operator()(const char* key, int value) { field(key, std::to_string(value)); }
  [[nodiscard]] std::string json() const { return text_ + "}"; }

 private:
  void field(const char* key, const std::string& value) {
    text_ += (text_.empty() ? "{" : ", ") + json_string(key) + ": " + value;
  }
  std::string text_;
};

class YamlFieldReader {
 public:
  YamlFieldReader(const YAML::Node& object, std::string source, std::string key_prefix)
      : source_(std::move(source)), prefix_(std::move(key_prefix)) {
    LATHE_CHECK(object.IsMap(), source_, ": ", prefix_.empty() ? "" : prefix_.substr(0, prefix_.size() - 1) + ": ",
                "expected a JSON object of candidate metrics, found ", shown(object));
    for (const auto& field : object) {
      const std::string key = field.first.Scalar();
      LATHE_CHECK(fields_.emplace(key, field.second).second, source_, ": ", prefix_, key,
                  ": expected each field once, found it twice");
    }
  }

  void operator()(const char* key, CandidateStatus& value) {
    if (const YAML::Node* field = take(key)) value = status_from_name(text_from_yaml(*field, where(key)), where(key));
  }
  void operator()(const char* key, std::string& value) {
    if (const YAML::Node* field = take(key)) value = text_from_yaml(*field, where(key));
  }
  void operator()(const char* key, double& value) {
    if (const YAML::Node* field = take(key)) value = double_from_yaml(*field, where(key));
  }
  void operator()(const char* key, std::int64_t& value) {
    if (const YAML::Node* field = take(key)) value = int64_from_yaml(*field, where(key));
  }
  void operator()(const char* key, std::uint64_t& value) {
    if (const YAML::Node* field = take(key)) value = integer_from_yaml<std::uint64_t>(*field, where(key));
  }
  void operator()(const char* key, int& value) {
    if (const YAML::Node* field = take(key)) value = integer_from_yaml<int>(*field, where(key));
  }

  // Fields no visit took: a misspelt name would otherwise silently keep its default.
  void finish() const {
    if (fields_.size() == taken_.size()) return;
    for (const auto& [key, value] : fields_) {
      LATHE_CHECK(taken_.count(key) > 0, source_, ": ", prefix_, key,
                  ": unknown field (expected a field of the candidate metrics, e.g. validation_loss)");
    }
  }

 private:
  const YAML::Node* take(const char* key) {
    const auto found = fields_.find(key);
    if (found == fields_.end()) return nullptr;
    taken_.insert(key);
    return &found->second;
  }
  [[nodiscard]] std::string where(const char* key) const { return source_ + ": " + prefix_ + key; }

  std::string source_;
  std::string prefix_;
  std::map<std::string, YAML::Node> fields_;
  std::set<std::string> taken_;
};

}  // namespace

const char* status_name(CandidateStatus status) {
  switch (status) {
    case CandidateStatus::ok: return "ok";
    case CandidateStatus::diverged: return "diverged";
    case CandidateStatus::failed: return "failed";
    case CandidateStatus::timeout: return "timeout";
    case CandidateStatus::crashed: return "crashed";
  }
  return "failed";
}

CandidateStatus status_from_name(const std::string& name, const std::string& source) {
  for (const CandidateStatus status : kStatuses) {
    if (name == status_name(status)) return status;
  }
  fail(source, ": expected a status (ok, diverged, failed, timeout or crashed), found ", json_string(name));
}

std::string json_number(double value) {
  if (std::isnan(value)) return "null";
  if (std::isinf(value)) return value > 0 ? "\"inf\"" : "\"-inf\"";
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

YAML::Node parse_json(const std::string& json, const std::string& source) {
  try {
    return YAML::Load(json);
  } catch (const YAML::Exception& e) {
    fail(source, ": expected one line of JSON, found malformed text at column ", e.mark.column + 1, ": ", e.msg);
  }
}

double double_from_yaml(const YAML::Node& value, const std::string& where) {
  if (value.IsNull()) return std::numeric_limits<double>::quiet_NaN();
  if (is_quoted(value) && value.Scalar() == "inf") return std::numeric_limits<double>::infinity();
  if (is_quoted(value) && value.Scalar() == "-inf") return -std::numeric_limits<double>::infinity();
  LATHE_CHECK(is_plain(value) && is_json_number(value.Scalar(), false), where,
              ": expected a number (or null, \"inf\", \"-inf\"), found ", shown(value));
  errno = 0;
  const double parsed = std::strtod(value.Scalar().c_str(), nullptr);
  // ERANGE also flags subnormals, which "%.17g" writes and strtod reads back exactly.
  LATHE_CHECK(!(errno == ERANGE && std::isinf(parsed)), where,
              ": expected a number within the range of a double, found ", value.Scalar());
  return parsed;
}

std::int64_t int64_from_yaml(const YAML::Node& value, const std::string& where) {
  return integer_from_yaml<std::int64_t>(value, where);
}

std::string text_from_yaml(const YAML::Node& value, const std::string& where) {
  LATHE_CHECK(is_quoted(value), where, ": expected a string, found ", shown(value));
  return value.Scalar();
}

bool bool_from_yaml(const YAML::Node& value, const std::string& where) {
  LATHE_CHECK(is_plain(value) && (value.Scalar() == "true" || value.Scalar() == "false"), where,
              ": expected true or false, found ", shown(value));
  return value.Scalar() == "true";
}

std::string metrics_to_json(const CandidateMetrics& m) {
  JsonWriter writer;
  visit_fields(m, writer);
  return writer.json();
}

CandidateMetrics metrics_from_yaml(const YAML::Node& object, const std::string& source,
                                   const std::string& key_prefix) {
  CandidateMetrics metrics;
  YamlFieldReader reader(object, source, key_prefix);
  visit_fields(metrics, reader);
  reader.finish();
  return metrics;
}

CandidateMetrics metrics_from_json(const std::string& json, const std::string& source) {
  return metrics_from_yaml(parse_json(json, source), source);
}

}  // namespace lathe::recipe

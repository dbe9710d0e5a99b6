#include "onnx/input_preparation.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "core/error.h"

namespace lathe::onnx_io {
namespace {

double parse_number(const std::string& text, const std::string& what) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  LATHE_CHECK(!text.empty() && end == text.c_str() + text.size() && std::isfinite(value), what,
              ": expected a number, found '", text, "'");
  return value;
}

std::vector<double> per_channel(const std::vector<double>& values, double fallback, int channels,
                                const char* key, const std::string& where) {
  if (values.empty()) return std::vector<double>(static_cast<std::size_t>(channels), fallback);
  if (values.size() == 1) return std::vector<double>(static_cast<std::size_t>(channels), values[0]);
  LATHE_CHECK(values.size() == static_cast<std::size_t>(channels), where, ": ", key,
              ": expected one value for all channels or one per channel (the model has ", channels,
              "), found ", values.size());
  return values;
}

std::string list_text(const std::vector<double>& values) {
  std::ostringstream out;
  out << "[";
  for (std::size_t i = 0; i < values.size(); ++i) out << (i == 0 ? "" : ", ") << values[i];
  out << "]";
  return out.str();
}

}  // namespace

double parse_scale(const std::string& text, const std::string& what) {
  const auto slash = text.find('/');
  const double scale = slash == std::string::npos
                           ? parse_number(text, what)
                           : parse_number(text.substr(0, slash), what) / parse_number(text.substr(slash + 1), what);
  LATHE_CHECK(std::isfinite(scale) && scale > 0.0, what, ": expected a positive number, found '", text, "'");
  return scale;
}

std::vector<double> parse_channel_values(const std::string& text, const std::string& what) {
  std::vector<double> values;
  std::stringstream parts(text);
  for (std::string part; std::getline(parts, part, ',');) values.push_back(parse_number(part, what));
  LATHE_CHECK(!values.empty(), what, ": expected one number per channel, found '", text, "'");
  return values;
}

data::Normalization normalization_for(const InputPreparation& preparation, int channels, const std::string& where,
                                      const std::vector<double>& graph_mean, const std::vector<double>& graph_std) {
  std::vector<double> mean = per_channel(preparation.mean, 0.0, channels, "mean", where);
  std::vector<double> std = per_channel(preparation.std, 1.0, channels, "std", where);
  // ((y - m) / s - gm) / gs = (y - (m + gm s)) / (s gs), y = raw * scale
  for (std::size_t c = 0; c < graph_mean.size() && c < mean.size(); ++c) {
    mean[c] += graph_mean[c] * std[c];
    std[c] *= graph_std[c];
  }
  // (raw * s - m) / d = (raw / 255 - m / (255 s)) / (d / (255 s))
  const double factor = 255.0 * preparation.scale;
  data::Normalization normalization;
  for (int c = 0; c < channels; ++c) {
    LATHE_CHECK(std[c] > 0.0, where, ": std: expected positive values, found ", std[c]);
    normalization.mean.push_back(static_cast<float>(mean[c] / factor));
    normalization.std.push_back(static_cast<float>(std[c] / factor));
  }
  return normalization;
}

std::string preparation_text(const InputPreparation& preparation) {
  std::ostringstream out;
  out << "scale " << preparation.scale << ", mean "
      << (preparation.mean.empty() ? std::string("0") : list_text(preparation.mean)) << ", std "
      << (preparation.std.empty() ? std::string("1") : list_text(preparation.std));
  return out.str();
}

}  // namespace lathe::onnx_io

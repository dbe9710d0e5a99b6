// point_to_json and point_from_json (declared in search_space.h).
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/error.h"
#include "core/json_text.h"
#include "strategies/number_text.h"
#include "strategies/search_space.h"

namespace lathe::search {
namespace {

double read_value(const Dimension& d, const YAML::Node& node, const std::string& at) {
  LATHE_CHECK(node.IsScalar(), at, ": expected a single value, found a list or a map");
  if (d.kind == Dimension::Kind::categorical) {
    const auto found = std::find(d.choices.begin(), d.choices.end(), node.Scalar());
    if (found == d.choices.end()) {
      std::string known;
      for (const std::string& choice : d.choices) known += (known.empty() ? "" : ", ") + choice;
      fail(at, ": expected one of ", known, ", found '", node.Scalar(), "'");
    }
    return static_cast<double>(found - d.choices.begin());
  }
  try {
    return node.as<double>();
  } catch (const YAML::Exception&) {
    fail(at, ": expected a number, found '", node.Scalar(), "'");
  }
}

// The values `root` gives by dimension name; the rest from `defaults`, or an error when
// there are none.
Point read_point(const SearchSpace& space, const YAML::Node& root, const Point* defaults, const std::string& source) {
  LATHE_CHECK(root.IsMap(), source, ": expected a mapping of dimension values, found ",
              root.IsNull() ? "nothing" : "another kind of value");
  const std::vector<Dimension>& dimensions = space.dimensions;
  Point point = defaults != nullptr ? *defaults : Point(dimensions.size(), 0.0);
  std::vector<bool> seen(dimensions.size(), false);
  for (const auto& entry : root) {
    const std::string name = entry.first.Scalar();
    const auto found = std::find_if(dimensions.begin(), dimensions.end(),
                                    [&](const Dimension& d) { return d.name == name; });
    LATHE_CHECK(found != dimensions.end(), source, ": '", name, "': not a dimension of the space");
    const auto index = static_cast<std::size_t>(found - dimensions.begin());
    LATHE_CHECK(!seen[index], source, ": '", name, "': given twice");
    seen[index] = true;
    point[index] = read_value(*found, entry.second, source + ": '" + name + "'");
  }
  for (std::size_t i = 0; i < dimensions.size() && defaults == nullptr; ++i) {
    LATHE_CHECK(seen[i], source, ": '", dimensions[i].name,
                "': missing (every dimension needs a value)");
  }
  return point;
}

}  // namespace

Point partial_point(const SearchSpace& space, const YAML::Node& values, const Point& defaults,
                    const std::string& source) {
  Point point = read_point(space, values, &defaults, source);
  try {
    check_point(space, point);
  } catch (const Error& e) {
    fail(source, ": ", e.what());
  }
  return point;
}

std::string point_to_json(const SearchSpace& space, const Point& point) {
  check_point(space, point);
  std::string json = "{";
  for (std::size_t i = 0; i < point.size(); ++i) {
    const Dimension& d = space.dimensions[i];
    if (i > 0) json += ", ";
    json += json_string(d.name) + ": ";
    json += d.kind == Dimension::Kind::categorical
                ? json_string(d.choices[static_cast<std::size_t>(point[i])])
                : exact_number(point[i]);
  }
  return json + "}";
}

Point point_from_json(const SearchSpace& space, const std::string& json,
                      const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(json);
  } catch (const YAML::Exception& e) {
    fail(source, ": expected a JSON object of dimension values, found text that does not parse (",
         e.what(), ")");
  }
  LATHE_CHECK(root.IsMap(), source, ": expected a JSON object of dimension values, found ",
              root.IsNull() ? "nothing" : "another kind of value");
  Point point = read_point(space, root, nullptr, source);
  try {
    check_point(space, point);
  } catch (const Error& e) {
    fail(source, ": ", e.what());
  }
  return point;
}

}  // namespace lathe::search

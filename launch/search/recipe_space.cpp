#include "search/recipe_space.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "config/yaml_reader.h"
#include "core/error.h"
#include "recipe/recipe.h"
#include "strategies/sensitivity_seeds.h"

namespace lathe::search {

std::string recipe_step_line(const std::string& kind, const YAML::Node& params) {
  YAML::Emitter out;
  out << YAML::Flow << params;
  return "- " + kind + ": " + out.c_str() + "\n";
}
namespace {

const char* const kDimensionKeys[] = {"choice", "range", "int_range", "log_range"};

bool is_dimension(const YAML::Node& value) {
  if (!value.IsMap()) return false;
  for (const char* key : kDimensionKeys) {
    if (value[key]) return true;
  }
  return false;
}

std::string number_text(double value, bool integral) {
  char text[40];
  if (integral) {
    std::snprintf(text, sizeof text, "%lld", static_cast<long long>(std::llround(value)));
  } else {
    // Six significant digits: what a person reads in the recipe is what was evaluated.
    std::snprintf(text, sizeof text, "%.6g", value);
  }
  return text;
}

double scalar_number(const YAML::Node& node, const std::string& where, const std::string& key) {
  if (node.IsScalar()) {
    try {
      return node.as<double>();
    } catch (const YAML::Exception&) {
    }
  }
  fail(config::source_line(where, node), ": ", key, ": expected a number, got ",
       node.IsScalar() ? "'" + node.Scalar() + "'" : std::string("a list or mapping"));
}

// Reads {choice|range|int_range|log_range: ..., per_layer: [...], default: D}.
SearchedKey read_searched_key(const std::string& label, const std::string& key,
                              const YAML::Node& spec, const std::string& source,
                              SearchSpace& space) {
  const std::string name = label + "." + key;
  const std::string where = config::source_line(source, spec);
  SearchedKey searched;
  searched.key = key;
  int kinds = 0;
  Dimension dimension;
  for (const auto& entry : spec) {
    const std::string field = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    if (field == "per_layer") {
      LATHE_CHECK(value.IsSequence() && value.size() > 0, where, ": space: ", name,
                  ".per_layer: expected a non-empty list of layer names");
      for (const YAML::Node& layer : value) {
        LATHE_CHECK(layer.IsScalar(), where, ": space: ", name,
                    ".per_layer: expected layer names, found a list or mapping in it");
        searched.layers.push_back(layer.Scalar());
      }
      continue;
    }
    if (field == "default") {
      searched.layer_default = YAML::Clone(value);
      searched.has_layer_default = true;
      continue;
    }
    if (std::find(std::begin(kDimensionKeys), std::end(kDimensionKeys), field) ==
        std::end(kDimensionKeys)) {
      fail(where, ": space: ", name, ".", field,
           ": unknown key; a dimension has one of choice, range, int_range, log_range, and "
           "optionally per_layer and default");
    }
    ++kinds;
    LATHE_CHECK(value.IsSequence(), where, ": space: ", name, ".", field, ": expected a list");
    if (field == "choice") {
      LATHE_CHECK(value.size() >= 1, where, ": space: ", name, ".choice: expected at least one value");
      dimension.kind = Dimension::Kind::categorical;
      for (const YAML::Node& choice : value) {
        searched.choices.push_back(YAML::Clone(choice));
        YAML::Emitter out;
        out << YAML::Flow << choice;
        dimension.choices.emplace_back(out.c_str());
      }
      continue;
    }
    LATHE_CHECK(value.size() == 2, where, ": space: ", name, ".", field,
                ": expected [low, high], got a list of ", value.size());
    dimension.low = scalar_number(value[0], source, name + "." + field + "[0]");
    dimension.high = scalar_number(value[1], source, name + "." + field + "[1]");
    LATHE_CHECK(dimension.low <= dimension.high, where, ": space: ", name, ".", field,
                ": expected low <= high, got [", dimension.low, ", ", dimension.high, "]");
    if (field == "int_range") {
      dimension.kind = Dimension::Kind::integer;
      LATHE_CHECK(dimension.low == std::floor(dimension.low) && dimension.high == std::floor(dimension.high),
                  where, ": space: ", name, ".int_range: expected integers, got [", dimension.low,
                  ", ", dimension.high, "]");
    } else if (field == "log_range") {
      dimension.kind = Dimension::Kind::log_real;
      LATHE_CHECK(dimension.low > 0.0, where, ": space: ", name,
                  ".log_range: expected numbers greater than 0, got ", dimension.low);
    } else {
      dimension.kind = Dimension::Kind::real;
    }
  }
  LATHE_CHECK(kinds == 1, where, ": space: ", name,
              ": expected exactly one of choice, range, int_range, log_range, got ", kinds);
  LATHE_CHECK(!searched.has_layer_default || searched.layer_default.IsScalar(),
              where, ": space: ", name, ".default: expected a single value");
  LATHE_CHECK(!searched.has_layer_default || !searched.layers.empty(), where, ": space: ", name,
              ".default: only meaningful with per_layer");
  const std::vector<std::string> suffixes =
      searched.layers.empty() ? std::vector<std::string>{""} : searched.layers;
  for (const std::string& layer : suffixes) {
    Dimension copy = dimension;
    copy.name = layer.empty() ? name : name + "." + layer;
    searched.dimensions.push_back(static_cast<int>(space.dimensions.size()));
    space.dimensions.push_back(std::move(copy));
  }
  return searched;
}

YAML::Node value_node(const Dimension& dimension, const SearchedKey& searched, double value) {
  switch (dimension.kind) {
    case Dimension::Kind::categorical:
      return YAML::Clone(searched.choices.at(static_cast<std::size_t>(value)));
    case Dimension::Kind::integer:
      return YAML::Node(number_text(value, true));
    case Dimension::Kind::real:
    case Dimension::Kind::log_real:
      return YAML::Node(number_text(value, false));
  }
  return YAML::Node();
}

}  // namespace

RecipeSpace::RecipeSpace(const YAML::Node& node, const std::string& source) {
  const std::string where = config::source_line(source, node);
  LATHE_CHECK(node.IsMap(), where, ": space: expected a mapping with `steps` (and optionally `orders`)");
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    LATHE_CHECK(key == "steps" || key == "orders", config::source_line(source, entry.first),
                ": space.", key, ": unknown key; known keys here: steps, orders");
  }
  const YAML::Node steps = node["steps"];
  LATHE_CHECK(steps && steps.IsSequence() && steps.size() > 0, where,
              ": space.steps: expected a non-empty list of recipe steps");
  std::map<std::string, int> kind_counts;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const YAML::Node& item = steps[i];
    const std::string item_where = config::source_line(source, item);
    LATHE_CHECK(item.IsMap() && item.size() == 1, item_where, ": space.steps[", i,
                "]: expected a one-key mapping like `- prune: {...}`");
    StepTemplate step;
    step.kind = item.begin()->first.Scalar();
    step.where = item_where;
    const auto& kinds = recipe::recipe_step_kinds();
    if (std::find(kinds.begin(), kinds.end(), step.kind) == kinds.end()) {
      std::string known;
      for (const std::string& k : kinds) known += (known.empty() ? "" : ", ") + k;
      const std::string near = config::nearest_word(step.kind, kinds);
      fail(item_where, ": space.steps[", i, "]: unknown step '", step.kind, "'",
           near.empty() ? "" : " (did you mean '" + near + "'?)", "; known steps: ", known);
    }
    const YAML::Node params = item.begin()->second;
    LATHE_CHECK(!params || params.IsNull() || params.IsMap(), item_where, ": space.steps[", i, "].",
                step.kind, ": expected a mapping of the step's keys");
    step.label = step.kind;
    bool optional = false;
    if (params && params.IsMap()) {
      if (params["label"]) step.label = params["label"].Scalar();
      if (params["optional"]) {
        const std::string text = params["optional"].Scalar();
        LATHE_CHECK(text == "true" || text == "false", config::source_line(source, params["optional"]),
                    ": space.steps[", i, "].optional: expected true or false, got '", text, "'");
        optional = text == "true";
      }
    }
    if (!params || !params.IsMap() || !params["label"]) {
      const int seen = ++kind_counts[step.kind];
      if (seen > 1) step.label = step.kind + "_" + std::to_string(seen);
    }
    for (const StepTemplate& other : steps_) {
      LATHE_CHECK(other.label != step.label, item_where, ": space.steps[", i, "]: the label '",
                  step.label, "' is used twice (give one of them `label: NAME`)");
    }
    step.fixed = YAML::Node(YAML::NodeType::Map);
    if (params && params.IsMap()) {
      for (const auto& field : params) {
        const std::string key = field.first.Scalar();
        if (key == "label" || key == "optional") continue;
        if (is_dimension(field.second)) {
          step.searched.push_back(read_searched_key(step.label, key, field.second, source, space_));
        } else {
          step.fixed[key] = YAML::Clone(field.second);
        }
      }
    }
    if (optional) {
      step.presence_dimension = static_cast<int>(space_.dimensions.size());
      Dimension presence;
      presence.name = step.label + ".present";
      presence.kind = Dimension::Kind::categorical;
      presence.choices = {"true", "false"};
      space_.dimensions.push_back(presence);
    }
    steps_.push_back(std::move(step));
  }
  if (const YAML::Node orders = node["orders"]) {
    const std::string orders_where = config::source_line(source, orders);
    LATHE_CHECK(orders.IsSequence() && orders.size() > 0, orders_where,
                ": space.orders: expected a list of step orders, each a list of step labels");
    Dimension order;
    order.name = "order";
    order.kind = Dimension::Kind::categorical;
    for (std::size_t o = 0; o < orders.size(); ++o) {
      LATHE_CHECK(orders[o].IsSequence() && orders[o].size() > 0, orders_where, ": space.orders[", o,
                  "]: expected a non-empty list of step labels");
      std::vector<int> indices;
      std::string text;
      for (const YAML::Node& label : orders[o]) {
        const auto found = std::find_if(steps_.begin(), steps_.end(), [&](const StepTemplate& s) {
          return s.label == label.Scalar();
        });
        if (found == steps_.end()) {
          std::string known;
          for (const StepTemplate& s : steps_) known += (known.empty() ? "" : ", ") + s.label;
          fail(orders_where, ": space.orders[", o, "]: no step labelled '", label.Scalar(),
               "'; the steps are ", known);
        }
        const int index = static_cast<int>(found - steps_.begin());
        LATHE_CHECK(std::find(indices.begin(), indices.end(), index) == indices.end(), orders_where,
                    ": space.orders[", o, "]: step '", label.Scalar(), "' appears twice");
        indices.push_back(index);
        text += (text.empty() ? "" : ">") + label.Scalar();
      }
      orders_.push_back(std::move(indices));
      order.choices.push_back(text);
    }
    order_dimension_ = static_cast<int>(space_.dimensions.size());
    space_.dimensions.push_back(order);
  }
}

RecipeSpace RecipeSpace::training(const YAML::Node& node, const std::string& source,
                                  const YAML::Node& training_template, const std::string& template_path) {
  const std::string where = config::source_line(source, node);
  LATHE_CHECK(node.IsMap() && node.size() == 1 && node["train"] && node["train"].IsMap(), where,
              ": space: a training search's space is `train: {dotted.key: dimension, ...}` (keys of ",
              template_path, ")");
  RecipeSpace space;
  space.training_template_ = YAML::Clone(training_template);
  for (const auto& entry : node["train"]) {
    const std::string key = entry.first.Scalar();
    LATHE_CHECK(is_dimension(entry.second), config::source_line(source, entry.first), ": space.train.", key,
                ": expected a dimension ({choice: [...]}, {range: [lo, hi]}, {int_range: [lo, hi]} or "
                "{log_range: [lo, hi]}); fixed values belong in ", template_path);
    space.training_keys_.push_back(read_searched_key("train", key, entry.second, source, space.space_));
    LATHE_CHECK(space.training_keys_.back().layers.empty(), config::source_line(source, entry.first),
                ": space.train.", key, ".per_layer: not meaningful for a training config key");
  }
  LATHE_CHECK(!space.training_keys_.empty(), where, ": space.train: no key is searched");
  return space;
}

std::string RecipeSpace::recipe_yaml(const Point& point) const {
  LATHE_CHECK(point.size() == space_.dimensions.size(), "search space: a point of ", point.size(),
              " values for ", space_.dimensions.size(), " dimensions");
  if (is_training()) {
    YAML::Node config = YAML::Clone(training_template_);
    for (const SearchedKey& searched : training_keys_) {
      // optimizer.lr: into the mapping `optimizer`, creating it when the template has none.
      std::vector<std::string> path;
      for (std::size_t start = 0;;) {
        const std::size_t dot = searched.key.find('.', start);
        path.push_back(searched.key.substr(start, dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
      std::vector<YAML::Node> chain = {config};
      for (std::size_t i = 0; i + 1 < path.size(); ++i) {
        YAML::Node next = chain.back()[path[i]];
        if (!next.IsMap()) {
          chain.back()[path[i]] = YAML::Node(YAML::NodeType::Map);
          next = chain.back()[path[i]];
        }
        chain.push_back(next);
      }
      const int d = searched.dimensions.front();
      chain.back()[path.back()] =
          value_node(space_.dimensions[static_cast<std::size_t>(d)], searched, point[static_cast<std::size_t>(d)]);
    }
    YAML::Emitter out;
    out << config;
    return std::string(out.c_str()) + "\n";
  }
  std::vector<int> order;
  if (order_dimension_ >= 0) {
    order = orders_.at(static_cast<std::size_t>(point[static_cast<std::size_t>(order_dimension_)]));
  } else {
    for (std::size_t i = 0; i < steps_.size(); ++i) order.push_back(static_cast<int>(i));
  }
  std::string text;
  for (const int index : order) {
    const StepTemplate& step = steps_[static_cast<std::size_t>(index)];
    if (step.presence_dimension >= 0 && point[static_cast<std::size_t>(step.presence_dimension)] != 0.0) {
      continue;  // choice 1 of [true, false]: left out
    }
    YAML::Node params = YAML::Clone(step.fixed);
    for (const SearchedKey& searched : step.searched) {
      if (searched.layers.empty()) {
        const int d = searched.dimensions.front();
        params[searched.key] = value_node(space_.dimensions[static_cast<std::size_t>(d)], searched,
                                          point[static_cast<std::size_t>(d)]);
        continue;
      }
      YAML::Node by_layer(YAML::NodeType::Map);
      if (searched.has_layer_default) by_layer["default"] = YAML::Clone(searched.layer_default);
      for (std::size_t l = 0; l < searched.layers.size(); ++l) {
        const int d = searched.dimensions[l];
        by_layer[searched.layers[l]] = value_node(space_.dimensions[static_cast<std::size_t>(d)],
                                                  searched, point[static_cast<std::size_t>(d)]);
      }
      params[searched.key] = by_layer;
    }
    text += recipe_step_line(step.kind, params);
  }
  return text;
}

std::vector<SensitivityProbe> RecipeSpace::sensitivity_probes() const {
  if (is_training()) return {};
  const Point middle = middle_point(space_);
  std::vector<SensitivityProbe> probes;
  for (const StepTemplate& step : steps_) {
    for (const SearchedKey& probed : step.searched) {
      const bool bits = step.kind == "quantize" && probed.key == "weight_bits";
      const bool ratio = step.kind == "prune" && probed.key == "ratio";
      if ((!bits && !ratio) || probed.layers.empty()) continue;
      for (std::size_t l = 0; l < probed.layers.size(); ++l) {
        const int d = probed.dimensions[l];
        const Dimension& dimension = space_.dimensions[static_cast<std::size_t>(d)];
        YAML::Node params = YAML::Clone(step.fixed);
        // The step's other searched keys at the middle of their ranges (first choices).
        for (const SearchedKey& other : step.searched) {
          if (&other == &probed || !other.layers.empty()) continue;
          const int o = other.dimensions.front();
          params[other.key] = value_node(space_.dimensions[static_cast<std::size_t>(o)], other,
                                         middle[static_cast<std::size_t>(o)]);
        }
        YAML::Node layers(YAML::NodeType::Sequence);
        layers.push_back(probed.layers[l]);
        params["layers"] = layers;
        params[probed.key] = value_node(dimension, probed, ratio ? dimension.high : dimension.low);
        probes.push_back({d, ratio, recipe_step_line(step.kind, params)});
      }
    }
  }
  return probes;
}

std::vector<Point> RecipeSpace::probe_points() const {
  Point first;
  for (const Dimension& d : space_.dimensions) {
    first.push_back(d.kind == Dimension::Kind::categorical ? 0.0 : d.low);
  }
  std::vector<Point> points = {first};
  for (std::size_t i = 0; i < space_.dimensions.size(); ++i) {
    const Dimension& d = space_.dimensions[i];
    std::vector<double> values;
    if (d.kind == Dimension::Kind::categorical) {
      for (std::size_t c = 1; c < d.choices.size(); ++c) values.push_back(static_cast<double>(c));
    } else if (d.high != d.low) {
      values.push_back(d.high);
    }
    for (const double value : values) {
      Point moved = first;
      moved[i] = value;
      points.push_back(std::move(moved));
    }
  }
  return points;
}

}  // namespace lathe::search

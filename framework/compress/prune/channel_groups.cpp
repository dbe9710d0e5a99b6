#include "compress/prune/channel_groups.h"

#include <algorithm>
#include <map>

#include "config/yaml_reader.h"
#include "core/error.h"

namespace lathe::compress {
namespace {

// Layers that keep every channel where it is (pooling changes H and W, flatten and
// global pooling lay the channels out as features, in channel-major order).
const std::vector<std::string>& channel_preserving_types() {
  static const std::vector<std::string> types = {
      "relu", "maxpool", "avgpool", "global_avgpool", "dropout", "flatten",
      // The activation quantiser inserted by QAT: per-tensor range, checked below like
      // any unknown type.
      "fake_quant"};
  return types;
}

// One channel space while the DAG is walked; spaces joined by an add are merged
// (union-find), so their producers, batchnorms and consumers end up in one group.
struct Space {
  int parent = 0;
  ChannelGroup group;
};

class SpaceForest {
 public:
  int add(std::int64_t channels, std::string not_prunable_reason = "") {
    Space space;
    space.parent = static_cast<int>(spaces_.size());
    space.group.channels = channels;
    space.group.not_prunable_reason = std::move(not_prunable_reason);
    spaces_.push_back(std::move(space));
    return spaces_.back().parent;
  }
  int root(int id) {
    while (spaces_[id].parent != id) id = spaces_[id].parent = spaces_[spaces_[id].parent].parent;
    return id;
  }
  ChannelGroup& group(int id) { return spaces_[root(id)].group; }
  int merge(int a, int b) {
    a = root(a);
    b = root(b);
    if (a == b) return a;
    if (b < a) std::swap(a, b);  // the earlier space keeps the merged group
    ChannelGroup& into = spaces_[a].group;
    ChannelGroup& from = spaces_[b].group;
    into.producers.insert(into.producers.end(), from.producers.begin(), from.producers.end());
    into.batchnorms.insert(into.batchnorms.end(), from.batchnorms.begin(), from.batchnorms.end());
    into.consumers.insert(into.consumers.end(), from.consumers.begin(), from.consumers.end());
    if (into.not_prunable_reason.empty()) into.not_prunable_reason = from.not_prunable_reason;
    spaces_[b].parent = a;
    return a;
  }
  void forbid(int id, const std::string& reason) {
    ChannelGroup& g = group(id);
    if (g.not_prunable_reason.empty()) g.not_prunable_reason = reason;
  }
  std::vector<ChannelGroup> groups_with_producers() {
    std::vector<ChannelGroup> groups;
    for (std::size_t i = 0; i < spaces_.size(); ++i) {
      if (root(static_cast<int>(i)) == static_cast<int>(i) && !spaces_[i].group.producers.empty()) {
        groups.push_back(spaces_[i].group);
      }
    }
    return groups;
  }

 private:
  std::vector<Space> spaces_;
};

Shape item_shape(const nn::Layer& layer) {
  const Shape out = layer.output_shape(1);
  return Shape(std::vector<std::int64_t>(out.dims().begin() + 1, out.dims().end()));
}

// Entries per channel along a tensor's channel axis: 1 for images (C x H x W), F / C
// for feature vectors (after a flatten each channel is H*W consecutive features).
std::int64_t block_of(const Shape& item, std::int64_t channels) {
  return item.rank() == 1 ? item[0] / channels : 1;
}

// An unknown layer passes channels through when it reads one input, keeps the channel
// count and has no per-channel parameters to slice (a per-tensor quantiser range).
bool passes_channels_through(const nn::Layer& layer, const Shape& in, const Shape& out) {
  if (in.rank() != out.rank() || in[0] != out[0]) return false;
  // parameters() only lists the layer's tensors; the analysis never changes them.
  const std::vector<nn::Parameter*> parameters =
      const_cast<nn::Layer&>(layer).parameters();  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  return std::none_of(parameters.begin(), parameters.end(), [&](const nn::Parameter* p) {
    return p->value.shape().rank() >= 1 && p->value.shape()[0] == in[0] && in[0] > 1;
  });
}

bool is_channel_preserving(const nn::Layer& layer, const Shape& in, const Shape& out) {
  const auto& known = channel_preserving_types();
  const bool listed = std::find(known.begin(), known.end(), layer.type()) != known.end();
  if (listed && layer.type() != "fake_quant") return true;
  return passes_channels_through(layer, in, out);
}

}  // namespace

std::string ChannelGroup::describe() const {
  std::string text;
  for (const std::string& producer : producers) text += (text.empty() ? "" : " + ") + producer;
  return text;
}

bool ChannelGroup::has_producer(const std::string& layer) const {
  return std::find(producers.begin(), producers.end(), layer) != producers.end();
}

bool ChannelGroup::has_batchnorm(const std::string& layer) const {
  return std::any_of(batchnorms.begin(), batchnorms.end(),
                     [&](const ChannelMember& m) { return m.layer == layer; });
}

std::vector<ChannelGroup> find_channel_groups(const nn::Model& model) {
  const nn::ModelSpec& spec = model.spec();
  SpaceForest forest;
  const Shape input_shape = model.input_item_shape();
  const int input_space = forest.add(input_shape[0], "its channels are tied to the model input");
  std::map<std::string, std::size_t> index_of;
  std::vector<int> space_of(model.layer_count());
  std::vector<Shape> shape_of(model.layer_count());

  for (std::size_t i = 0; i < model.layer_count(); ++i) {
    const nn::Layer& layer = model.layer(i);
    const nn::LayerSpec& layer_spec = spec.layers[i];
    std::vector<int> in_spaces;
    std::vector<Shape> in_shapes;
    for (const std::string& name : layer_spec.inputs) {
      if (name == nn::kModelInputName) {
        in_spaces.push_back(input_space);
        in_shapes.push_back(input_shape);
      } else {
        in_spaces.push_back(space_of[index_of.at(name)]);
        in_shapes.push_back(shape_of[index_of.at(name)]);
      }
    }
    const Shape out = item_shape(layer);
    shape_of[i] = out;
    index_of[layer.name()] = i;
    const std::string& type = layer.type();

    if (type == "conv2d" || type == "linear") {
      const int in_space = in_spaces[0];
      const std::int64_t in_channels = forest.group(in_space).channels;
      forest.group(in_space).consumers.push_back(
          {layer.name(), block_of(in_shapes[0], in_channels)});
      space_of[i] = forest.add(out[0]);
      forest.group(space_of[i]).producers.push_back(layer.name());
    } else if (type == "batchnorm") {
      const std::int64_t channels = forest.group(in_spaces[0]).channels;
      forest.group(in_spaces[0]).batchnorms.push_back({layer.name(), block_of(in_shapes[0], channels)});
      space_of[i] = in_spaces[0];
    } else if (type == "add") {
      int joined = in_spaces[0];
      for (int other : in_spaces) joined = forest.merge(joined, other);
      space_of[i] = joined;
    } else if (in_spaces.size() == 1 && is_channel_preserving(layer, in_shapes[0], out)) {
      space_of[i] = in_spaces[0];
    } else {
      // A layer pruning cannot slice: what it reads stays whole, what it writes is new.
      for (int in_space : in_spaces) {
        forest.forbid(in_space, "it feeds layer '" + layer.name() + "' (type " + type +
                                    "), whose weights pruning cannot slice");
      }
      space_of[i] = forest.add(out.rank() >= 1 ? out[0] : 1, "it is written by layer '" +
                                                                 layer.name() + "' (type " +
                                                                 type + ")");
    }
  }
  const std::size_t last = model.layer_count() - 1;
  forest.forbid(space_of[last],
                "its channels are the logits (layer '" + model.layer(last).name() + "')");
  return forest.groups_with_producers();
}

const ChannelGroup* group_of_layer(const std::vector<ChannelGroup>& groups,
                                   const std::string& layer) {
  for (const ChannelGroup& group : groups) {
    if (group.has_producer(layer) || group.has_batchnorm(layer)) return &group;
  }
  return nullptr;
}

std::string prunable_layer_list(const std::vector<ChannelGroup>& groups) {
  std::string list;
  for (const ChannelGroup& group : groups) {
    if (!group.prunable()) continue;
    for (const std::string& producer : group.producers) list += (list.empty() ? "" : ", ") + producer;
  }
  return list.empty() ? "none" : list;
}

const ChannelGroup& prunable_group_of(const nn::Model& model,
                                      const std::vector<ChannelGroup>& groups,
                                      const std::string& layer, const std::string& where) {
  const std::optional<std::size_t> index = model.find_layer(layer);
  if (!index) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < model.layer_count(); ++i) names.push_back(model.layer(i).name());
    const std::string near = config::nearest_word(layer, names);
    fail(where, ": no layer named '", layer, "' in model '", model.spec().name, "'",
         near.empty() ? "" : " (did you mean '" + near + "'?)",
         "; prunable layers: ", prunable_layer_list(groups));
  }
  const ChannelGroup* group = group_of_layer(groups, layer);
  LATHE_CHECK(group != nullptr, where, ": layer '", layer, "' is a ", model.layer(*index).type(),
              " layer, it has no channels of its own to prune; name a conv2d or linear layer "
              "(or a batchnorm after one); prunable layers: ",
              prunable_layer_list(groups));
  LATHE_CHECK(group->prunable(), where, ": layer '", layer, "' cannot be pruned: ",
              group->not_prunable_reason, "; prunable layers: ", prunable_layer_list(groups));
  return *group;
}

}  // namespace lathe::compress

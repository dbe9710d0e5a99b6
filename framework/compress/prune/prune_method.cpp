#include "compress/prune/prune_method.h"

#include "compress/prune/filter_prune_params.h"
#include "config/yaml_reader.h"
#include "core/error.h"

namespace lathe::compress {

std::string read_prune_method(const YAML::Node& params, const StepSource& source) {
  const YAML::Node& read_only = params;  // const access: yaml-cpp's non-const [] inserts keys
  if (!read_only.IsMap() || !read_only["method"] || read_only["method"].IsNull()) return "filter";
  const YAML::Node method = read_only["method"];
  const config::Choices& known = prune_methods();
  LATHE_CHECK(method.IsScalar(), source.where, ": ", source.key("method"), ": expected ",
              known.describe(), ", got a ", method.IsSequence() ? "list" : "mapping");
  const std::string& word = method.Scalar();
  if (!known.contains(word)) {
    const std::string near = config::nearest_word(word, known.words);
    fail(source.where, ": ", source.key("method"), ": expected ", known.describe(), ", got '",
         word, "'", near.empty() ? "" : " (did you mean '" + near + "'?)");
  }
  return word;
}

}  // namespace lathe::compress

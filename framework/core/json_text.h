// JSON string literals for the one-line JSON that configs, recipes, metrics and reports
// print. In core/ because every layer prints some (config/ is below recipe/).
#pragma once

#include <cstdio>
#include <string>

namespace lathe {

// `text` as a quoted JSON string: quotes, backslashes and control characters escaped.
inline std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace lathe

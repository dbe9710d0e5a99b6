#include "config/field_listing.h"

namespace lathe::config {

std::string format_help(const std::vector<FieldRow>& rows) {
  std::ostringstream out;
  for (const FieldRow& row : rows) {
    out << "  " << row.key << "  " << row.accepts;
    if (!row.fallback.empty()) {
      out << (row.fallback == "required" ? " (required)" : " (default " + row.fallback + ")");
    }
    out << "\n      " << row.help << "\n";
  }
  return out.str();
}

std::string format_markdown(const std::vector<FieldRow>& rows) {
  std::ostringstream out;
  out << "| key | accepts | default | meaning |\n|---|---|---|---|\n";
  for (const FieldRow& row : rows) {
    out << "| `" << row.key << "` | " << row.accepts << " | " << row.fallback << " | " << row.help
        << " |\n";
  }
  return out.str();
}

}  // namespace lathe::config

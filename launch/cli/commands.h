// The commands of `lathe`, one file each.
#pragma once

#include <string>

#include "cli/arguments.h"

namespace lathe::cli {

struct Command {
  CommandSpec spec;
  int (*run)(const Arguments& arguments);
  // e.g. the config keys of `lathe train`, as text or (--help --markdown) as Markdown;
  // may be null
  std::string (*extra_help)(bool markdown);
};

const Command& train_command();
const Command& evaluate_command();
const Command& compress_command();
const Command& ablate_command();
const Command& fallback_command();
const Command& search_command();
const Command& results_command();
const Command& report_command();
const Command& campaign_command();
const Command& import_command();
const Command& export_command();

}  // namespace lathe::cli

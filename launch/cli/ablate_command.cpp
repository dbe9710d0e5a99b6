#include "cli/commands.h"
namespace lathe::cli {
const Command& ablate_command() { return evaluate_command(); }
}

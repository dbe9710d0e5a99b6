// What the commands share: the --device option and the backend it asks for (the rule
// itself is backend/backend_factory.h's), and timestamps for provenance.
#pragma once

#include <memory>
#include <string>

#include "backend/backend.h"
#include "backend/device_choice.h"
#include "cli/arguments.h"

namespace lathe::cli {

// `--device cpu|cuda|auto`, declared alike by every command that computes.
OptionSpec device_option();
// The backend that --device (default `fallback_device`) and --threads ask for. The
// choice's reason goes to stderr when it is not plain cpu (train prints it always).
std::unique_ptr<Backend> backend_from_options(const Arguments& arguments,
                                              const std::string& fallback_device = "cpu");
// Prints "device: <reason>" to stderr, once per run.
void print_device_reason(const DeviceChoice& choice);


}  // namespace lathe::cli

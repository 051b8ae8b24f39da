// Help texts of `arbor`, generated from the command specs (command.h) and the
// global options, so --help always matches what the parser accepts.
//
// Contract: pure functions returning text that ends in a newline.
//  * MainHelp: what arbor is, every command with its summary, the global
//    options, exit codes, and examples.
//  * GroupHelp: a group's subcommands (e.g. `arbor branch --help`).
//  * CommandHelp: synopsis, description, arguments, options (the command's
//    and the global ones) with their help, and examples.
//  * UsageLine: "usage: arbor <path> <synopsis>", for usage errors.
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"

namespace arbor::cli {

std::string MainHelp(const std::vector<GroupSpec>& groups,
                     const std::vector<CommandSpec>& commands);
std::string GroupHelp(const GroupSpec& group, const std::vector<CommandSpec>& commands);
std::string CommandHelp(const CommandSpec& command);
std::string UsageLine(const CommandSpec& command);
std::string CommandPath(const CommandSpec& command);  // e.g. "branch create"

}  // namespace arbor::cli

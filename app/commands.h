#pragma once
// Every `ting` subcommand: a name, a one-line summary, and a function that takes the arguments
// after the command name and returns the process exit code. Each lives in its own *_command.cc.

#include <string>
#include <vector>

namespace ting::app {

using Args = std::vector<std::string>;

int RunServe(const Args& args);    // serve_command.cc
int RunMigrate(const Args& args);  // admin_commands.cc
int RunUser(const Args& args);
int RunOrg(const Args& args);
int RunRoutes(const Args& args);     // admin_commands.cc
int RunDemo(const Args& args);     // demo_command.cc
int RunCount(const Args& args);    // count_command.cc
int RunSelect(const Args& args);   // select_command.cc

// Prints "ting COMMAND: message" to stderr and returns the usage exit code (2).
int UsageError(const std::string& command, const std::string& message);

}  // namespace ting::app

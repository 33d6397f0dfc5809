// The one place where the `ting` program's commands are listed and dispatched.

#include <cstring>
#include <iostream>

#include "commands.h"

namespace ting::app {
namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const Args&);
};

constexpr Command kCommands[] = {
    {"serve", "serve the web platform (HTTP) from a database", RunServe},
    {"migrate", "create or upgrade the database schema", RunMigrate},
    {"user", "manage accounts: ting user add --db PATH --email E --password P", RunUser},
    {"org", "add or change an organisation (tenant): host, time zone, content languages", RunOrg},
    {"routes", "list every HTTP route (method and pattern) of the platform", RunRoutes},
    {"demo", "create a demo organisation with Swedish and English content", RunDemo},
    {"count", "count a participatory budget from a Pabulib .pb file", RunCount},
    {"select", "draw a citizens' assembly panel from a pool under quotas", RunSelect},
};

void PrintHelp(std::ostream& out) {
  out << "ting — participatory budgeting and citizens' assemblies\n\n"
         "usage: ting COMMAND [flags]   (ting COMMAND --help for its flags)\n\ncommands:\n";
  for (const auto& c : kCommands) {
    out << "  " << c.name << std::string(10 - std::strlen(c.name), ' ') << c.summary << "\n";
  }
}

}  // namespace

int UsageError(const std::string& command, const std::string& message) {
  std::cerr << "ting " << command << ": " << message << "\n";
  return 2;
}

}  // namespace ting::app

int main(int argc, char** argv) {
  using namespace ting::app;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    PrintHelp(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  for (const auto& c : kCommands) {
    if (std::strcmp(argv[1], c.name) == 0) return c.run(Args(argv + 2, argv + argc));
  }
  std::cerr << "ting: unknown command '" << argv[1] << "'\n\n";
  PrintHelp(std::cerr);
  return 2;
}

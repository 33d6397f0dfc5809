// ting demo: a demo organisation with accounts, so `make run` shows a living site.

#include <iostream>

#include "commands.h"
#include "database.h"
#include "demo.h"
#include "flags.h"

namespace ting::app {

int RunDemo(const Args& args) {
  auto flags = Flags::Parse(args, {{"db"}, {"help"}});
  if (!flags.ok()) return UsageError("demo", flags.error().message);
  if (flags->Has("help")) {
    std::cout << "usage: ting demo --db PATH\n\nFills a new database with a demo organisation (Swedish and English\n"
                 "content) and prints the demo accounts' sign-in.\n";
    return 0;
  }
  auto path = flags->Require("db");
  if (!path.ok()) return UsageError("demo", path.error().message);
  auto db = OpenDatabase(*path);
  if (!db.ok()) {
    std::cerr << "ting demo: " << db.error().message << "\n";
    return 1;
  }
  auto accounts = FillDemo(**db);
  if (!accounts.ok()) {
    std::cerr << "ting demo: " << accounts.error().message << "\n";
    return 1;
  }
  std::cout << "Demo data written to " << *path << ". Sign in with:\n";
  for (const auto& a : *accounts) std::cout << "  " << a.role << ": " << a.email << " / " << a.password << "\n";
  return 0;
}

}  // namespace ting::app

// Placeholder until the spine's commands land.
#include "commands.h"
namespace ting::app {
int RunServe(const Args&) { return UsageError("serve", "not built yet"); }
int RunMigrate(const Args&) { return UsageError("migrate", "not built yet"); }
int RunUser(const Args&) { return UsageError("user", "not built yet"); }
int RunDemo(const Args&) { return UsageError("demo", "not built yet"); }
}  // namespace ting::app

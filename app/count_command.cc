// Placeholder until the engine lands; replaced by the engine's own command.
#include "commands.h"
namespace ting::app {
int RunCount(const Args&) { return UsageError("count", "not built yet"); }
}  // namespace ting::app

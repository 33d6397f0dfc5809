// Placeholder until the engine lands; replaced by the engine's own command.
#include "commands.h"
namespace ting::app {
int RunSelect(const Args&) { return UsageError("select", "not built yet"); }
}  // namespace ting::app

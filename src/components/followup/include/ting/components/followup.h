#pragma once
// Follow-up: what became of each funded project — status, progress and dated updates, on a
// public page and in the API; managers change them.

#include "ting/web/component.h"

namespace ting::components {

web::Manifest FollowUpManifest();

// The component's part of the demo (seed.cc).
Status SeedFollowUp(web::Demo& demo);

}  // namespace ting::components

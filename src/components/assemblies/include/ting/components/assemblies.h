#pragma once
// Citizens' assemblies (medborgarråd): set-up with quotas, invitation letters drawn from the
// residents register, registration of volunteers, the frozen pool and its published digest, the
// public LEXIMIN draw with a published seed, the panel with confirmations and replacements,
// sessions, recommendations voted by the members, and the organisation's answers. See
// docs/assemblies.md.

#include "ting/web/component.h"

namespace ting::components {

web::Manifest AssembliesManifest();

// The component's part of the demo (seed.cc): an assembly in every stage.
Status SeedAssemblies(web::Demo& demo);

}  // namespace ting::components

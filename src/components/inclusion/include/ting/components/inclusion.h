#pragma once
// Inclusion: who takes part against who lives here. Optional questions (age band, gender,
// district, where born, language at home, and an organisation's own) answered once per person
// and stored apart from ballots; a population reference per organisation (Statistics Sweden's
// figures per district); and, per process and stage, a live dashboard of participants' shares
// against the population's, with small counts suppressed. See docs/inclusion.md.

#include "ting/base/result.h"
#include "ting/web/component.h"

namespace ting::components {

web::Manifest InclusionManifest();

// The component's part of the demo (seed.cc): answers for the demo's residents and a
// population, so the demo process's dashboard shows a realistic picture.
Status SeedInclusion(web::Demo& demo);

}  // namespace ting::components

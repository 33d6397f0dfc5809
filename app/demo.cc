#include "demo.h"

#include "components.h"
#include "registry.h"
#include "ting/web/inprocess_client.h"

namespace ting::app {

Result<std::vector<DemoAccount>> FillDemo(db::Database& db) {
  TING_ASSIGN_OR_RETURN(auto platform, MountPlatform(db, Env::Default()));
  web::InProcessClient api(platform.site->Handler());
  web::Demo demo{db, Env::Default(), api};
  // Each component adds its part, in registry order: people, processes, proposals, ballots,
  // the count, the follow-up.
  for (const auto& m : components::Registry())
    if (m.seed) TING_RETURN_IF_ERROR(m.seed(demo));
  std::vector<DemoAccount> out;
  for (const auto& l : demo.logins) out.push_back({l.role, l.email, l.password});
  return out;
}

}  // namespace ting::app

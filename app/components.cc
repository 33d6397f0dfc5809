#include "components.h"

#include <algorithm>

#include "registry.h"
#include "ting/core/accounts.h"

namespace ting::app {

Result<Platform> MountPlatform(db::Database& db, Env& env, web::SiteOptions options) {
  std::vector<html::Resource> resources;
  for (const auto& m : components::Registry()) {
    const auto& r = m.resources();
    resources.insert(resources.end(), r.begin(), r.end());
  }
  Platform p;
  TING_ASSIGN_OR_RETURN(p.site, web::Site::Create(db, env, options, resources));
  for (const auto& m : components::Registry()) p.components.push_back(m.mount(*p.site));
  TING_RETURN_IF_ERROR(p.site->CheckKeys());
  return p;
}

std::vector<db::Migration> AllMigrations() {
  std::vector<db::Migration> all = core::CoreMigrations();
  for (const auto& m : components::Registry())
    for (auto& migration : m.migrations()) all.push_back(std::move(migration));
  std::stable_sort(all.begin(), all.end(), [](const db::Migration& a, const db::Migration& b) { return a.version < b.version; });
  return all;
}

}  // namespace ting::app

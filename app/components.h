#pragma once
// The platform in-process: a site with every registered component mounted (the registry is
// src/components/registry.cc). Used by `ting serve`, `ting demo`, `ting routes` and benchmarks.

#include <memory>
#include <vector>

#include "ting/base/env.h"
#include "ting/db/database.h"
#include "ting/web/component.h"
#include "ting/web/site.h"

namespace ting::app {

struct Platform {
  std::unique_ptr<web::Site> site;
  std::vector<std::unique_ptr<web::Component>> components;
};

Result<Platform> MountPlatform(db::Database& db, Env& env, web::SiteOptions options = {});

// The core's migrations and every component's, in version order.
std::vector<db::Migration> AllMigrations();

}  // namespace ting::app

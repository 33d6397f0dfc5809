#pragma once
// A component (accounts, processes, proposals, voting, results, follow-up, …) is one folder,
// src/components/<name>/, holding everything of it: model and store (its SQL), handlers (pages
// and API), templates, catalogue strings, migrations, demo seeds and tests. It is one CMake
// library (ting_<name>) that links only what it declares, so a wrong include fails the build.
// It plugs in through its Manifest; the app and the core know components only through the
// registry (src/components/registry.cc), one line each. See docs/architecture.md.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ting/base/result.h"
#include "ting/db/database.h"
#include "ting/html/resources.h"
#include "ting/web/inprocess_client.h"
#include "ting/web/site.h"

namespace ting::web {

// A mounted component: it owns its stores and handlers for as long as the site runs.
class Component {
 public:
  virtual ~Component() = default;
};

// What the demo's seeds share: the API client (seeds go through the same checks as any
// client), the demo accounts' tokens and the ids earlier seeds made.
struct Demo {
  struct Login {
    std::string role, email, password;
  };
  db::Database& db;
  Env& env;
  InProcessClient& api;
  std::map<std::string, std::string> tokens{};   // role name -> API token ("manager", "reviewer", ...)
  std::vector<std::string> residents{};          // residents' API tokens
  std::map<std::string, int64_t> ids{};          // what earlier seeds made, by name (a proposal's title)
  std::vector<int64_t> funded_2025{};            // what the results seed funded, for follow-up
  std::vector<std::string> person_ids{};         // the register's people (residents seed), for the desk's paper ballots
  std::vector<Login> logins{};                   // printed by `ting demo`
  // The demo organisation (Solbacka kommun), made by the accounts seed.
  Result<core::Organisation> Organisation();
  // Calls the API; an error names the seed.
  Result<nlohmann::json> Call(const std::string& method, const std::string& path, const std::string& token,
                              const nlohmann::json& body, int expected);
};

struct Manifest {
  std::string name;        // "proposals"; its templates are "proposals/<file>", its keys "proposals.*"
  std::string url_prefix;  // where its pages live, for people reading `ting routes`
  // Its schema, versioned; versions are unique across the registry (see docs/architecture.md).
  std::function<std::vector<db::Migration>()> migrations;
  // Its templates and catalogues, embedded at build time.
  std::function<const std::vector<html::Resource>&()> resources;
  // Creates the component on a site: registers its routes (each with its Access) and start-page
  // sections. Called once, after every migration has run.
  std::function<std::unique_ptr<Component>(Site&)> mount;
  // Adds its part of the demo, in registry order (may be empty).
  std::function<Status(Demo&)> seed;
};

// The manifest of component class C (constructed as C(Site&) when mounted).
template <typename C>
Manifest ManifestOf(std::string name, std::string url_prefix, std::function<std::vector<db::Migration>()> migrations,
                    std::function<const std::vector<html::Resource>&()> resources, std::function<Status(Demo&)> seed = nullptr) {
  return Manifest{std::move(name), std::move(url_prefix), std::move(migrations), std::move(resources),
                  [](Site& site) -> std::unique_ptr<Component> { return std::make_unique<C>(site); }, std::move(seed)};
}

}  // namespace ting::web

// The vocabulary every component's handlers use.
namespace ting::components {
using http::Request;
using http::Response;
using json = nlohmann::json;
using web::Context;
using web::Site;
}  // namespace ting::components

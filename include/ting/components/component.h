#pragma once
// A participatory component (processes, proposals, voting, results, follow-up) plugs into the
// platform by naming its schema migrations and registering its routes with the Site. The app
// knows components only through this interface (see app/components.cc).

#include <vector>

#include "ting/db/database.h"
#include "ting/web/site.h"

namespace ting::components {

class Component {
 public:
  virtual ~Component() = default;
  virtual const char* Name() const = 0;
  virtual std::vector<db::Migration> Migrations() const = 0;
  // Adds the component's pages and API routes. Called once, after every migration has run.
  virtual void Register(web::Site& site) = 0;
};

}  // namespace ting::components

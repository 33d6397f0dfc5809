#include "ting/web/component.h"

namespace ting::web {

Result<core::Organisation> Demo::Organisation() {
  TING_ASSIGN_OR_RETURN(auto all, core::Organisations(db, env).All());
  for (auto& o : all)
    if (o.slug == "solbacka") return std::move(o);
  return Error::NotFound("ting demo: the demo organisation is missing");
}

Result<nlohmann::json> Demo::Call(const std::string& method, const std::string& path, const std::string& token,
                                  const nlohmann::json& body, int expected) {
  auto r = api.Call(method, path, token, body, expected);
  if (!r.ok()) return r.error().At("ting demo");
  return r;
}

}  // namespace ting::web

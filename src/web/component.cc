#include "ting/web/component.h"

namespace ting::web {

Result<nlohmann::json> Demo::Call(const std::string& method, const std::string& path, const std::string& token,
                                  const nlohmann::json& body, int expected) {
  auto r = api.Call(method, path, token, body, expected);
  if (!r.ok()) return r.error().At("ting demo");
  return r;
}

}  // namespace ting::web

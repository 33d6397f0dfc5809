#include "ting/web/inprocess_client.h"

namespace ting::web {

Result<nlohmann::json> InProcessClient::Call(const std::string& method, const std::string& path, const std::string& token,
                                             const nlohmann::json& body, int expected) {
  return CallText(method, path, token, "application/json", body.is_null() ? std::string() : body.dump(), expected);
}

Result<nlohmann::json> InProcessClient::CallText(const std::string& method, const std::string& path, const std::string& token,
                                                 const std::string& content_type, const std::string& body, int expected) {
  http::Request req;
  req.method = method;
  req.target = path;
  req.path = path;
  req.remote_ip = "127.0.0.1";
  req.headers.emplace("Host", "localhost");
  req.headers.emplace("Content-Type", content_type);
  req.headers.emplace("Accept-Language", "sv");
  if (!token.empty()) req.headers.emplace("Authorization", "Bearer " + token);
  req.body = body;
  http::Response res = handler_(req);
  if (res.status != expected)
    return Error::Internal(method + " " + path + " answered " + std::to_string(res.status) + " (expected " +
                           std::to_string(expected) + "): " + res.body);
  auto j = nlohmann::json::parse(res.body, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

}  // namespace ting::web

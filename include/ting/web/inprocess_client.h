#pragma once
// Calls the platform's own JSON API in-process (no sockets), so that seeding code (the demo,
// benchmarks) goes through the same validation and permission checks as any client.

#include <string>

#include <nlohmann/json.hpp>

#include "ting/base/result.h"
#include "ting/http/http.h"

namespace ting::web {

class InProcessClient {
 public:
  explicit InProcessClient(http::Handler handler) : handler_(std::move(handler)) {}

  // Sends a JSON request with a bearer token (may be empty). Error unless the status is
  // `expected`; the error names the request and the response body.
  Result<nlohmann::json> Call(const std::string& method, const std::string& path, const std::string& token,
                              const nlohmann::json& body, int expected);
  // The same with a body of any type (a register's CSV).
  Result<nlohmann::json> CallText(const std::string& method, const std::string& path, const std::string& token,
                                  const std::string& content_type, const std::string& body, int expected);

 private:
  http::Handler handler_;
};

}  // namespace ting::web

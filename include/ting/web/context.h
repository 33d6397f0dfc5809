#pragma once
// The typed context of one request, filled by the middleware chain before any handler runs.

#include <optional>
#include <string>
#include <vector>

#include "ting/core/accounts.h"

namespace ting::web {

struct Context {
  core::Organisation org;
  std::string lang = "sv";
  std::optional<core::User> user;
  std::vector<core::Role> roles;  // in org
  std::string session_token;      // web session (cookie), empty when signed out
  std::string api_token;          // API: the bearer token sent (parsed in one place), or empty
  bool api = false;               // a JSON API request (errors answer in JSON)
  bool secure = false;            // cookies get Secure (TLS, trusted proxy, or configured)
  std::string visitor_id;         // anonymous cookie binding the CSRF token
  std::string csrf;               // token every form carries
  std::string flash;              // catalogue key of a one-time message
  std::vector<std::string> set_cookies;  // Set-Cookie values to add to the response

  bool Can(core::Action action) const { return user && core::Allowed(roles, action); }
};

}  // namespace ting::web

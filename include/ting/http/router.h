#pragma once
// Routes "METHOD /path/{param}/..." to handlers. Literal segments win over parameters.
// A path that exists with another method answers 405 with Allow; otherwise 404 via not_found.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ting/http/http.h"

namespace ting::http {

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // pattern: "/api/v1/processes/{slug}/budgets/{budget}"; a final "{name...}" matches the rest.
  void Add(const std::string& method, const std::string& pattern, Handler handler);
  void SetNotFound(Handler handler);  // default: 404 text
  // Every route as (method, pattern), in the order added (for `ting routes` and tests).
  std::vector<std::pair<std::string, std::string>> Routes() const;

  // Fills req.params and runs the matching handler (HEAD falls back to GET, body dropped).
  Response Dispatch(Request& req) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ting::http

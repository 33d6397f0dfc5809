#include <algorithm>

#include "ting/base/strings.h"
#include "ting/http/router.h"

namespace ting::http {

namespace {
struct Segment {
  std::string text;  // literal, or the parameter name
  bool param = false;
  bool rest = false;  // "{name...}": matches the remaining path
};
struct Route {
  std::string method;
  std::vector<Segment> segments;
  Handler handler;
  int literal_count = 0;
};

std::vector<std::string_view> PathSegments(std::string_view path) {
  std::vector<std::string_view> out;
  for (auto s : Split(path, '/'))
    if (!s.empty()) out.push_back(s);
  return out;
}

// Fills params when route matches the path segments.
bool Match(const Route& route, const std::vector<std::string_view>& parts, std::map<std::string, std::string>& params) {
  size_t i = 0;
  for (const auto& seg : route.segments) {
    if (seg.rest) {
      if (i >= parts.size()) return false;
      std::string rest;
      for (size_t j = i; j < parts.size(); ++j) rest += (j > i ? "/" : "") + std::string(parts[j]);
      params[seg.text] = rest;
      return true;
    }
    if (i >= parts.size()) return false;
    if (seg.param) {
      params[seg.text] = std::string(parts[i]);
    } else if (seg.text != parts[i]) {
      return false;
    }
    ++i;
  }
  return i == parts.size();
}
}  // namespace

struct Router::Impl {
  std::vector<Route> routes;
  Handler not_found = [](Request&) { return Response::Text(404, "not found"); };
};

Router::Router() : impl_(std::make_unique<Impl>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::Add(const std::string& method, const std::string& pattern, Handler handler) {
  Route r{method, {}, std::move(handler), 0};
  for (auto part : PathSegments(pattern)) {
    Segment s;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      std::string_view name = part.substr(1, part.size() - 2);
      s.param = true;
      if (EndsWith(name, "...")) {
        s.rest = true;
        name.remove_suffix(3);
      }
      s.text = std::string(name);
    } else {
      s.text = std::string(part);
      ++r.literal_count;
    }
    r.segments.push_back(std::move(s));
  }
  impl_->routes.push_back(std::move(r));
}

void Router::SetNotFound(Handler handler) { impl_->not_found = std::move(handler); }

Response Router::Dispatch(Request& req) const {
  auto parts = PathSegments(req.path);
  std::string method = req.method == "HEAD" ? "GET" : req.method;
  const Route* best = nullptr;
  std::map<std::string, std::string> best_params;
  std::vector<std::string> allowed;
  for (const auto& route : impl_->routes) {
    std::map<std::string, std::string> params;
    if (!Match(route, parts, params)) continue;
    if (route.method != method) {
      allowed.push_back(route.method);
      continue;
    }
    // Literal segments win over parameters: "/processes/new" before "/processes/{slug}".
    if (!best || route.literal_count > best->literal_count) {
      best = &route;
      best_params = std::move(params);
    }
  }
  if (!best) {
    if (!allowed.empty()) {
      std::sort(allowed.begin(), allowed.end());
      allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
      if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) allowed.push_back("HEAD");
      Response r = Response::Text(405, "method not allowed");
      r.Set("Allow", Join(allowed, ", "));
      return r;
    }
    return impl_->not_found(req);
  }
  req.params = std::move(best_params);
  Response res = best->handler(req);
  if (req.method == "HEAD") {
    res.Set("Content-Length", std::to_string(res.body.size()));
    res.body.clear();
  }
  return res;
}

}  // namespace ting::http

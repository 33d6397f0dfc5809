// Router: "METHOD /path/{param}/{rest...}" patterns, most specific match first, 405 with Allow.

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
  std::string pattern;  // as added, for listing
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
      for (size_t j = i; j < parts.size(); ++j) {
        if (j > i) rest += '/';
        rest.append(parts[j]);
      }
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
  Route r{method, {}, std::move(handler), pattern};
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
    }
    r.segments.push_back(std::move(s));
  }
  impl_->routes.push_back(std::move(r));
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : impl_->routes) out.emplace_back(r.method, r.pattern);
  return out;
}

void Router::SetNotFound(Handler handler) { impl_->not_found = std::move(handler); }

// True when a should win over b for the same path: at the first segment where they differ, a
// literal beats a parameter, and a parameter beats a final "{rest...}".
static bool MoreSpecific(const Route& a, const Route& b) {
  size_t n = std::min(a.segments.size(), b.segments.size());
  auto rank = [](const Segment& s) { return s.rest ? 0 : s.param ? 1 : 2; };
  for (size_t i = 0; i < n; ++i) {
    int ra = rank(a.segments[i]), rb = rank(b.segments[i]);
    if (ra != rb) return ra > rb;
  }
  return a.segments.size() > b.segments.size();
}

Response Router::Dispatch(Request& req) const {
  auto parts = PathSegments(req.path);
  // HEAD uses a HEAD route when there is one, else the GET route without its body.
  const Route* best = nullptr;
  const Route* best_get = nullptr;
  std::map<std::string, std::string> best_params, best_get_params;
  std::vector<std::string> allowed;
  for (const auto& route : impl_->routes) {
    std::map<std::string, std::string> params;
    if (!Match(route, parts, params)) continue;
    allowed.push_back(route.method);
    if (route.method == req.method) {
      if (!best || MoreSpecific(route, *best)) {
        best = &route;
        best_params = std::move(params);
      }
    } else if (req.method == "HEAD" && route.method == "GET") {
      if (!best_get || MoreSpecific(route, *best_get)) {
        best_get = &route;
        best_get_params = std::move(params);
      }
    }
  }
  bool head_via_get = false;
  if (!best && best_get) {
    best = best_get;
    best_params = std::move(best_get_params);
    head_via_get = true;
  }
  if (!best) {
    if (!allowed.empty()) {
      if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) allowed.push_back("HEAD");
      std::sort(allowed.begin(), allowed.end());
      allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
      Response r = Response::Text(405, "method not allowed");
      r.Set("Allow", Join(allowed, ", "));
      return r;
    }
    return impl_->not_found(req);
  }
  req.params = std::move(best_params);
  Response res = best->handler(req);
  if (head_via_get) {
    if (!res.headers.count("Content-Length")) res.Set("Content-Length", std::to_string(res.body.size()));
    res.body.clear();
  }
  return res;
}

}  // namespace ting::http

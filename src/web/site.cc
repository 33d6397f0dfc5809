// Routes and the chain each request runs through before its handler.

#include "ting/web/site.h"

#include "ting/base/keys.h"
#include "ting/base/translated.h"
#include "ting/base/strings.h"
#include "ting/http/server.h"

namespace ting::web {

using http::Request;
using http::Response;
using json = nlohmann::json;

std::string Access::Describe() const {
  switch (kind) {
    case Kind::kPublic: return "public";
    case Kind::kSignedIn: return "signed-in";
    case Kind::kAction: return std::string("action:") + core::ActionName(action);
  }
  return "public";
}

Site::Site(db::Database& db, Env& env, SiteOptions options, html::Catalog catalog, std::unique_ptr<html::Templates> templates,
           std::string csrf_secret)
    : db_(db),
      env_(env),
      options_(options),
      renderer_(std::move(catalog), std::move(templates)),
      csrf_(std::move(csrf_secret)),
      accounts_(db, env),
      sessions_(db, env),
      organisations_(db, env),
      sessions_cache_(env, std::chrono::seconds(5), 100000),
      orgs_cache_(env, std::chrono::seconds(10), 1000) {}

Result<std::unique_ptr<Site>> Site::Create(db::Database& db, Env& env, SiteOptions options,
                                           const std::vector<html::Resource>& resources) {
  TING_ASSIGN_OR_RETURN(auto catalog, html::Catalog::LoadEmbedded(resources));
  TING_ASSIGN_OR_RETURN(auto templates, html::Templates::LoadEmbedded(catalog, resources));
  TING_ASSIGN_OR_RETURN(std::string secret, core::InstanceSecret(db, "csrf"));
  std::unique_ptr<Site> site(new Site(db, env, options, std::move(catalog), std::move(templates), std::move(secret)));
  site->BuildChains();
  return site;
}

void Site::BuildChains() {
  auto step = [this](Status (Site::*fn)(Request&, Context&)) {
    return [this, fn](Request& req, Context& ctx) { return (this->*fn)(req, ctx); };
  };
  page_chain_ = {step(&Site::Organisation), step(&Site::Session), step(&Site::Language),
                 step(&Site::Visitor),      step(&Site::Utf8Gate), step(&Site::CsrfCheck)};
  api_chain_ = {step(&Site::Organisation), step(&Site::Session), step(&Site::Language), step(&Site::Utf8Gate)};

  // Spine routes that are no component's: the start page, health and the embedded static files.
  Page("GET", "/", Access::Public(), [this](Request& req, Context& ctx) -> Result<Response> {
    html::Data d;
    std::string sections;
    for (const auto& section : home_sections_) sections += section(req, ctx);
    d.set("sections", sections);
    return RenderPage(req, ctx, "home", TING_KEY("home.title"), d);
  });
  Plain("GET", "/healthz", [this](Request&) { return Health(); });
  std::vector<std::pair<std::string, std::string_view>> statics;
  for (const auto& r : html::Resources())
    if (StartsWith(r.path, "static/")) statics.emplace_back(std::string(r.path.substr(7)), r.content);
  Plain("GET", "/static/{path...}", http::EmbeddedFiles(statics, "/static/"));
  router_.SetNotFound([this](Request& req) {
    bool api = StartsWith(req.path, "/api/");
    return Run(req, api, Access::Public(), std::nullopt, [this](Request& r, Context& ctx) { return NotFound(r, ctx); });
  });
}

Result<Response> Site::NotFound(Request& req, Context& ctx) {
  if (ctx.api) return Error::Say(ErrorCode::kNotFound, TING_KEY("api.no_endpoint"), {{"method", req.method}, {"path", req.path}});
  return Error::Say(ErrorCode::kNotFound, TING_KEY("error.not_found"));
}

Status Site::CheckKeys() const {
  // Keys built at run time, from a prefix and a name.
  for (auto role : core::AllRoles()) ExpectKey(std::string("role.") + core::RoleName(role));
  return CheckKeys(ExpectedKeys());
}

Status Site::CheckKeys(const std::vector<std::string>& keys) const {
  std::vector<std::string> missing;
  for (const auto& key : keys)
    if (!catalog().HasKey(html::Catalog::kDefaultLanguage, key)) missing.push_back(key);
  if (missing.empty()) return {};
  return Error::Internal("catalogue keys used in the code are missing from locales/" + std::string(html::Catalog::kDefaultLanguage) +
                         ": " + Join(missing, ", "));
}

http::Handler Site::Handler() {
  return [this](Request& req) { return router_.Dispatch(req); };
}

void Site::AddRoute(const std::string& kind, const std::string& method, const std::string& pattern, Access access,
                    RouteHandler handler, std::optional<Limit> limit) {
  bool api = kind == "api";
  routes_.push_back({method, pattern, kind, access.Describe() + (limit ? " limited" : "")});
  router_.Add(method, pattern, [this, api, access, limit, handler = std::move(handler)](Request& req) {
    return Run(req, api, access, limit, handler);
  });
}

void Site::Page(const std::string& method, const std::string& pattern, Access access, RouteHandler handler,
                std::optional<Limit> limit) {
  AddRoute("page", method, pattern, access, std::move(handler), limit);
}

void Site::Api(const std::string& method, const std::string& pattern, Access access, RouteHandler handler,
               std::optional<Limit> limit) {
  AddRoute("api", method, pattern, access, std::move(handler), limit);
}

Status Site::RateLimit(const Request& req, const Context& ctx, const Limit& limit) {
  std::string key = limit.by == Limit::By::kAccount && ctx.user ? "user:" + std::to_string(ctx.user->id) : "ip:" + req.remote_ip;
  if (auto wait = limit.limiter->Blocked(key))
    return Error::Say(ErrorCode::kResourceExhausted, limit.message_key, {{"seconds", std::to_string(*wait)}});
  limit.limiter->Record(key);
  return {};
}

void Site::Plain(const std::string& method, const std::string& pattern, http::Handler handler) {
  routes_.push_back({method, pattern, "plain", "public"});
  router_.Add(method, pattern, std::move(handler));
}

Response Site::Run(Request& req, bool api, const Access& access, const std::optional<Limit>& limit,
                   const RouteHandler& handler) {
  Context ctx;
  ctx.api = api;
  auto answer = [&]() -> Result<Response> {
    for (const auto& step : api ? api_chain_ : page_chain_) TING_RETURN_IF_ERROR(step(req, ctx));
    if (access.kind == Access::Kind::kSignedIn) TING_RETURN_IF_ERROR(RequireUser(ctx));
    if (access.kind == Access::Kind::kAction) TING_RETURN_IF_ERROR(RequireAction(ctx, access.action));
    if (limit) TING_RETURN_IF_ERROR(RateLimit(req, ctx, *limit));
    FallbackWatch watch(ctx.lang);  // pages say when content is shown in another language
    try {
      return handler(req, ctx);
    } catch (const json::exception& e) {
      // A JSON value of an unexpected type reached code that did not check it: the request was
      // wrong, not the server. (Fields are read with JsonFields; this is the net under it.)
      return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("api.wrong_type_somewhere"));
    }
  }();
  Response res = answer.ok() ? std::move(*answer) : ErrorResponse(req, ctx, answer.error());
  return Finish(ctx, std::move(res));
}

Response Site::Finish(Context& ctx, Response res) {
  if (ctx.api) {
    res.Set("Cache-Control", "no-store");
    return res;
  }
  for (const auto& c : ctx.set_cookies) res.Add("Set-Cookie", c);
  if (!res.headers.count("Cache-Control")) res.Set("Cache-Control", ctx.user ? "private, no-store" : "no-cache");
  res.Set("Vary", "Cookie, Accept-Language");
  return res;
}

Response Site::Health() {
  Status st = db_.Read([](db::Connection& c) -> Status {
    auto r = c.Query("SELECT 1");
    return r.ok() ? Status() : Status(r.error());
  });
  if (!st.ok()) return Json(503, {{"status", "unavailable"}, {"error", st.error().message}});
  Response r = Json(200, {{"status", "ok"}});
  r.Set("Cache-Control", "no-store");
  return r;
}

}  // namespace ting::web

// The one error path: every handler's Error becomes a response here, as an HTML page or, for
// the API, {"error": "<message in the request's language>", "code": "<catalogue key>"}.

#include <iostream>

#include "ting/base/strings.h"
#include "ting/base/keys.h"
#include "ting/web/site.h"

namespace ting::web {

using http::Request;
using http::Response;
using json = nlohmann::json;

namespace {

// What a person is told when an error carries no key of its own.
const char* GenericKey(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return TING_KEY("error.invalid");
    case ErrorCode::kMalformed: return TING_KEY("error.bad_request");
    case ErrorCode::kNotFound: return TING_KEY("error.not_found");
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict: return TING_KEY("error.conflict");
    case ErrorCode::kPermissionDenied: return TING_KEY("error.forbidden");
    case ErrorCode::kUnauthenticated: return TING_KEY("api.unauthenticated");
    case ErrorCode::kFailedPrecondition: return TING_KEY("error.precondition");
    case ErrorCode::kResourceExhausted: return TING_KEY("error.too_many");
    case ErrorCode::kGone: return TING_KEY("error.gone");
    default: return TING_KEY("error.server");
  }
}

const char* GenericTitle(int status) {
  switch (status) {
    case 400:
    case 422: return TING_KEY("error.invalid_title");
    case 403: return TING_KEY("error.forbidden_title");
    case 404: return TING_KEY("error.not_found_title");
    case 409: return TING_KEY("error.conflict_title");
    case 429: return TING_KEY("error.too_many_title");
    case 410: return TING_KEY("error.gone_title");
    default: return TING_KEY("error.server_title");
  }
}

}  // namespace

int Site::StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMalformed: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kInfeasible: return 422;
    case ErrorCode::kResourceExhausted: return 429;
    case ErrorCode::kGone: return 410;
    case ErrorCode::kIoError: return 503;
    default: return 500;
  }
}

Status Site::RequireUser(const Context& ctx) {
  if (!ctx.user) return Error::Say(ErrorCode::kUnauthenticated, ctx.api ? TING_KEY("api.unauthenticated") : TING_KEY("auth.sign_in_required"));
  return {};
}

Status Site::RequireAction(const Context& ctx, core::Action action) {
  TING_RETURN_IF_ERROR(RequireUser(ctx));
  if (!ctx.Can(action)) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("error.forbidden"));
  return {};
}

Response Site::ErrorResponse(const Request& req, Context& ctx, const Error& error) {
  int status = StatusFor(error.code);
  // Server-side failures keep their detail for the log; the person gets a plain message.
  bool server_fault = status >= 500;
  if (server_fault) std::cerr << "ting: " << req.method << " " << req.path << ": " << error.message << "\n";
  std::string key = error.key.empty() || server_fault ? GenericKey(error.code) : error.key;
  Error::Args args = error.args;
  std::optional<std::string> retry_after;
  if (auto it = args.find("seconds"); it != args.end() && status == 429) retry_after = it->second;

  Response res;
  if (ctx.api) {
    json body = {{"error", T(ctx, key, args)}, {"code", key}};
    if (auto field = args.find("field"); field != args.end()) body["field"] = field->second;
    res = Json(status, body);
    if (status == 401) res.Set("WWW-Authenticate", "Bearer");
  } else if (status == 401) {
    // A page that needs a signed-in person shows the sign-in form, then comes back.
    ctx.flash = key;
    html::Data d;
    d.set("next", SafeLocalPath(req.target));
    d.set("form_email", "");
    d.set("has_errors", false);
    res = RenderPage(req, ctx, "sign_in", TING_KEY("sign_in.title"), d, 401);
  } else {
    std::string title = catalog().HasKey(html::Catalog::kDefaultLanguage, key + "_title") ? key + "_title" : GenericTitle(status);
    res = ErrorPage(req, ctx, status, title, key, args);
  }
  if (retry_after) res.Set("Retry-After", *retry_after);
  return res;
}

}  // namespace ting::web

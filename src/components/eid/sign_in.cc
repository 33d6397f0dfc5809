// Signing in with eID: the authorization code flow with PKCE, state and nonce against the
// organisation's provider; then the person's account (found by the keyed hash of their number,
// or made for them) and its link to the register person with the same number.
//
// A person linked to another account already (verified earlier with a voting code or at a desk)
// is signed in with their eID account all the same, unverified, and told so: nothing is moved,
// because the other account may be someone's on purpose (a family's shared e-mail, a desk's
// mistake) and undoing a link is the organisation's decision, not a sign-in's.

#include <iostream>

#include "eid_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/core/accounts.h"

namespace ting::components {

namespace {

// The attempt's state, kept in the browser that started it: a callback link made by someone
// else (with their own code and state) cannot sign this browser in as them.
constexpr const char* kStateCookie = "ting_eid";
constexpr size_t kMaxNumber = 64;  // bytes of a personal identity number, normalised
constexpr size_t kMaxName = 100;   // bytes, as an account's name may have

// A claim as text: a string as it is, a whole number written out; "" for anything else.
std::string ClaimText(const json& claims, const std::string& name) {
  auto it = claims.find(name);
  if (it == claims.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

bool UsableText(std::string_view s) {
  if (!IsValidUtf8(s)) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

// The account's address: unique per person, and nobody's mailbox (.invalid never resolves), so
// no mail reaches anyone and no password can be reset through it.
std::string AccountEmail(const std::string& identity_key) { return "eid-" + identity_key.substr(0, 24) + "@eid.invalid"; }

}  // namespace

Result<Response> EidComponent::Start(Request& req, Context& ctx) {
  const std::string next = web::SafeLocalPath(req.QueryParam("next").value_or("/"));
  TING_ASSIGN_OR_RETURN(auto config, providers_.Config(ctx.org.id));
  if (!*config) return Error::Say(ErrorCode::kNotFound, TING_KEY("eid.not_configured"));
  const EidConfig& k = **config;
  auto metadata = providers_.Provider(ctx.org.id, k)->Metadata();
  if (!metadata.ok()) {
    std::cerr << "ting: eid: the provider's discovery failed: " << metadata.error().message << "\n";
    return Problem(req, ctx, 503, TING_KEY("eid.unreachable"), next);
  }
  const oidc::Pkce pkce = oidc::NewPkce();
  const std::string state = oidc::RandomUrlToken();
  const EidAttempt attempt{ctx.org.id, oidc::RandomUrlToken(), pkce.verifier, next};
  TING_RETURN_IF_ERROR(store_.StartAttempt(state, attempt));
  Site::SetCookie(ctx, kStateCookie, state, kAttemptSeconds);
  std::vector<std::pair<std::string, std::string>> extra = {{"ui_locales", ctx.lang}};
  if (!k.acr_values.empty()) extra.emplace_back("acr_values", k.acr_values);
  Response to_provider = Response::Redirect(
      oidc::AuthorizationUrl(*metadata, k.client_id, RedirectUri(ctx), k.scopes, state, attempt.nonce, pkce.challenge, extra), 302);
  to_provider.Set("Cache-Control", "no-store");  // a fresh state each time
  return to_provider;
}

Result<Response> EidComponent::Callback(Request& req, Context& ctx) {
  const std::string state = req.QueryParam("state").value_or("");
  const std::optional<std::string> started_here = req.Cookie(kStateCookie);
  Site::SetCookie(ctx, kStateCookie, "", 0);
  // Taken before anything else is looked at: a state is good for one callback.
  std::optional<EidAttempt> attempt;
  if (!state.empty()) {
    TING_ASSIGN_OR_RETURN(attempt, store_.TakeAttempt(state));
  }
  if (!attempt || started_here != state || attempt->organisation_id != ctx.org.id)
    return Problem(req, ctx, 400, TING_KEY("eid.expired"), attempt ? attempt->next : "/");
  if (req.QueryParam("error")) return Problem(req, ctx, 401, TING_KEY("eid.cancelled"), attempt->next);
  TING_ASSIGN_OR_RETURN(auto config, providers_.Config(ctx.org.id));
  if (!*config) return Error::Say(ErrorCode::kNotFound, TING_KEY("eid.not_configured"));
  auto claims = Confirm(req, ctx, *providers_.Provider(ctx.org.id, **config), *attempt);
  if (!claims.ok()) return Refused(req, ctx, claims.error(), attempt->next);
  return SignIn(req, ctx, **config, *claims, attempt->next);
}

// The id token for the callback's code, its signature, issuer, audience, nonce and times checked.
Result<json> EidComponent::Confirm(const Request& req, const Context& ctx, oidc::Provider& provider, const EidAttempt& attempt) {
  const std::string code = req.QueryParam("code").value_or("");
  if (code.empty()) return Error::Unauthenticated("the callback has no code");
  TING_ASSIGN_OR_RETURN(oidc::TokenResponse tokens, provider.ExchangeCode(code, RedirectUri(ctx), attempt.code_verifier));
  return provider.Verify(tokens.id_token, attempt.nonce, site_.env().NowSeconds());
}

Result<Response> EidComponent::Refused(const Request& req, Context& ctx, const Error& error, const std::string& next) {
  std::cerr << "ting: eid: sign-in refused: " << error.message << "\n";  // the detail, for whoever set the provider up
  if (error.code == ErrorCode::kInternal) return error;
  if (error.code == ErrorCode::kIoError) return Problem(req, ctx, 503, TING_KEY("eid.unreachable"), next);
  return Problem(req, ctx, 401, TING_KEY("eid.not_confirmed"), next);
}

Result<Response> EidComponent::SignIn(const Request& req, Context& ctx, const EidConfig& config, const json& claims,
                                      const std::string& next) {
  const std::string number = NormalisePersonId(ClaimText(claims, config.ssn_claim));
  if (number.empty() || number.size() > kMaxNumber || !UsableText(number)) {
    std::cerr << "ting: eid: the id token has no usable claim \"" << config.ssn_claim << "\"\n";
    return Problem(req, ctx, 401, TING_KEY("eid.no_number"), next);
  }
  std::string name(Trim(ClaimText(claims, config.name_claim)));
  name = UsableText(name) ? std::string(Utf8Prefix(name, kMaxName)) : "";
  if (name.empty()) name = site_.T(ctx, TING_KEY("eid.default_name"));
  TING_ASSIGN_OR_RETURN(std::string identity_key, store_.IdentityKey(number));
  TING_ASSIGN_OR_RETURN(core::User user, AccountFor(ctx, identity_key, name));
  TING_ASSIGN_OR_RETURN(Link link, LinkToRegister(ctx, number, user.id));
  site_.StartSession(req, ctx, user);
  const char* flash = link == Link::kVerified        ? TING_KEY("eid.signed_in")
                      : link == Link::kNotInRegister ? TING_KEY("eid.signed_in_not_in_register")
                                                     : TING_KEY("eid.signed_in_linked_elsewhere");
  return site_.RedirectWithFlash(ctx, next, flash);
}

Result<core::User> EidComponent::AccountFor(const Context& ctx, const std::string& identity_key, const std::string& name) {
  TING_ASSIGN_OR_RETURN(int64_t user_id, store_.AccountOf(identity_key));
  if (!user_id) {
    auto created = CreateAccount(ctx, identity_key, name);
    if (created.ok() || created.error().code != ErrorCode::kAlreadyExists) return created;
    // The same person's other sign-in made it a moment ago. (Never an account found by its
    // address alone: only the identity says whose it is.)
    TING_ASSIGN_OR_RETURN(user_id, store_.AccountOf(identity_key));
    if (!user_id) return Error::Internal("eid: an identity's account address belongs to another account");
  }
  TING_ASSIGN_OR_RETURN(auto user, site_.accounts().FindById(user_id));
  if (!user) return Error::Internal("eid: an identity without its account");
  return *user;
}

// An account that can only be signed in to with eID: its password is a random token nobody
// ever sees. The identity is recorded in the transaction that creates it.
Result<core::User> EidComponent::CreateAccount(const Context& ctx, const std::string& identity_key, const std::string& name) {
  TING_ASSIGN_OR_RETURN(std::string hash, core::HashPassword(core::RandomToken(32)));
  const int64_t organisation_id = ctx.org.id;
  return site_.accounts().RegisterHashed(AccountEmail(identity_key), name, ctx.lang, hash, [&](db::Connection& c, const core::User& user) {
    return store_.RecordIdentityIn(c, identity_key, user.id, organisation_id);
  });
}

Result<EidComponent::Link> EidComponent::LinkToRegister(const Context& ctx, const std::string& number, int64_t user_id) {
  TING_ASSIGN_OR_RETURN(auto person, register_.FindByPersonId(ctx.org.id, number));
  if (!person) return Link::kNotInRegister;
  Status st = voters_.Verify(ctx.org.id, person->id, user_id, "eid");
  if (st.ok()) return Link::kVerified;  // also when it was linked already
  if (st.error().code == ErrorCode::kAlreadyExists) return Link::kLinkedElsewhere;
  return st.error();
}

std::string EidComponent::RedirectUri(const Context& ctx) const { return site_.Url(ctx.org, "/sign-in/eid/callback"); }

Response EidComponent::Problem(const Request& req, Context& ctx, int status, const char* message_key, const std::string& next) {
  html::Data d;
  d.set("message", site_.T(ctx, message_key));
  d.set("next", next);
  d.set("sign_in_url", "/sign-in?next=" + oidc::PercentEncode(next));
  return site_.RenderPage(req, ctx, "eid/problem", TING_KEY("eid.problem_title"), d, status);
}

}  // namespace ting::components

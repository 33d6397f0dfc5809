// The eid component: its routes, the admins' API for the provider's settings, and the sign-in
// button's words on every page.

#include <chrono>

#include "eid_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"

namespace ting::components {

namespace eid {
const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/
}

namespace {

constexpr size_t kMaxText = 500;   // bytes, any setting
constexpr size_t kMaxLabel = 100;  // bytes: it is a button's text
// Sign-ins started per client address in five minutes; each stores an attempt until it is used
// or expires.
constexpr int kStartsPerAddress = 30;

bool HasControl(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

// RFC 6749 3.3: scope tokens are printable ASCII but '"' and '\', separated by single spaces.
bool ValidScopes(std::string_view scopes) {
  bool openid = false;
  for (auto token : Split(scopes, ' ')) {
    if (token.empty()) return false;
    for (unsigned char c : token)
      if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
    openid = openid || token == "openid";
  }
  return openid;
}

Status CheckText(const char* field, const std::string& value, size_t max, bool required) {
  if ((required && value.empty()) || value.size() > max || !IsValidUtf8(value) || HasControl(value))
    return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("eid.invalid.text"), {{"field", field}, {"max", std::to_string(max)}});
  return {};
}

}  // namespace

bool AllowedIssuer(std::string_view issuer) {
  if (issuer.size() > kMaxText || HasControl(issuer) || issuer.find_first_of(" ?#\\@") != std::string_view::npos) return false;
  const bool https = StartsWith(issuer, "https://");
  if (!https && !StartsWith(issuer, "http://")) return false;
  std::string_view authority = issuer.substr(https ? 8 : 7);
  authority = authority.substr(0, authority.find('/'));
  if (authority.empty()) return false;
  // The host without its port ("[::1]:8443" → "[::1]").
  std::string_view host = authority.front() == '[' ? authority.substr(0, authority.find(']') + 1) : authority.substr(0, authority.find(':'));
  if (host.empty()) return false;
  // Plain http only to this machine: the client secret travels to the token endpoint.
  return https || host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

Status CheckConfig(const EidConfig& k) {
  if (!AllowedIssuer(k.issuer)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("eid.invalid.issuer"), {{"field", "issuer"}});
  TING_RETURN_IF_ERROR(CheckText("client_id", k.client_id, kMaxText, true));
  TING_RETURN_IF_ERROR(CheckText("client_secret", k.client_secret, kMaxText, true));
  TING_RETURN_IF_ERROR(CheckText("scopes", k.scopes, kMaxText, true));
  if (!ValidScopes(k.scopes)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("eid.invalid.scopes"), {{"field", "scopes"}});
  TING_RETURN_IF_ERROR(CheckText("ssn_claim", k.ssn_claim, kMaxText, true));
  TING_RETURN_IF_ERROR(CheckText("name_claim", k.name_claim, kMaxText, true));
  TING_RETURN_IF_ERROR(CheckText("label", k.label, kMaxLabel, true));
  return CheckText("acr_values", k.acr_values, kMaxText, false);
}

EidComponent::EidComponent(web::Site& site)
    : site_(site),
      store_(site.db(), site.env()),
      providers_(store_, site.env()),
      register_(site.db(), site.env()),
      voters_(site.db(), site.env()),
      starts_(site.env(), kStartsPerAddress, std::chrono::minutes(5)) {
  const auto admins = web::Access::Can(core::Action::kManageRegister);  // personal data: admins only
  const auto anyone = web::Access::Public();
  site.Api("GET", "/api/v1/eid", admins, [this](Request& req, Context& ctx) { return ApiGet(req, ctx); });
  site.Api("PUT", "/api/v1/eid", admins, [this](Request& req, Context& ctx) { return ApiPut(req, ctx); });
  site.Api("DELETE", "/api/v1/eid", admins, [this](Request& req, Context& ctx) { return ApiDelete(req, ctx); });
  site.Page("GET", "/sign-in/eid", anyone, [this](Request& req, Context& ctx) { return Start(req, ctx); },
            web::Limit{&starts_, web::Limit::By::kClientAddress, TING_KEY("eid.too_many")});
  site.Page("GET", "/sign-in/eid/callback", anyone, [this](Request& req, Context& ctx) { return Callback(req, ctx); });
  site.AddLayoutData([this](const Context& ctx, html::Data& data) { FillLayout(ctx, data); });
}

// The secret is never shown, only whether there is one; the redirect URI is what the admin
// registers at the provider.
json EidComponent::ConfigJson(const Context& ctx, const std::optional<EidConfig>& k) const {
  if (!k) return {{"configured", false}, {"redirect_uri", RedirectUri(ctx)}};
  return {{"configured", true},          {"issuer", k->issuer},         {"client_id", k->client_id},
          {"client_secret_set", !k->client_secret.empty()},           {"scopes", k->scopes},
          {"ssn_claim", k->ssn_claim},   {"name_claim", k->name_claim}, {"label", k->label},
          {"acr_values", k->acr_values}, {"redirect_uri", RedirectUri(ctx)}};
}

Result<Response> EidComponent::ApiGet(Request&, Context& ctx) {
  TING_ASSIGN_OR_RETURN(auto config, store_.Config(ctx.org.id));
  return Site::Json(200, ConfigJson(ctx, config));
}

// Replaces the settings. The secret may be left out to keep the stored one (changing the label
// should not need the secret at hand).
Result<Response> EidComponent::ApiPut(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields f(body);
  EidConfig k;
  TING_ASSIGN_OR_RETURN(k.issuer, f.Required("issuer"));
  TING_ASSIGN_OR_RETURN(k.client_id, f.Required("client_id"));
  std::optional<std::string> secret = f.OptionalText("client_secret");
  k.scopes = f.Text("scopes", k.scopes);
  k.ssn_claim = f.Text("ssn_claim", k.ssn_claim);
  k.name_claim = f.Text("name_claim", k.name_claim);
  k.label = f.Text("label", k.label);
  k.acr_values = f.Text("acr_values");
  TING_RETURN_IF_ERROR(f.Check());
  if (secret) {
    k.client_secret = *secret;
  } else {
    TING_ASSIGN_OR_RETURN(auto stored, store_.Config(ctx.org.id));
    if (!stored) return Error::Say(ErrorCode::kMalformed, TING_KEY("api.missing_field"), {{"field", "client_secret"}});
    k.client_secret = stored->client_secret;
  }
  TING_RETURN_IF_ERROR(CheckConfig(k));
  TING_RETURN_IF_ERROR(store_.SaveConfig(ctx.org.id, k));
  providers_.Forget(ctx.org.id);
  return Site::Json(200, ConfigJson(ctx, k));
}

// The identities and their accounts stay: with a provider again, people find their accounts.
Result<Response> EidComponent::ApiDelete(Request&, Context& ctx) {
  TING_ASSIGN_OR_RETURN(bool removed, store_.DeleteConfig(ctx.org.id));
  providers_.Forget(ctx.org.id);
  json answer = ConfigJson(ctx, std::nullopt);
  answer["removed"] = removed;
  return Site::Json(200, answer);
}

void EidComponent::FillLayout(const Context& ctx, html::Data& data) {
  auto config = providers_.Config(ctx.org.id);
  if (!config.ok() || !**config) return;  // a page without the button beats no page
  const std::string& label = (**config)->label;
  data.set("eid_label", label);
  data.set("eid_sign_in", site_.T(ctx, TING_KEY("eid.sign_in_with"), {{"label", label}}));
}

web::Manifest EidManifest() {
  return web::ManifestOf<EidComponent>("eid", "/sign-in/eid, /api/v1/eid", EidMigrations, eid::Resources);
}

}  // namespace ting::components

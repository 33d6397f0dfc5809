// The organisation's languages: those its pages are offered in (the picker, and the language
// negotiated for a reader) and its content is written in, the default first. A new organisation
// has every language with a catalogue; its admins narrow that here or with `ting org set`.

#include <algorithm>

#include "accounts_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/web/json_fields.h"

namespace ting::components {

using web::FormField;

// Every language must have a catalogue (a page in it can be shown); at least one; no repeats.
Status AccountsComponent::SetLanguages(Context& ctx, const std::vector<std::string>& languages) {
  if (languages.empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("admin.languages_none"));
  for (size_t i = 0; i < languages.size(); ++i) {
    if (!site_.catalog().Has(languages[i]) || std::find(languages.begin(), languages.begin() + static_cast<std::ptrdiff_t>(i), languages[i]) !=
                                                    languages.begin() + static_cast<std::ptrdiff_t>(i))
      return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("admin.languages_unknown"), {{"language", languages[i]}});
  }
  core::Organisations orgs(site_.db(), site_.env());
  TING_RETURN_IF_ERROR(orgs.Configure(ctx.org.id, ctx.org.time_zone, languages));
  site_.ForgetOrganisations();
  ctx.org.languages = languages;
  return {};
}

Result<Response> AccountsComponent::LanguagesForm(Request& req, Context& ctx) {
  const std::string chosen_default = FormField(req, "default");
  std::vector<std::string> languages;
  for (const auto& [k, v] : req.FormFields())
    if (k == "language" && std::find(languages.begin(), languages.end(), v) == languages.end()) languages.push_back(v);
  // The default first; it is on even when its box was left unticked.
  if (!chosen_default.empty()) {
    languages.erase(std::remove(languages.begin(), languages.end(), chosen_default), languages.end());
    languages.insert(languages.begin(), chosen_default);
  }
  if (auto st = SetLanguages(ctx, languages); !st.ok()) {
    if (st.error().code != ErrorCode::kInvalidArgument) return st.error();
    return AdminPage(req, ctx, {site_.T(ctx, st.error().key, st.error().args)}, 422);
  }
  return site_.RedirectWithFlash(ctx, "/admin", TING_KEY("admin.languages_saved"));
}

namespace {

json LanguagesJson(const Site& site, const std::vector<std::string>& codes) {
  json out = json::array();
  for (const auto& code : codes) {
    const auto& l = site.catalog().Lang(code);
    out.push_back({{"code", code}, {"name", site.catalog().Has(code) ? l.name : code}, {"dir", site.catalog().Has(code) ? l.dir : "auto"}});
  }
  return out;
}

}  // namespace

Result<Response> AccountsComponent::ApiOrganisation(Request&, Context& ctx) {
  std::vector<std::string> available;
  for (const auto& l : site_.catalog().languages()) available.push_back(l.code);
  return Site::Json(200, {{"slug", ctx.org.slug},
                          {"name", ctx.org.name},
                          {"time_zone", ctx.org.time_zone},
                          {"languages", LanguagesJson(site_, ctx.org.languages)},
                          {"available_languages", LanguagesJson(site_, available)}});
}

// {"languages": ["sv", "ar", "en"]}: the default first.
Result<Response> AccountsComponent::ApiSetLanguages(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  if (!body.is_object() || !body.contains("languages"))
    return Error::Say(ErrorCode::kMalformed, TING_KEY("api.missing_field"), {{"field", "languages"}});
  const json& list = body["languages"];
  auto wrong = Error::Say(ErrorCode::kInvalidArgument, TING_KEY("api.wrong_type"), {{"field", "languages"}, {"expected", "array of language codes"}});
  if (!list.is_array()) return wrong;
  std::vector<std::string> languages;
  for (const auto& code : list) {
    if (!code.is_string()) return wrong;
    languages.push_back(code.get<std::string>());
  }
  TING_RETURN_IF_ERROR(SetLanguages(ctx, languages));
  return ApiOrganisation(req, ctx);
}

}  // namespace ting::components

// The assemblies component's routes and what its API and pages share: finding an assembly of the
// organisation, seats and their keys, registration, invitations and their letters.

#include <algorithm>
#include <set>

#include <sodium.h>

#include "component.h"
#include "ting/base/digest.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/components/assemblies.h"
#include "ting/components/letters.h"
#include "ting/web/multipart.h"

namespace ting::components::assemblies {

std::string SeatCookie(int64_t assembly_id) { return "ting_seat_" + std::to_string(assembly_id); }

AssembliesComponent::AssembliesComponent(Site& site)
    : site_(site), store_(site.db(), site.env()), registrations_(site.env(), 300, std::chrono::hours(1)) {
  const auto anyone = web::Access::Public();
  const auto manage = web::Access::Can(core::Action::kManageProcesses);
  const auto staff = web::Access::Can(core::Action::kEnterPaperBallots);
  const std::string api = "/api/v1/assemblies";
  auto route = [this](Result<Response> (AssembliesComponent::*fn)(Request&, Context&)) {
    return [this, fn](Request& req, Context& ctx) { return (this->*fn)(req, ctx); };
  };
  for (const char* stage : kStages) ExpectKey(std::string("assemblies.stage.") + stage);
  for (const char* d : kDecisions) ExpectKey(std::string("assemblies.decision.") + d);
  for (const char* p : kProgress) ExpectKey(std::string("assemblies.progress.") + p);
  for (const char* n : kNeeds) ExpectKey(std::string("assemblies.need.") + n);
  for (const char* d : kDateNames) ExpectKey(std::string("assemblies.date.") + d);
  for (const char* s : {"invited", "confirmed", "declined"}) ExpectKey(std::string("assemblies.seat.") + s);
  for (const char* s : {"reserve", "redraw", "none"}) ExpectKey(std::string("assemblies.change.") + s);
  for (const char* v : {"yes", "no", "abstain"}) ExpectKey(std::string("assemblies.vote.") + v);

  site.Api("GET", api, anyone, route(&AssembliesComponent::ApiList));
  site.Api("POST", api, manage, route(&AssembliesComponent::ApiCreate));
  site.Api("GET", api + "/{slug}", anyone, route(&AssembliesComponent::ApiGet));
  site.Api("PUT", api + "/{slug}", manage, route(&AssembliesComponent::ApiUpdate));
  site.Api("POST", api + "/{slug}/invitations", manage, route(&AssembliesComponent::ApiInvitations));
  site.Api("POST", api + "/{slug}/volunteers", anyone, route(&AssembliesComponent::ApiRegister), web::Limit{&registrations_});
  site.Api("POST", api + "/{slug}/volunteers/import", manage, route(&AssembliesComponent::ApiImport));
  site.Api("GET", api + "/{slug}/volunteers", manage, route(&AssembliesComponent::ApiVolunteers));
  site.Api("GET", api + "/{slug}/pool", manage, route(&AssembliesComponent::ApiPool));
  site.Api("POST", api + "/{slug}/freeze", manage, route(&AssembliesComponent::ApiFreeze));
  site.Api("POST", api + "/{slug}/draw", manage, route(&AssembliesComponent::ApiDraw));
  site.Api("GET", api + "/{slug}/draw", anyone, route(&AssembliesComponent::ApiPublicDraw));
  site.Api("GET", api + "/{slug}/draw/people.csv", anyone, [this](Request& req, Context& ctx) { return ApiInputFile(req, ctx, true); });
  site.Api("GET", api + "/{slug}/draw/categories.csv", anyone, [this](Request& req, Context& ctx) { return ApiInputFile(req, ctx, false); });
  site.Api("GET", api + "/{slug}/panel", manage, route(&AssembliesComponent::ApiPanel));
  site.Api("POST", api + "/{slug}/panel/{id}", manage, route(&AssembliesComponent::ApiPanelAnswer));
  site.Api("POST", api + "/{slug}/seat", anyone, route(&AssembliesComponent::ApiSeat));
  site.Api("GET", api + "/{slug}/sessions", anyone, route(&AssembliesComponent::ApiSessions));
  site.Api("POST", api + "/{slug}/sessions", manage, route(&AssembliesComponent::ApiAddSession));
  site.Api("POST", api + "/{slug}/sessions/{id}/documents", manage, route(&AssembliesComponent::ApiDocument));
  site.Api("PUT", api + "/{slug}/sessions/{id}/attendance", staff, route(&AssembliesComponent::ApiAttendance));
  site.Api("GET", api + "/{slug}/recommendations", anyone, route(&AssembliesComponent::ApiRecommendations));
  site.Api("POST", api + "/{slug}/recommendations", anyone, route(&AssembliesComponent::ApiAddRecommendation));
  site.Api("PUT", api + "/{slug}/recommendations/{id}", anyone, route(&AssembliesComponent::ApiEditRecommendation));
  site.Api("POST", api + "/{slug}/recommendations/{id}/comments", anyone, route(&AssembliesComponent::ApiComment));
  site.Api("POST", api + "/{slug}/recommendations/{id}/votes", anyone, route(&AssembliesComponent::ApiVote));
  site.Api("POST", api + "/{slug}/recommendations/{id}/close", manage, route(&AssembliesComponent::ApiClose));
  site.Api("POST", api + "/{slug}/recommendations/{id}/answer", manage, route(&AssembliesComponent::ApiAnswer));
  site.Api("POST", api + "/{slug}/recommendations/{id}/progress", manage, route(&AssembliesComponent::ApiProgress));
  site.Api("POST", api + "/{slug}/erase", manage, route(&AssembliesComponent::ApiErase));

  site.Page("GET", "/assemblies", anyone, route(&AssembliesComponent::ListPage));
  site.Page("GET", "/assemblies/{slug}", anyone, route(&AssembliesComponent::ShowPage));
  site.Page("GET", "/assemblies/{slug}/register", anyone, [this](Request& req, Context& ctx) { return RegisterPage(req, ctx, {}, "", 200); });
  site.Page("POST", "/assemblies/{slug}/register", anyone, route(&AssembliesComponent::RegisterForm), web::Limit{&registrations_});
  site.Page("GET", "/assemblies/{slug}/draw", anyone, route(&AssembliesComponent::DrawPage));
  site.Page("GET", "/assemblies/{slug}/seat/{key}", anyone, route(&AssembliesComponent::SeatLink));
  site.Page("GET", "/assemblies/{slug}/members", anyone, route(&AssembliesComponent::MembersPage));
  site.Page("POST", "/assemblies/{slug}/members", anyone, route(&AssembliesComponent::MembersForm));
  site.Page("GET", "/admin/assemblies/{slug}", manage, route(&AssembliesComponent::AdminPage));
  site.Page("POST", "/admin/assemblies/{slug}", manage, route(&AssembliesComponent::AdminForm));
  site.Page("GET", "/admin/assemblies", manage, route(&AssembliesComponent::AdminListPage));
  site.Page("POST", "/admin/assemblies", manage, route(&AssembliesComponent::AdminCreate));
  site.Page("GET", "/admin/assemblies/{slug}/panel.csv", manage, [this](Request& req, Context& ctx) -> Result<Response> {
    TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
    return PanelCsv(ctx, a);
  });
  site.AddHomeSection([this](const Request&, Context& ctx) {
    html::Data d;
    return AddHome(ctx, d) ? site_.RenderFragment(ctx, "assemblies/home_section", d) : std::string();
  });
}

Result<Assembly> AssembliesComponent::Get(const Context& ctx, const std::string& slug) {
  TING_ASSIGN_OR_RETURN(auto a, store_.Find(ctx.org, slug));
  if (!a) return Error::Say(ErrorCode::kNotFound, TING_KEY("assemblies.not_found"));
  return std::move(*a);
}

Result<std::string> AssembliesComponent::Secret(const char* name, std::string& cached) {
  std::lock_guard lock(mu_);
  if (cached.empty()) {
    TING_ASSIGN_OR_RETURN(cached, core::InstanceSecret(site_.db(), name));
  }
  return cached;
}

Result<std::string> AssembliesComponent::SeatSecret() { return Secret("assembly-seats", seat_secret_); }
Result<std::string> AssembliesComponent::CodeSecret() { return Secret("assembly-invitations", code_secret_); }

Result<std::string> AssembliesComponent::InvitationHash(const std::string& typed) {
  std::string code = NormaliseVotingCode(typed);
  if (code.empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.code"));
  TING_ASSIGN_OR_RETURN(std::string secret, CodeSecret());
  return HmacSha256Hex(secret, code);
}

std::string AssembliesComponent::SeatUrl(const std::string& secret, const Context& ctx, const Assembly& a, int64_t volunteer_id) const {
  return site_.Url(ctx.org, "/assemblies/" + a.slug + "/seat/" + SeatKey(secret, a.id, volunteer_id));
}

std::string AssembliesComponent::RegisterUrl(const Context& ctx, const Assembly& a, const std::string& code) {
  return site_.Url(ctx.org, "/assemblies/" + a.slug + "/register?code=" + code);
}

Result<std::optional<Volunteer>> AssembliesComponent::SeatOf(const Request& req, const Context&, const Assembly& a) {
  std::string key(Trim(req.Header("X-Ting-Seat")));
  if (key.empty()) key = req.Cookie(SeatCookie(a.id)).value_or("");
  return SeatByKey(a, key);
}

Result<std::optional<Volunteer>> AssembliesComponent::SeatByKey(const Assembly& a, std::string_view key) {
  if (key.size() != 32 || !a.drawn()) return std::optional<Volunteer>();
  TING_ASSIGN_OR_RETURN(std::string secret, SeatSecret());
  TING_ASSIGN_OR_RETURN(auto volunteers, store_.SeatHolders(a.id));
  for (auto& v : volunteers) {
    const std::string expected = SeatKey(secret, a.id, v.id);
    if (sodium_memcmp(expected.data(), key.data(), expected.size()) == 0) return std::optional<Volunteer>(std::move(v));
  }
  return std::optional<Volunteer>();
}

Result<Volunteer> AssembliesComponent::RequireMember(const Request& req, const Context& ctx, const Assembly& a) {
  TING_ASSIGN_OR_RETURN(auto seat, SeatOf(req, ctx, a));
  if (!seat || seat->seat != "confirmed") return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("assemblies.problem.members_only"));
  return std::move(*seat);
}

Result<SeatHook> AssembliesComponent::MailSeat(const Context& ctx, const Assembly& a) {
  // The secret is read now: the hook runs inside a write, where no other transaction may start.
  TING_ASSIGN_OR_RETURN(std::string secret, SeatSecret());
  return SeatHook([this, secret, ctx, a](db::Connection& c, const Volunteer& v) -> Status {
    if (v.email.empty()) return {};
    const std::string lang = v.language.empty() ? ctx.org.default_language() : v.language;
    web::MailWords words{.key = TING_MAIL_KEY("mail.assembly_seat"),
                         .vars = {{"name", v.name}, {"assembly", a.Title(lang)}, {"link", SeatUrl(secret, ctx, a, v.id)}}};
    return StatusOf(outbox::Enqueue(c, site_.env(), site_.ComposeMail(ctx.org, lang, v.email, words)));
  });
}

Result<int64_t> AssembliesComponent::Register(const Context& ctx, const Assembly& a, const std::map<std::string, std::string>& fields,
                                              const std::map<std::string, std::string>& answers, bool consent, const std::string& code) {
  if (!a.RegistrationOpen(site_.env().Today(a.time_zone))) return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.closed"));
  std::string hash;
  if (!Trim(code).empty() || a.invitation_only) {
    if (Trim(code).empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.code_needed"));
    TING_ASSIGN_OR_RETURN(hash, InvitationHash(code));
  }
  TING_ASSIGN_OR_RETURN(Volunteer v, VolunteerFromFields(a, fields, answers, consent));
  if (v.language.empty()) v.language = ctx.lang;
  if (!site_.catalog().Has(v.language)) v.language = ctx.lang;
  int64_t id = 0;
  std::vector<int64_t> ids;
  TING_ASSIGN_OR_RETURN(ids, store_.AddVolunteers(a, {v}, hash));
  id = ids.front();
  if (!v.email.empty()) {
    web::MailWords words{.key = TING_MAIL_KEY("mail.assembly_registered"),
                         .vars = {{"name", v.name}, {"assembly", a.Title(v.language)}, {"link", site_.Url(ctx.org, "/assemblies/" + a.slug)}}};
    outbox::Message m = site_.ComposeMail(ctx.org, v.language, v.email, words);
    TING_RETURN_IF_ERROR(site_.db().Write([&](db::Connection& c) { return StatusOf(outbox::Enqueue(c, site_.env(), m)); }));
    site_.WakeMail();
  }
  return id;
}

Result<std::vector<IssuedCode>> AssembliesComponent::Invite(const Context& ctx, const Assembly& a, int64_t count, bool by_district) {
  if (count < 1 || count > 100000) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.count"));
  if (a.frozen()) return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.frozen"));
  VoterDirectory directory(site_.db(), site_.env());
  TING_ASSIGN_OR_RETURN(auto people, directory.People(ctx.org.id));
  std::set<int64_t> invited;
  std::set<std::string> invited_households;
  TING_RETURN_IF_ERROR(site_.db().Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT resident_id, household FROM assembly_invitations WHERE assembly_id = ?", {a.id}));
    for (const auto& r : rows) {
      invited.insert(r.Int(0));
      if (!r.Str(1).empty()) invited_households.insert(r.Str(1));
    }
    return {};
  }));
  // The units drawn: people, or households (each addressed to one of its people, drawn too).
  std::map<std::string, std::vector<IssuedCode>> units;
  for (auto& p : people) {
    if (invited.count(p.resident_id)) continue;
    const std::string key = a.households && !HouseholdKey(p.household).empty() ? "h:" + HouseholdKey(p.household) : "p:" + std::to_string(p.resident_id);
    if (a.households && invited_households.count(HouseholdKey(p.household))) continue;
    units[key].push_back(p);
  }
  std::map<std::string, std::vector<std::string>> strata;  // district -> unit keys
  for (const auto& [key, members] : units) strata[by_district ? members.front().district : ""].push_back(key);
  int64_t total = static_cast<int64_t>(units.size());
  if (total == 0) return Error::Say(ErrorCode::kFailedPrecondition, TING_KEY("assemblies.problem.no_one_to_invite"));
  count = std::min(count, total);
  // Proportional shares, largest remainders (ties: the district first by name); exact integers.
  std::map<std::string, int64_t> take;
  std::vector<std::pair<int64_t, std::string>> remainders;
  int64_t given = 0;
  for (const auto& [district, keys] : strata) {
    const int64_t size = static_cast<int64_t>(keys.size());
    take[district] = count * size / total;
    given += take[district];
    remainders.push_back({-(count * size % total), district});
  }
  std::sort(remainders.begin(), remainders.end());
  for (size_t i = 0; given < count && i < remainders.size(); ++i, ++given) ++take[remainders[i].second];
  std::vector<IssuedCode> chosen;
  for (auto& [district, keys] : strata) {
    // A partial Fisher-Yates shuffle with the CSPRNG: the first take[district] are the sample.
    for (int64_t i = 0; i < take[district]; ++i) {
      const auto j = i + randombytes_uniform(static_cast<uint32_t>(keys.size() - static_cast<size_t>(i)));
      std::swap(keys[static_cast<size_t>(i)], keys[static_cast<size_t>(j)]);
      auto& members = units[keys[static_cast<size_t>(i)]];
      chosen.push_back(members[randombytes_uniform(static_cast<uint32_t>(members.size()))]);
    }
  }
  TING_ASSIGN_OR_RETURN(std::string secret, CodeSecret());  // before the write: no transaction may start inside it
  TING_RETURN_IF_ERROR(site_.db().Write([&](db::Connection& c) -> Status {
    for (auto& p : chosen) {
      for (int attempt = 0;; ++attempt) {
        p.code = NewVotingCode();
        const std::string hash = HmacSha256Hex(secret, NormaliseVotingCode(p.code));
        auto r = c.Exec("INSERT INTO assembly_invitations(assembly_id, resident_id, household, code_hash, created_at) VALUES(?, ?, ?, ?, ?)",
                        {a.id, p.resident_id, a.households ? HouseholdKey(p.household) : std::string(), hash, site_.env().NowSeconds()});
        if (r.ok()) break;
        if (attempt == 4) return r.error();
      }
    }
    return {};
  }));
  return chosen;
}

Result<Response> AssembliesComponent::Letters(const Context& ctx, const Assembly& a, const std::vector<IssuedCode>& codes) {
  return LettersDownload(
      site_, ctx, codes, [&](const std::string& code) { return RegisterUrl(ctx, a, code); },
      [&](const Context& in) {
        LetterWords w{site_.T(in, TING_KEY("assemblies.letter.heading"), {{"assembly", a.Title(in.lang)}}),
                      site_.T(in, TING_KEY("assemblies.letter.code_label")), {}};
        const std::map<std::string, std::string> vars = {{"assembly", a.Title(in.lang)}, {"question", a.Question(in.lang)}, {"org", ctx.org.name},
                                                         {"panel", std::to_string(a.panel_size)},
                                                         {"url", site_.Url(ctx.org, "/assemblies/" + a.slug + "/register")}};
        for (const char* key : {TING_KEY("assemblies.letter.p1"), TING_KEY("assemblies.letter.p2"), TING_KEY("assemblies.letter.p3"),
                                TING_KEY("assemblies.letter.p4")})
          w.paragraphs.push_back(site_.T(in, key, vars));
        return w;
      },
      a.slug + "-invitations.pdf");
}

Result<json> AssembliesComponent::Pool(const Assembly& a) {
  TING_ASSIGN_OR_RETURN(auto volunteers, store_.Volunteers(a.id));
  json features = json::object(), warnings = json::array();
  for (const auto& f : a.features) {
    json values = json::object();
    for (const auto& q : f.values) {
      int64_t count = 0;
      for (const auto& v : volunteers) {
        auto it = v.answers.find(f.name);
        count += it != v.answers.end() && it->second == q.value;
      }
      values[q.value] = {{"count", count}, {"min", q.min}, {"max", q.max}};
      if (count < q.min)
        warnings.push_back({{"feature", f.name}, {"value", q.value}, {"count", count}, {"min", q.min}});
    }
    features[f.name] = values;
  }
  return json{{"volunteers", volunteers.size()}, {"panel_size", a.panel_size}, {"features", features}, {"warnings", warnings}};
}

json AssembliesComponent::InfeasibleJson(const Context& ctx, const json& details) {
  json out = details;
  out["error"] = site_.T(ctx, TING_KEY("assemblies.infeasible"));
  out["code"] = "assemblies.infeasible";
  return out;
}

}  // namespace ting::components::assemblies

namespace ting::components {

web::Manifest AssembliesManifest() {
  return web::ManifestOf<assemblies::AssembliesComponent>("assemblies", "/assemblies, /admin/assemblies, /api/v1/assemblies", assemblies::Migrations,
                                                          assemblies::Resources, SeedAssemblies);
}

}  // namespace ting::components

// Routes of the processes component: API, public pages, admin pages.

#include <chrono>
#include <mutex>

#include "processes_internal.h"
#include "ting/base/keys.h"
#include "ting/base/money.h"
#include "ting/base/strings.h"
#include "ting/base/ttl_cache.h"
#include "ting/html/markdown.h"

namespace ting::components {

namespace processes {
const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/
}

using web::FormField;

std::string PhaseLabel(const Site& site, const Context& ctx, Phase p) {
  return site.T(ctx, std::string("phase.") + PhaseName(p));
}

std::string BallotText(const Site& site, const Context& ctx, const BallotRules& r) {
  switch (r.type) {
    case BallotType::kApproval:
      return r.max ? site.T(ctx, TING_KEY("ballot.text.approval"), {{"max", std::to_string(r.max)}}) : site.T(ctx, TING_KEY("ballot.text.approval_any"));
    case BallotType::kKnapsack: return site.T(ctx, TING_KEY("ballot.text.knapsack"));
    case BallotType::kCumulative: return site.T(ctx, TING_KEY("ballot.text.cumulative"), {{"points", std::to_string(r.points)}});
    case BallotType::kRanking:
      return r.max ? site.T(ctx, TING_KEY("ballot.text.ranking"), {{"max", std::to_string(r.max)}}) : site.T(ctx, TING_KEY("ballot.text.ranking_any"));
  }
  return {};
}

std::string RuleText(const Site& site, const Context& ctx, CountingRule r) {
  return site.T(ctx, std::string("rule.text.") + CountingRuleName(r));
}

std::string EligibilityText(const Site& site, const Context& ctx, const Eligibility& e) {
  if (e.Open()) return site.T(ctx, TING_KEY("eligibility.anyone"));
  std::string text = site.T(ctx, TING_KEY("eligibility.register"));
  if (e.min_age && e.max_age) {
    (text += ' ') += site.T(ctx, TING_KEY("eligibility.age_between"), {{"min", std::to_string(*e.min_age)}, {"max", std::to_string(*e.max_age)}});
  } else if (e.min_age) {
    (text += ' ') += site.T(ctx, TING_KEY("eligibility.age_min"), {{"min", std::to_string(*e.min_age)}});
  } else if (e.max_age) {
    (text += ' ') += site.T(ctx, TING_KEY("eligibility.age_max"), {{"max", std::to_string(*e.max_age)}});
  }
  if (!e.districts.empty()) (text += ' ') += site.T(ctx, TING_KEY("eligibility.districts"), {{"districts", Join(e.districts, ", ")}});
  text += ".";
  if (e.per_household) (text += ' ') += site.T(ctx, TING_KEY("eligibility.household"));
  return text;
}

Result<Process> FindProcess(ProcessStore& store, const Context& ctx, const std::string& slug) {
  TING_ASSIGN_OR_RETURN(auto p, store.Find(ctx.org.id, slug));
  if (!p) return Error::Say(ErrorCode::kNotFound, TING_KEY("processes.not_found"));
  return std::move(*p);
}

namespace {

// Whole currency units typed in a form → minor units. Accepts "1 500 000", "1500000", "1500000,50".
std::optional<int64_t> ParseAmount(std::string text, const std::string& currency) {
  std::string digits;
  std::string fraction;
  bool in_fraction = false;
  for (char c : text) {
    if (c == ' ' || c == '\xc2' || c == '\xa0' || c == '_') continue;
    if ((c == ',' || c == '.') && !in_fraction) {
      in_fraction = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    (in_fraction ? fraction : digits) += c;
  }
  int exp = CurrencyExponent(currency);
  if (digits.empty() || static_cast<int>(fraction.size()) > exp || digits.size() > 15) return std::nullopt;
  fraction.resize(exp, '0');
  return ParseInt64(digits + fraction);
}

// A store error said in the catalogue's words: validation problems keep their detail (the field
// named) inside the "processes.invalid" message.
Error Explain(const Error& e) {
  if (!e.key.empty() || Site::StatusFor(e.code) >= 500) return e;
  return Error::Say(e.code, TING_KEY("processes.invalid"), {{"detail", e.message}});
}

class ProcessesComponent final : public web::Component {
 public:
  explicit ProcessesComponent(Site& site) : list_cache_(site.env(), std::chrono::seconds(2), 1000) {
    site_ = &site;
    store_ = std::make_unique<ProcessStore>(site.db(), site.env());
    const auto manage = web::Access::Can(core::Action::kManageProcesses);
    const auto anyone = web::Access::Public();
    for (Phase p : AllPhases()) ExpectKey(std::string("phase.") + PhaseName(p));
    for (auto r : {CountingRule::kGreedy, CountingRule::kMes}) ExpectKey(std::string("rule.text.") + CountingRuleName(r));
    site.Api("POST", "/api/v1/processes", manage, [this](Request& req, Context& ctx) { return ApiCreate(req, ctx); });
    site.Api("GET", "/api/v1/processes", anyone, [this](Request& req, Context& ctx) { return ApiList(req, ctx); });
    site.Api("GET", "/api/v1/processes/{slug}", anyone, [this](Request& req, Context& ctx) { return ApiGet(req, ctx); });
    site.Api("PATCH", "/api/v1/processes/{slug}", manage, [this](Request& req, Context& ctx) { return ApiPatch(req, ctx); });
    site.Page("GET", "/processes/{slug}", anyone, [this](Request& req, Context& ctx) { return Show(req, ctx); });
    site.Page("GET", "/admin/processes", manage, [this](Request& req, Context& ctx) { return AdminList(req, ctx, {}, 200); });
    site.Page("POST", "/admin/processes", manage, [this](Request& req, Context& ctx) { return AdminCreate(req, ctx); });
    site.Page("GET", "/admin/processes/{slug}", manage, [this](Request& req, Context& ctx) { return AdminEdit(req, ctx, {}, 200); });
    site.Page("POST", "/admin/processes/{slug}/phase", manage, [this](Request& req, Context& ctx) { return AdminPatch(req, ctx, PhasePatch(req)); });
    site.Page("POST", "/admin/processes/{slug}/dates", manage, [this](Request& req, Context& ctx) { return AdminPatch(req, ctx, DatesPatch(req)); });
    const auto signed_in = web::Access::SignedIn();
    site.Page("POST", "/processes/{slug}/follow", signed_in, [this](Request& req, Context& ctx) { return FollowPage(req, ctx); });
    site.Api("POST", "/api/v1/processes/{slug}/follow", signed_in, [this](Request& req, Context& ctx) { return ApiFollow(req, ctx); });
    site.Api("DELETE", "/api/v1/processes/{slug}/follow", signed_in, [this](Request& req, Context& ctx) { return ApiFollow(req, ctx); });
    site.Page("POST", "/admin/processes/{slug}/access", manage, [this](Request& req, Context& ctx) {
      return AdminPatch(req, ctx, json{{"require_verified_account", FormField(req, "require_verified_account") == "1"}});
    });
    site.Page("POST", "/admin/processes/{slug}/budgets", manage, [this](Request& req, Context& ctx) {
      return AdminPatch(req, ctx, json{{"budgets", json::array({BudgetFromForm(ctx, req)})}});
    });
    site.AddHomeSection([this](const Request& req, Context& ctx) { return HomeSection(req, ctx); });
  }

 private:
  // --- API ---
  Result<Response> ApiCreate(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kManageProcesses));
    TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
    auto process = ProcessFromJson(parsed_body, ctx.org.languages);
    if (!process.ok()) return Explain(process.error());
    auto created = store_->Create(ctx.org.id, std::move(*process));
    if (!created.ok()) return Explain(created.error());
    return Site::Json(201, ProcessToJson(*created, Today(ctx)));
  }

  Result<Response> ApiList(Request&, Context& ctx) {
    auto list = store_->List(ctx.org.id);
    if (!list.ok()) return list.error();
    json out = json::array();
    std::string today = Today(ctx);
    for (const auto& p : *list) out.push_back(ProcessToJson(p, today));
    return Site::Json(200, {{"processes", out}});
  }

  Result<Response> ApiGet(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*store_, ctx, req.Param("slug")));
    return Site::Json(200, ProcessToJson(p, Today(ctx)));
  }

  Result<Response> ApiPatch(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kManageProcesses));
    TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
    auto updated = store_->Update(ctx.org.id, req.Param("slug"), parsed_body);
    if (!updated.ok()) return Explain(updated.error());
    return Site::Json(200, ProcessToJson(*updated, Today(ctx)));
  }

  // --- public pages ---
  html::Data ProcessData(const Process& p, Context& ctx) {
    std::string today = Today(ctx);
    Phase now = p.CurrentPhase(today);
    html::Data d;
    d.set("slug", p.slug);
    d.set("require_verified_account", p.require_verified_account);
    d.set("title", p.Title(ctx.lang));
    d.set("description_html", html::RenderMarkdown(p.Description(ctx.lang)));
    d.set("phase_label", PhaseLabel(*site_, ctx, now));
    html::List phases;
    for (const auto& pd : p.phases) {
      html::Object o{{"label", PhaseLabel(*site_, ctx, pd.phase)},
                     {"state", pd.phase < now ? "done" : pd.phase == now ? "current" : "upcoming"}};
      std::string dates = pd.starts_on.empty() ? "" : pd.starts_on + (pd.ends_on.empty() ? "" : " – " + pd.ends_on);
      o["dates"] = html::Data(dates);
      o["current"] = html::Data(pd.phase == now ? html::Data::type::bool_true : html::Data::type::bool_false);
      phases.push_back(o);
    }
    d.set("phases", phases);
    html::List budgets;
    for (const auto& b : p.budgets) {
      html::Object o{{"name", b.Name(ctx.lang)}, {"slug", b.slug}, {"process_slug", p.slug},
                     {"amount", site_->FormatMoney(ctx, {b.amount, b.currency})}, {"ballot_text", BallotText(*site_, ctx, b.ballot)},
                     {"rule_text", RuleText(*site_, ctx, b.rule)}, {"who_text", EligibilityText(*site_, ctx, b.eligibility)}};
      o["can_vote"] = html::Data(now == Phase::kVoting ? html::Data::type::bool_true : html::Data::type::bool_false);
      o["has_results"] = html::Data(now >= Phase::kResults ? html::Data::type::bool_true : html::Data::type::bool_false);
      budgets.push_back(o);
    }
    d.set("budgets", budgets);
    bool any_register = std::any_of(p.budgets.begin(), p.budgets.end(), [](const Budget& b) { return !b.eligibility.Open(); });
    d.set("any_register", any_register);
    d.set("voting", now == Phase::kVoting);
    d.set("show_followup", now >= Phase::kResults);
    d.set("can_manage", ctx.Can(core::Action::kManageProcesses));
    return d;
  }

  Result<Response> Show(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*store_, ctx, req.Param("slug")));
    const Process& process = p;
    html::Data d = ProcessData(process, ctx);
    if (ctx.user) {
      TING_ASSIGN_OR_RETURN(bool following, IsFollowing(site_->db(), ctx.user->id, process.id));
      d.set("following", following);
    }
    d.set("signed_in", ctx.user.has_value());
    return site_->RenderPageTitled(req, ctx, "processes/show", process.Title(ctx.lang), d);
  }

  // Follow or stop following (page: "follow" = 1 or 0; API: POST follows, DELETE stops).
  Result<Response> FollowPage(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*store_, ctx, req.Param("slug")));
    bool follow = FormField(req, "follow") == "1";
    TING_RETURN_IF_ERROR(SetFollowing(site_->db(), site_->env(), ctx.user->id, p.id, follow));
    return site_->RedirectWithFlash(ctx, "/processes/" + p.slug, follow ? TING_KEY("processes.followed") : TING_KEY("processes.unfollowed"));
  }
  Result<Response> ApiFollow(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*store_, ctx, req.Param("slug")));
    bool follow = req.method == "POST";
    TING_RETURN_IF_ERROR(SetFollowing(site_->db(), site_->env(), ctx.user->id, p.id, follow));
    return Site::Json(200, {{"following", follow}});
  }

  // The start page lists every process; that list is read at most every two seconds.
  std::shared_ptr<const std::vector<Process>> CachedList(int64_t org_id) {
    if (auto cached = list_cache_.Get(org_id)) return cached;
    auto list = store_->List(org_id);
    if (!list.ok()) return nullptr;
    return list_cache_.Put(org_id, std::move(*list));
  }

  std::string HomeSection(const Request&, Context& ctx) {
    auto list = CachedList(ctx.org.id);
    if (!list) return {};
    std::string today = Today(ctx);
    html::Data d;
    html::List items;
    for (const auto& p : *list) {
      int64_t total = 0;
      std::string currency = p.budgets.empty() ? "SEK" : p.budgets.front().currency;
      for (const auto& b : p.budgets) total += b.amount;
      items.push_back(html::Object{{"slug", p.slug}, {"title", p.Title(ctx.lang)}, {"phase_label", PhaseLabel(*site_, ctx, p.CurrentPhase(today))},
                                   {"budget_summary", site_->T(ctx, TING_KEY("processes.budget_summary"), {{"count", std::to_string(p.budgets.size())},
                                                                                                 {"amount", site_->FormatMoney(ctx, {total, currency})}})}});
    }
    d.set("has_processes", !list->empty());
    d.set("processes", items);
    return site_->RenderFragment(ctx, "processes/home_section", d);
  }

  // --- admin pages ---
  // One form field per content language of the organisation (field_<code>), the default
  // language's first and required; labelled with the language's own name.
  html::List LanguageFields(const Context& ctx, const std::string& field, const std::string& label_key, const Request* req,
                            bool required) const {
    html::List out;
    for (const auto& code : ctx.org.languages) {
      // The language's name in the reader's language ("arabiska"), else its own name from its
      // catalogue, else its code.
      bool known = site_->catalog().Has(code);
      std::string language = site_->catalog().HasKey(html::Catalog::kDefaultLanguage, "language.name." + code)
                                 ? site_->T(ctx, "language.name." + code)
                                 : known ? site_->catalog().Lang(code).name : code;
      html::Object o{{"name", field + "_" + code},
                     {"code", code},
                     {"dir", known ? site_->catalog().Lang(code).dir : std::string("auto")},
                     {"label", site_->T(ctx, label_key, {{"language", language}})},
                     {"value", req ? FormField(*req, field + "_" + code) : std::string()}};
      o["required"] = html::Data(required && code == ctx.org.default_language() ? html::Data::type::bool_true
                                                                                : html::Data::type::bool_false);
      out.push_back(o);
    }
    return out;
  }

  // {"sv": ..., "ar": ...} from the form's field_<code> inputs (empty ones left out).
  static json TextsFromForm(const Context& ctx, const Request& req, const std::string& field) {
    json texts = json::object();
    for (const auto& code : ctx.org.languages)
      if (auto v = FormField(req, field + "_" + code); !v.empty()) texts[code] = v;
    return texts;
  }

  void SetBudgetFormDefaults(html::Data& d, const Context& ctx, const Request* req) const {
    auto f = [&](const char* name, const char* fallback) { return req ? FormField(*req, name) : std::string(fallback); };
    d.set("b_slug", f("b_slug", ""));
    d.set("b_name_fields", LanguageFields(ctx, "b_name", TING_KEY("processes.field_budget_name"), req, true));
    d.set("b_amount", f("b_amount", ""));
    d.set("b_max", f("b_max", "3"));
    d.set("b_points", f("b_points", "10"));
    std::string ballot = req ? FormField(*req, "b_ballot") : "approval";
    for (const char* t : {"approval", "knapsack", "cumulative", "ranking"}) d.set(std::string("b_") + t, ballot == t);
    std::string rule = req ? FormField(*req, "b_rule") : "greedy";
    d.set("b_greedy", rule != "mes");
    d.set("b_mes", rule == "mes");
    d.set("b_register", req && FormField(*req, "b_register") == "1");
    d.set("b_household", req && FormField(*req, "b_household") == "1");
    d.set("b_districts", f("b_districts", ""));
    d.set("b_min_age", f("b_min_age", ""));
    d.set("b_max_age", f("b_max_age", ""));
  }

  static json BudgetFromForm(const Context& ctx, const Request& req) {
    json ballot = {{"type", FormField(req, "b_ballot").empty() ? "approval" : FormField(req, "b_ballot")}};
    if (auto max = ParseInt64(Trim(FormField(req, "b_max")))) ballot["max"] = *max;
    if (auto points = ParseInt64(Trim(FormField(req, "b_points")))) ballot["points"] = *points;
    json b = {{"slug", FormField(req, "b_slug")}, {"name", TextsFromForm(ctx, req, "b_name")},
              {"ballot", ballot}, {"rule", FormField(req, "b_rule").empty() ? "greedy" : FormField(req, "b_rule")}, {"currency", "SEK"}};
    auto amount = ParseAmount(FormField(req, "b_amount"), "SEK");
    b["amount"] = amount ? json(*amount) : json("invalid");
    // Who may vote: the register's people, by district, age and household (ProcessFromJson
    // checks it; a typed age that is no number reaches it as text and is refused there).
    if (FormField(req, "b_register") == "1") {
      json e = {{"register", true}, {"per", FormField(req, "b_household") == "1" ? "household" : "person"}};
      json districts = json::array();
      const std::string typed_districts = FormField(req, "b_districts");
      for (auto d : Split(typed_districts, ','))
        if (!Trim(d).empty()) districts.push_back(std::string(Trim(d)));
      e["districts"] = districts;
      for (const char* age : {"min_age", "max_age"}) {
        std::string typed(Trim(FormField(req, std::string("b_") + age)));
        if (!typed.empty()) e[age] = ParseInt64(typed) ? json(*ParseInt64(typed)) : json(typed);
      }
      b["eligibility"] = e;
    }
    return b;
  }

  static html::Data Errors(const std::vector<std::string>& errors) {
    html::Data d;
    html::List list;
    for (const auto& e : errors) list.push_back(html::Data(e));
    d.set("has_errors", !errors.empty());
    d.set("errors", list);
    return d;
  }

  Result<Response> AdminList(Request& req, Context& ctx, const std::vector<std::string>& errors, int status) {
    TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kManageProcesses));
    auto list = store_->List(ctx.org.id);
    if (!list.ok()) return list.error();
    html::Data d = Errors(errors);
    html::List items;
    std::string today = Today(ctx);
    for (const auto& p : *list)
      items.push_back(html::Object{{"slug", p.slug}, {"title", p.Title(ctx.lang)}, {"phase_label", PhaseLabel(*site_, ctx, p.CurrentPhase(today))}});
    d.set("processes", items);
    bool posted = req.method == "POST";
    d.set("f_slug", posted ? FormField(req, "slug") : "");
    d.set("title_fields", LanguageFields(ctx, "title", TING_KEY("processes.field_title"), posted ? &req : nullptr, true));
    d.set("description_fields", LanguageFields(ctx, "description", TING_KEY("processes.field_description"), posted ? &req : nullptr, false));
    SetBudgetFormDefaults(d, ctx, posted ? &req : nullptr);
    return site_->RenderPage(req, ctx, "processes/admin_list", TING_KEY("processes.admin_title"), d, status);
  }

  Result<Response> AdminCreate(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kManageProcesses));
    json body = {{"slug", FormField(req, "slug")},
                 {"title", TextsFromForm(ctx, req, "title")},
                 {"description", TextsFromForm(ctx, req, "description")},
                 {"phase", "information"},
                 {"budgets", json::array({BudgetFromForm(ctx, req)})}};
    auto process = ProcessFromJson(body, ctx.org.languages);
    if (!process.ok()) return AdminList(req, ctx, {Message(ctx, process.error())}, 422);
    auto created = store_->Create(ctx.org.id, std::move(*process));
    if (!created.ok()) {
      if (Site::StatusFor(created.error().code) >= 500) return created.error();
      return AdminList(req, ctx, {Message(ctx, created.error())}, Site::StatusFor(created.error().code));
    }
    return site_->RedirectWithFlash(ctx, "/admin/processes/" + created->slug, TING_KEY("processes.created"));
  }

  Result<Response> AdminEdit(Request& req, Context& ctx, const std::vector<std::string>& errors, int status) {
    TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kManageProcesses));
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*store_, ctx, req.Param("slug")));
    const Process& process = p;
    std::string today = Today(ctx);
    html::Data d = ProcessData(process, ctx);
    d.set("has_errors", !errors.empty());
    html::List err_list;
    for (const auto& m : errors) err_list.push_back(html::Data(m));
    d.set("errors", err_list);
    d.set("set_by_hand", process.phase_override.has_value());
    d.set("frozen", process.VotingHasOpened(today));
    html::List options, rows;
    for (Phase ph : AllPhases()) {
      html::Object o{{"value", PhaseName(ph)}, {"label", PhaseLabel(*site_, ctx, ph)}};
      o["selected"] = html::Data(process.phase_override == ph ? html::Data::type::bool_true : html::Data::type::bool_false);
      options.push_back(o);
      html::Object row{{"value", PhaseName(ph)}, {"label", PhaseLabel(*site_, ctx, ph)}, {"start", ""}, {"end", ""}};
      row["used"] = html::Data(html::Data::type::bool_false);
      for (const auto& pd : process.phases)
        if (pd.phase == ph) {
          row["used"] = html::Data(html::Data::type::bool_true);
          row["start"] = html::Data(pd.starts_on);
          row["end"] = html::Data(pd.ends_on);
        }
      rows.push_back(row);
    }
    d.set("phase_options", options);
    d.set("phase_rows", rows);
    SetBudgetFormDefaults(d, ctx, req.method == "POST" ? &req : nullptr);
    return site_->RenderPageTitled(req, ctx, "processes/admin_edit", process.Title(ctx.lang), d, status);
  }

  static json PhasePatch(const Request& req) { return {{"phase", FormField(req, "phase")}}; }

  static json DatesPatch(const Request& req) {
    json phases = json::array();
    for (Phase ph : AllPhases()) {
      std::string name = PhaseName(ph);
      if (FormField(req, "use_" + name).empty()) continue;
      phases.push_back({{"phase", name}, {"start", FormField(req, "start_" + name)}, {"end", FormField(req, "end_" + name)}});
    }
    return {{"phases", phases}};
  }

  Result<Response> AdminPatch(Request& req, Context& ctx, const json& patch) {
    TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kManageProcesses));
    auto updated = store_->Update(ctx.org.id, req.Param("slug"), patch);
    if (!updated.ok()) {
      if (updated.error().code == ErrorCode::kNotFound) return Error::Say(ErrorCode::kNotFound, TING_KEY("processes.not_found"));
      if (Site::StatusFor(updated.error().code) >= 500) return updated.error();
      return AdminEdit(req, ctx, {Message(ctx, updated.error())}, Site::StatusFor(updated.error().code));
    }
    return site_->RedirectWithFlash(ctx, "/admin/processes/" + updated->slug, TING_KEY("processes.saved"));
  }

  // An error's message in the request's language, for a form's list of problems.
  std::string Message(const Context& ctx, const Error& e) const {
    Error said = Explain(e);
    return site_->T(ctx, said.key, said.args);
  }
  std::string Today(const Context& ctx) const { return site_->env().Today(ctx.org.time_zone); }

  Site* site_ = nullptr;
  std::unique_ptr<ProcessStore> store_;
  TtlCache<int64_t, std::vector<Process>> list_cache_;
};

}  // namespace

web::Manifest ProcessesManifest() {
  return web::ManifestOf<ProcessesComponent>("processes", "/processes/{slug}, /admin/processes, /api/v1/processes",
                                  ProcessesMigrations, processes::Resources, SeedProcesses);
}

}  // namespace ting::components

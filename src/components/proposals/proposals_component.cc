// Proposals: submit, list, read, support, comment, edit, withdraw; review, merge, shortlist;
// notifications. Pages and JSON API.

#include <algorithm>
#include <cmath>

#include <filesystem>
#include <fstream>

#include "proposal_store.h"
#include "ting/base/keys.h"
#include "ting/core/accounts.h"
#include "ting/core/security.h"
#include "ting/web/multipart.h"
#include "ting/base/digest.h"
#include "ting/base/money.h"
#include "ting/base/strings.h"
#include "ting/base/time.h"
#include "ting/html/markdown.h"

namespace ting::components {

namespace proposals {
const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/
}

using http::Request;
using http::Response;
using json = nlohmann::json;
using web::Context;
using web::FormField;
using web::Site;

namespace {

html::Data Bool(bool b) { return html::Data(b ? html::Data::type::bool_true : html::Data::type::bool_false); }

json ProposalJson(const Proposal& p) {
  json j = {{"id", p.id},           {"title", p.title},     {"body", p.body},           {"budget", p.budget_slug},
            {"category", p.category}, {"cost", p.cost},     {"status", ProposalStatusName(p.status)},
            {"supports", p.supports}, {"on_ballot", p.on_ballot}, {"author", p.author_name},
            {"review_explanation", p.review_explanation}, {"created_at", p.created_at}, {"updated_at", p.updated_at}};
  j["review_cost"] = p.review_cost ? json(*p.review_cost) : json(nullptr);
  j["merged_into"] = p.merged_into ? json(p.merged_into) : json(nullptr);
  if (p.lat) j["place"] = {{"lat", *p.lat}, {"lon", *p.lon}};
  return j;
}

std::optional<double> ParseCoordinate(const std::string& s) {
  std::string t(Trim(s));
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Whole currency units typed in a form → minor units ("1 500 000", "1500000,50").
std::optional<int64_t> ParseKronor(const std::string& text) {
  std::string digits, fraction;
  bool in_fraction = false;
  for (char c : text) {
    if (c == ' ' || c == '_' || c == '\xc2' || c == '\xa0') continue;
    if ((c == ',' || c == '.') && !in_fraction) {
      in_fraction = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    (in_fraction ? fraction : digits) += c;
  }
  if (digits.empty() || fraction.size() > 2 || digits.size() > 13) return std::nullopt;
  fraction.resize(2, '0');
  return ParseInt64(digits + fraction);
}

class ProposalsComponent final : public web::Component {
 public:
  explicit ProposalsComponent(Site& site)
      : proposal_limiter_(site.env(), 10, std::chrono::hours(1)), comment_limiter_(site.env(), 30, std::chrono::minutes(10)) {
    site_ = &site;
    store_ = std::make_unique<ProposalStore>(site.db(), site.env());
    processes_ = std::make_unique<ProcessStore>(site.db(), site.env());
    const auto anyone = web::Access::Public();
    const auto signed_in = web::Access::SignedIn();
    auto page = [this](auto fn) { return [this, fn](Request& req, Context& ctx) { return (this->*fn)(req, ctx); }; };
    site.Api("POST", "/api/v1/processes/{slug}/proposals", signed_in, page(&ProposalsComponent::ApiCreate));
    site.Api("GET", "/api/v1/processes/{slug}/proposals", anyone, page(&ProposalsComponent::ApiList));
    site.Api("GET", "/api/v1/proposals/{id}", anyone, page(&ProposalsComponent::ApiGet));
    site.Api("PATCH", "/api/v1/proposals/{id}", signed_in, page(&ProposalsComponent::ApiPatch));
    site.Api("POST", "/api/v1/proposals/{id}/withdraw", signed_in, page(&ProposalsComponent::ApiWithdraw));
    site.Api("POST", "/api/v1/proposals/{id}/review", signed_in, page(&ProposalsComponent::ApiReview));
    site.Api("POST", "/api/v1/proposals/{id}/merge", signed_in, page(&ProposalsComponent::ApiMerge));
    site.Api("POST", "/api/v1/proposals/{id}/support", signed_in, page(&ProposalsComponent::ApiSupport));
    site.Api("DELETE", "/api/v1/proposals/{id}/support", signed_in, page(&ProposalsComponent::ApiSupport));
    site.Api("GET", "/api/v1/proposals/{id}/comments", anyone, page(&ProposalsComponent::ApiComments));
    site.Api("POST", "/api/v1/proposals/{id}/comments", signed_in, page(&ProposalsComponent::ApiAddComment));
    site.Page("GET", "/processes/{slug}/proposals", anyone, page(&ProposalsComponent::ListPage));
    site.Page("GET", "/processes/{slug}/proposals/new", anyone, page(&ProposalsComponent::NewPage));
    site.Page("POST", "/processes/{slug}/proposals", signed_in, page(&ProposalsComponent::CreatePage));
    site.Page("GET", "/proposals/{id}", anyone, page(&ProposalsComponent::ShowPage));
    site.Page("GET", "/proposals/{id}/edit", signed_in, page(&ProposalsComponent::EditPage));
    site.Page("POST", "/proposals/{id}/edit", signed_in, page(&ProposalsComponent::EditSubmit));
    site.Page("POST", "/proposals/{id}/withdraw", signed_in, page(&ProposalsComponent::WithdrawPage));
    site.Page("POST", "/proposals/{id}/support", signed_in, page(&ProposalsComponent::SupportPage));
    site.Page("POST", "/proposals/{id}/comments", signed_in, page(&ProposalsComponent::CommentPage));
    site.Page("POST", "/proposals/{id}/comments/{comment}/edit", signed_in, page(&ProposalsComponent::CommentEditPage));
    site.Page("POST", "/proposals/{id}/comments/{comment}/delete", signed_in, page(&ProposalsComponent::CommentDeletePage));
    site.Page("POST", "/proposals/{id}/comments/{comment}/hide", signed_in, page(&ProposalsComponent::CommentHidePage));
    site.Page("POST", "/proposals/{id}/review", signed_in, page(&ProposalsComponent::ReviewPage));
    site.Page("POST", "/proposals/{id}/merge", signed_in, page(&ProposalsComponent::MergePage));
    site.Page("POST", "/proposals/{id}/ballot", signed_in, page(&ProposalsComponent::BallotTogglePage));
    site.Page("POST", "/proposals/{id}/assign", signed_in, page(&ProposalsComponent::AssignPage));
    site.Page("GET", "/admin/processes/{slug}/review", anyone, page(&ProposalsComponent::ReviewQueue));
    site.Page("GET", "/notifications", signed_in, page(&ProposalsComponent::NotificationsPage));
    site.Page("GET", "/uploads/{name}", anyone, page(&ProposalsComponent::ServeImage));
  }

 private:
  // The proposal of the path, if it belongs to a process of the request's organisation.
  Result<std::pair<Proposal, Process>> Load(const Context& ctx, const std::string& id_text) {
    auto id = ParseInt64(id_text);
    if (!id) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
    TING_ASSIGN_OR_RETURN(auto p, store_->Find(*id));
    if (!p) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
    TING_ASSIGN_OR_RETURN(auto process, processes_->FindById(p->process_id));
    if (!process || process->organisation_id != ctx.org.id) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
    return std::pair{std::move(*p), std::move(*process)};
  }

  // Residents' new proposals and comments per account: enough for anyone taking part, not
  // enough to fill the disk with images or the pages with spam. People with a role in the
  // organisation (staff entering paper proposals at a meeting) are not limited.
  Status Throttle(const Context& ctx, core::RateLimiter& limiter) {
    if (!ctx.roles.empty()) return {};
    const std::string key = std::to_string(ctx.user->id);
    if (limiter.Blocked(key)) return Error::Say(ErrorCode::kResourceExhausted, TING_KEY("proposals.too_many"));
    limiter.Record(key);
    return {};
  }

  std::string Say(const Context& ctx, const Error& e) { return site_->T(ctx, e.key, e.args); }

  // The draft of a JSON body; a field of the wrong type is remembered in fields (answer 422).
  static ProposalDraft DraftFromJson(const json& b, web::JsonFields& fields) {
    ProposalDraft d;
    d.title = fields.Text("title");
    d.body = fields.Text("body");
    d.category = fields.Text("category");
    d.budget_slug = fields.Text("budget");
    if (b.contains("cost")) d.cost = fields.Int("cost").value_or(0);
    for (auto [name, out] : {std::pair{"lat", &d.lat}, std::pair{"lon", &d.lon}}) {
      if (!b.contains(name) || b[name].is_null()) continue;
      if (b[name].is_number()) *out = b[name].get<double>();
      else *out = 999;  // rejected as a bad place
    }
    return d;
  }

  static std::optional<ProposalDraft> DraftFromForm(const Request& req) {
    ProposalDraft d;
    d.title = FormField(req, "title");
    d.body = FormField(req, "body");
    d.category = FormField(req, "category");
    d.budget_slug = FormField(req, "budget");
    d.cost = ParseKronor(FormField(req, "cost")).value_or(-1);
    d.lat = ParseCoordinate(FormField(req, "lat"));
    d.lon = ParseCoordinate(FormField(req, "lon"));
    if (!Trim(FormField(req, "lat")).empty() && !d.lat) d.lat = 999;  // rejected as a bad place
    return d;
  }

  // --- images ---
  static constexpr size_t kMaxImageBytes = 5 * 1024 * 1024;
  struct Upload {
    std::string data, type;
  };

  // The images of a multipart form, checked by their bytes (not by what the browser claims).
  // Error kInvalidArgument with the problem's catalogue key.
  Result<std::vector<Upload>> ImagesFrom(const Request& req) {
    std::vector<Upload> out;
    for (auto& part : web::MultipartParts(req)) {
      if (part.name != "image" || (part.filename.empty() && part.data.empty()) || part.data.empty()) continue;
      if (part.data.size() > kMaxImageBytes) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.image_size"));
      std::string type = web::SniffImageType(part.data);
      if (type.empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.image_type"));
      if (!site_->env().Files().enabled()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.no_uploads"));
      out.push_back({std::move(part.data), type});
    }
    if (static_cast<int64_t>(out.size()) > ProposalStore::kMaxImages) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.image_count"));
    return out;
  }

  // Files go to the Env's file store under random names; the database keeps their type.
  Status StoreImages(int64_t proposal_id, const std::vector<Upload>& uploads) {
    for (const auto& u : uploads) {
      std::string ext = u.type == "image/png" ? ".png" : u.type == "image/jpeg" ? ".jpg" : u.type == "image/webp" ? ".webp" : ".gif";
      std::string name = core::RandomToken(18) + ext;
      TING_RETURN_IF_ERROR(site_->env().Files().Put(name, u.data));
      // A file whose row failed stays unreferenced and is never served (names are random).
      TING_RETURN_IF_ERROR(store_->AddImage({0, proposal_id, static_cast<int64_t>(u.data.size()), name, u.type}));
    }
    return {};
  }

  Result<Response> ServeImage(Request& req, Context&) {
    std::string name = req.Param("name");
    auto image = store_->ImageByName(name);
    if (!image.ok() || !*image) return Response::Text(404, "not found");
    auto bytes = site_->env().Files().Get(name);
    if (!bytes.ok()) return Response::Text(404, "not found");
    Response r;
    r.body = std::move(*bytes);
    r.Set("Content-Type", (*image)->content_type);
    r.Set("Cache-Control", "public, max-age=86400");
    r.Set("Content-Security-Policy", "default-src 'none'; sandbox");
    return r;
  }

  // --- API ---
  Result<Response> ApiCreate(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
    TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
    web::JsonFields fields(parsed_body);
    ProposalDraft draft = DraftFromJson(parsed_body, fields);
    TING_RETURN_IF_ERROR(fields.Check());
    if (auto st = Throttle(ctx, proposal_limiter_); !st.ok()) return st.error();
    auto created = store_->Create(p, ctx.user->id, draft);
    if (!created.ok()) return created.error();
    return Site::Json(201, ProposalJson(*created));
  }

  ProposalQuery QueryFrom(const Request& req, const Context& ctx) {
    ProposalQuery q;
    q.text = req.QueryParam("q").value_or("");
    q.budget = req.QueryParam("budget").value_or("");
    q.category = req.QueryParam("category").value_or("");
    q.status = req.QueryParam("status").value_or("");
    q.sort = req.QueryParam("sort").value_or("newest");
    // Clamped in 64 bits before narrowing: page arithmetic (previous, next, offsets) never overflows.
    q.page = static_cast<int>(std::clamp<int64_t>(ParseInt64(req.QueryParam("page").value_or("1")).value_or(1), 1, 1000000));
    q.per_page = static_cast<int>(std::clamp<int64_t>(ParseInt64(req.QueryParam("per_page").value_or("20")).value_or(20), 1, 200));
    std::string seed_source = ctx.visitor_id.empty() ? (ctx.user ? std::to_string(ctx.user->id) : "api") : ctx.visitor_id;
    q.seed = std::stoull(Sha256Hex("proposal-order:" + seed_source).substr(0, 15), nullptr, 16);
    return q;
  }

  Result<Response> ApiList(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
    ProposalQuery q = QueryFrom(req, ctx);
    if (!req.QueryParam("per_page")) q.per_page = 200;
    auto page = store_->List(p, q);
    if (!page.ok()) return page.error();
    json list = json::array();
    for (const auto& pr : page->proposals) list.push_back(ProposalJson(pr));
    return Site::Json(200, {{"proposals", list}, {"total", page->total}, {"page", q.page}});
  }

  Result<Response> ApiGet(Request& req, Context& ctx) {
    auto loaded = Load(ctx, req.Param("id"));
    if (!loaded.ok()) return loaded.error();
    return Site::Json(200, ProposalJson(loaded->first));
  }

  Result<Response> ApiPatch(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
    auto loaded = Load(ctx, req.Param("id"));
    if (!loaded.ok()) return loaded.error();
    TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
    json body = parsed_body;
    auto& [proposal, process] = *loaded;
    if (body.contains("on_ballot")) {
      TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kManageProcesses));
      // The shortlist is the manager's decision, an edit the author's: never half of one request.
      for (const auto& [key, value] : body.items())
        if (key != "on_ballot" && key != "reason")
          return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.on_ballot_alone"));
      web::JsonFields fields(body);
      auto on_ballot = fields.Bool("on_ballot");
      auto reason = fields.Text("reason");
      TING_RETURN_IF_ERROR(fields.Check());
      if (!on_ballot) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("api.wrong_type"), {{"field", "on_ballot"}, {"expected", "boolean"}});
      if (auto st = store_->SetOnBallot(proposal.id, *on_ballot, ctx.user->id, reason); !st.ok()) return st.error();
      body.erase("on_ballot");
      body.erase("reason");
    }
    if (!body.empty()) {
      json merged = {{"title", proposal.title}, {"body", proposal.body}, {"category", proposal.category}, {"budget", proposal.budget_slug},
                     {"cost", proposal.cost}};
      for (auto& [k, v] : body.items()) merged[k] = v;
      web::JsonFields fields(merged);
      ProposalDraft draft = DraftFromJson(merged, fields);
      TING_RETURN_IF_ERROR(fields.Check());
      auto edited = store_->Edit(process, proposal.id, ctx.user->id, draft);
      if (!edited.ok()) return edited.error();
    }
    return ApiGet(req, ctx);
  }

  Result<Response> ApiWithdraw(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
    auto loaded = Load(ctx, req.Param("id"));
    if (!loaded.ok()) return loaded.error();
    if (auto st = store_->Withdraw(loaded->first.id, ctx.user->id); !st.ok()) return st.error();
    return ApiGet(req, ctx);
  }

  Result<Response> ApiReview(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kReviewProposals));
    auto loaded = Load(ctx, req.Param("id"));
    if (!loaded.ok()) return loaded.error();
    TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
    web::JsonFields fields(parsed_body);
    std::string explanation = fields.Text("explanation");
    std::string action = fields.Text("action");
    auto feasible = fields.Bool("feasible");
    auto cost = fields.Int("cost");
    TING_RETURN_IF_ERROR(fields.Check());
    Status st;
    if (action == "revise") {
      st = store_->RequestRevision(loaded->first.id, ctx.user->id, explanation);
    } else {
      if (!feasible)
        return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.feasible_missing"));
      st = store_->Review(loaded->first.id, ctx.user->id, *feasible, cost, explanation);
    }
    if (!st.ok()) return st.error();
    return ApiGet(req, ctx);
  }

  Result<Response> ApiMerge(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kReviewProposals));
    auto loaded = Load(ctx, req.Param("id"));
    if (!loaded.ok()) return loaded.error();
    TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
    web::JsonFields fields(parsed_body);
    auto into = fields.Int("into");
    TING_RETURN_IF_ERROR(fields.Check());
    if (!into) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.merge_into"));
    auto target = Load(ctx, std::to_string(*into));
    if (!target.ok()) return target.error();
    if (auto st = store_->Merge(loaded->first.id, target->first.id); !st.ok()) return st.error();
    return ApiGet(req, ctx);
  }

  Result<Response> ApiSupport(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
    auto loaded = Load(ctx, req.Param("id"));
    if (!loaded.ok()) return loaded.error();
    auto r = store_->Support(loaded->first.id, ctx.user->id, req.method == "POST");
    if (!r.ok()) return r.error();
    return ApiGet(req, ctx);
  }

  Result<Response> ApiComments(Request& req, Context& ctx) {
    auto loaded = Load(ctx, req.Param("id"));
    if (!loaded.ok()) return loaded.error();
    auto comments = store_->Comments(loaded->first.id);
    if (!comments.ok()) return comments.error();
    json list = json::array();
    for (const auto& c : *comments)
      list.push_back({{"id", c.id}, {"parent", c.parent_id ? json(c.parent_id) : json(nullptr)}, {"author", c.author_name},
                      {"body", c.deleted || c.hidden ? "" : c.body}, {"deleted", c.deleted}, {"hidden", c.hidden},
                      {"hidden_reason", c.hidden_reason}, {"created_at", c.created_at}});
    return Site::Json(200, {{"comments", list}});
  }

  Result<Response> ApiAddComment(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
    auto loaded = Load(ctx, req.Param("id"));
    if (!loaded.ok()) return loaded.error();
    TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
    web::JsonFields fields(parsed_body);
    int64_t parent = fields.Int("parent").value_or(0);
    std::string body = fields.Text("body");
    TING_RETURN_IF_ERROR(fields.Check());
    if (auto st = Throttle(ctx, comment_limiter_); !st.ok()) return st.error();
    auto c = store_->AddComment(loaded->first.id, ctx.user->id, parent, body);
    if (!c.ok()) return c.error();
    return Site::Json(201, {{"id", c->id}, {"body", c->body}, {"parent", parent ? json(parent) : json(nullptr)}});
  }

  // --- pages ---
  // full: the proposal page (Markdown body rendered); otherwise a list item.
  html::Data ProposalData(const Proposal& p, const Process& process, const Context& ctx, bool full = true) {
    const Budget* b = nullptr;
    for (const auto& x : process.budgets)
      if (x.id == p.budget_id) b = &x;
    std::string currency = b ? b->currency : "SEK";
    html::Data d;
    d.set("id", std::to_string(p.id));
    d.set("title", p.title);
    if (full) d.set("body_html", html::RenderMarkdown(p.body));
    d.set("budget_name", b ? b->Name(ctx.lang) : p.budget_slug);
    d.set("category", p.category);
    d.set("has_category", !p.category.empty());
    d.set("cost", site_->FormatMoney(ctx, {p.cost, currency}));
    d.set("has_review_cost", p.review_cost.has_value() && *p.review_cost != p.cost);
    d.set("review_cost", p.review_cost ? site_->FormatMoney(ctx, {*p.review_cost, currency}) : "");
    d.set("status", ProposalStatusName(p.status));
    d.set("status_label", site_->T(ctx, std::string("proposals.status.") + ProposalStatusName(p.status)));
    d.set("explanation", p.review_explanation);
    d.set("has_explanation", !p.review_explanation.empty());
    d.set("supports", std::to_string(p.supports));
    d.set("author", p.author_name);
    d.set("date", UtcDate(p.created_at));
    d.set("process_slug", process.slug);
    d.set("process_title", process.Title(ctx.lang));
    d.set("has_place", p.lat.has_value());
    if (p.lat) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.5f, %.5f", *p.lat, *p.lon);
      d.set("place", std::string(buf));
      std::snprintf(buf, sizeof buf, "%.5f/%.5f", *p.lat, *p.lon);
      d.set("map_link", "https://www.openstreetmap.org/#map=18/" + std::string(buf));
    }
    d.set("merged_into", std::to_string(p.merged_into));
    d.set("is_merged", p.status == ProposalStatus::kMerged);
    return d;
  }

  Result<Response> ListPage(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
    const Process& process = p;
    ProposalQuery q = QueryFrom(req, ctx);
    auto page = store_->List(process, q);
    auto categories = store_->Categories(process.id);
    if (!page.ok() || !categories.ok()) return Error::Internal("a store call failed");
    html::Data d;
    d.set("process_slug", process.slug);
    d.set("process_title", process.Title(ctx.lang));
    d.set("q", q.text);
    d.set("total", std::to_string(page->total));
    d.set("can_propose", process.CurrentPhase(site_->env().Today(ctx.org.time_zone)) == Phase::kProposals);
    html::List items;
    for (const auto& pr : page->proposals) {
      html::Data item = ProposalData(pr, process, ctx, /*full=*/false);
      std::string excerpt = pr.body.substr(0, 180);
      while (!excerpt.empty() && (static_cast<unsigned char>(excerpt.back()) & 0xC0) == 0x80) excerpt.pop_back();
      if (!excerpt.empty() && (static_cast<unsigned char>(excerpt.back()) & 0x80)) excerpt.pop_back();
      item.set("excerpt", excerpt + (pr.body.size() > 180 ? "…" : ""));
      items.push_back(item);
    }
    d.set("proposals", items);
    d.set("has_proposals", !page->proposals.empty());
    auto options = [&](const std::vector<std::pair<std::string, std::string>>& values, const std::string& current) {
      html::List list;
      for (const auto& [value, label] : values) {
        html::Object o{{"value", value}, {"label", label}};
        o["selected"] = Bool(value == current);
        list.push_back(o);
      }
      return list;
    };
    std::vector<std::pair<std::string, std::string>> budgets = {{"", site_->T(ctx, TING_KEY("proposals.filter_all"))}};
    for (const auto& b : process.budgets) budgets.push_back({b.slug, b.Name(ctx.lang)});
    std::vector<std::pair<std::string, std::string>> cats = {{"", site_->T(ctx, TING_KEY("proposals.filter_all"))}};
    for (const auto& c : *categories) cats.push_back({c, c});
    std::vector<std::pair<std::string, std::string>> statuses = {{"", site_->T(ctx, TING_KEY("proposals.filter_all"))}};
    for (const char* s : {"submitted", "revision", "feasible", "infeasible", "withdrawn", "merged"})
      statuses.push_back({s, site_->T(ctx, std::string("proposals.status.") + s)});
    std::vector<std::pair<std::string, std::string>> sorts = {{"newest", site_->T(ctx, TING_KEY("proposals.sort_newest"))},
                                                              {"supported", site_->T(ctx, TING_KEY("proposals.sort_supported"))},
                                                              {"random", site_->T(ctx, TING_KEY("proposals.sort_random"))}};
    d.set("budget_options", options(budgets, q.budget));
    d.set("category_options", options(cats, q.category));
    d.set("status_options", options(statuses, q.status));
    d.set("sort_options", options(sorts, q.sort));
    int pages = static_cast<int>((page->total + q.per_page - 1) / std::max(1, q.per_page));
    auto link = [&](int n) {
      return "/processes/" + process.slug + "/proposals?q=" + http::UrlEncode(q.text) + "&budget=" + http::UrlEncode(q.budget) +
             "&category=" + http::UrlEncode(q.category) + "&status=" + http::UrlEncode(q.status) + "&sort=" + http::UrlEncode(q.sort) +
             "&page=" + std::to_string(n);
    };
    d.set("has_prev", q.page > 1);
    d.set("has_next", q.page < pages);
    d.set("prev_link", link(q.page - 1));
    d.set("next_link", link(q.page + 1));
    d.set("page_text", site_->T(ctx, TING_KEY("proposals.page_of"), {{"page", std::to_string(q.page)}, {"pages", std::to_string(std::max(pages, 1))}}));
    return site_->RenderPageTitled(req, ctx, "proposals/list", site_->T(ctx, TING_KEY("proposals.title")) + " – " + process.Title(ctx.lang), d);
  }

  Result<Response> FormPage(Request& req, Context& ctx, const Process& process, const std::optional<Proposal>& existing,
                    const std::vector<std::string>& errors, int status) {
    html::Data d;
    bool posted = req.method == "POST";
    d.set("process_slug", process.slug);
    d.set("process_title", process.Title(ctx.lang));
    d.set("editing", existing.has_value());
    d.set("action", existing ? "/proposals/" + std::to_string(existing->id) + "/edit" : "/processes/" + process.slug + "/proposals");
    auto value = [&](const char* field, const std::string& current) { return posted ? FormField(req, field) : current; };
    d.set("f_title", value("title", existing ? existing->title : ""));
    d.set("f_body", value("body", existing ? existing->body : ""));
    d.set("f_category", value("category", existing ? existing->category : ""));
    d.set("f_cost", value("cost", existing ? std::to_string(existing->cost / 100) : ""));
    d.set("f_lat", value("lat", existing && existing->lat ? std::to_string(*existing->lat) : ""));
    d.set("f_lon", value("lon", existing && existing->lon ? std::to_string(*existing->lon) : ""));
    std::string chosen = value("budget", existing ? existing->budget_slug : "");
    html::List budgets;
    for (const auto& b : process.budgets) {
      html::Object o{{"value", b.slug}, {"label", b.Name(ctx.lang)}};
      o["selected"] = Bool(b.slug == chosen);
      budgets.push_back(o);
    }
    d.set("budget_options", budgets);
    html::List err;
    for (const auto& e : errors) err.push_back(html::Data(e));
    d.set("errors", err);
    d.set("has_errors", !errors.empty());
    return site_->RenderPage(req, ctx, "proposals/form", existing ? TING_KEY("proposals.edit_title") : TING_KEY("proposals.new_title"), d, status);
  }

  Result<Response> NewPage(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
    TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
    const Process& process = p;
    if (process.CurrentPhase(site_->env().Today(ctx.org.time_zone)) != Phase::kProposals)
      return site_->ErrorPage(req, ctx, 409, TING_KEY("proposals.closed_title"), TING_KEY("proposals.not_proposal_phase"));
    return FormPage(req, ctx, process, std::nullopt, {}, 200);
  }

  Result<Response> CreatePage(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
    TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
    const Process& process = p;
    auto images = ImagesFrom(req);
    if (!images.ok()) return FormPage(req, ctx, process, std::nullopt, {Say(ctx, images.error())}, 422);
    if (auto st = Throttle(ctx, proposal_limiter_); !st.ok()) return FormPage(req, ctx, process, std::nullopt, {Say(ctx, st.error())}, 429);
    auto created = store_->Create(process, ctx.user->id, *DraftFromForm(req));
    if (!created.ok()) {
      if (created.error().code == ErrorCode::kInvalidArgument) return FormPage(req, ctx, process, std::nullopt, {Say(ctx, created.error())}, 422);
      return created.error();
    }
    if (auto st = StoreImages(created->id, *images); !st.ok()) return st.error();
    return site_->RedirectWithFlash(ctx, "/proposals/" + std::to_string(created->id), TING_KEY("proposals.created"));
  }

  Result<Response> ShowPage(Request& req, Context& ctx) {
    auto loaded = Load(ctx, req.Param("id"));
    if (!loaded.ok()) return loaded.error();
    auto& [p, process] = *loaded;
    html::Data d = ProposalData(p, process, ctx);
    bool signed_in = ctx.user.has_value();
    bool author = signed_in && ctx.user->id == p.author_id;
    bool editable = author && (p.status == ProposalStatus::kRevision ||
                               (p.status == ProposalStatus::kSubmitted && process.CurrentPhase(site_->env().Today(ctx.org.time_zone)) == Phase::kProposals));
    // While people vote on it, a project's review, merge and withdrawal are not offered: the
    // server would refuse them (the ballot is frozen); only the audited removal is.
    const bool frozen = process.VotingHasOpened(site_->env().Today(ctx.org.time_zone));
    const bool locked_on_ballot = frozen && p.status == ProposalStatus::kFeasible && p.on_ballot;
    d.set("signed_in", signed_in);
    d.set("can_edit", editable);
    d.set("can_withdraw", author && !locked_on_ballot && p.status != ProposalStatus::kWithdrawn && p.status != ProposalStatus::kMerged);
    d.set("needs_revision", author && p.status == ProposalStatus::kRevision);
    d.set("can_review", ctx.Can(core::Action::kReviewProposals) && !locked_on_ballot && p.status != ProposalStatus::kMerged &&
                            p.status != ProposalStatus::kWithdrawn);
    d.set("can_shortlist", ctx.Can(core::Action::kManageProcesses) && p.status == ProposalStatus::kFeasible && (!frozen || p.on_ballot));
    d.set("on_ballot", p.on_ballot);
    d.set("ballot_frozen", frozen);
    d.set("removal", false);
    if (frozen && !p.on_ballot) {
      auto changes = BallotChanges(site_->db(), p.budget_id);
      if (!changes.ok()) return changes.error();
      for (const auto& c : *changes)
        if (c.proposal_id == p.id) d.set("removal", html::Object{{"date", UtcDate(c.created_at)}, {"reason", c.reason}});
    }
    d.set("can_moderate", ctx.Can(core::Action::kModerate));
    bool supported = false;
    if (signed_in) { auto s = store_->Supports(p.id, ctx.user->id); supported = s.ok() && *s; }
    d.set("supported", supported);
    d.set("can_support", signed_in && p.status != ProposalStatus::kMerged && p.status != ProposalStatus::kWithdrawn);
    auto comments = store_->Comments(p.id);
    if (!comments.ok()) return comments.error();
    // Threads: replies under their parent, one level of indentation per level, in order.
    std::function<void(int64_t, int, html::List&)> thread = [&](int64_t parent, int depth, html::List& out) {
      for (const auto& c : *comments) {
        if (c.parent_id != parent) continue;
        bool mine = signed_in && ctx.user->id == c.author_id;
        html::Object o{{"id", std::to_string(c.id)}, {"author", c.author_name}, {"date", UtcDateTime(c.created_at)},
                       {"body_html", c.deleted || c.hidden ? "" : html::RenderMarkdown(c.body)}, {"body", c.body},
                       {"hidden_reason", c.hidden_reason}, {"depth", std::to_string(std::min(depth, 4))}, {"proposal_id", std::to_string(p.id)}};
        o["deleted"] = Bool(c.deleted);
        o["hidden"] = Bool(c.hidden && !c.deleted);
        o["visible"] = Bool(!c.deleted && !c.hidden);
        o["mine"] = Bool(mine && !c.deleted);
        o["editable"] = Bool(mine && !c.deleted && site_->env().NowSeconds() - c.created_at <= ProposalStore::kCommentEditWindowSeconds);
        o["edited"] = Bool(c.edited_at != 0);
        o["can_reply"] = Bool(signed_in && !c.deleted);
        out.push_back(o);
        thread(c.id, depth + 1, out);
      }
    };
    html::List list;
    thread(0, 0, list);
    d.set("comments", list);
    d.set("comment_count", std::to_string(comments->size()));
    html::List images;
    if (auto list = store_->Images(p.id); list.ok())
      for (const auto& img : *list) images.push_back(html::Object{{"src", "/uploads/" + img.file_name}});
    d.set("images", images);
    return site_->RenderPageTitled(req, ctx, "proposals/show", p.title, d);
  }

  Result<Response> EditPage(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
    auto loaded = Load(ctx, req.Param("id"));
    if (!loaded.ok()) return loaded.error();
    if (loaded->first.author_id != ctx.user->id) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("proposals.not_author"));
    return FormPage(req, ctx, loaded->second, loaded->first, {}, 200);
  }

  Result<Response> EditSubmit(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
    auto loaded = Load(ctx, req.Param("id"));
    if (!loaded.ok()) return loaded.error();
    auto images = ImagesFrom(req);
    if (!images.ok()) return FormPage(req, ctx, loaded->second, loaded->first, {Say(ctx, images.error())}, 422);
    auto existing = store_->Images(loaded->first.id);
    if (!existing.ok()) return existing.error();
    if (static_cast<int64_t>(existing->size() + images->size()) > ProposalStore::kMaxImages)
      return FormPage(req, ctx, loaded->second, loaded->first, {site_->T(ctx, TING_KEY("proposals.problem.image_count"))}, 422);
    auto edited = store_->Edit(loaded->second, loaded->first.id, ctx.user->id, *DraftFromForm(req));
    if (!edited.ok()) {
      if (edited.error().code == ErrorCode::kInvalidArgument) return FormPage(req, ctx, loaded->second, loaded->first, {Say(ctx, edited.error())}, 422);
      return edited.error();
    }
    if (auto st = StoreImages(edited->id, *images); !st.ok()) return st.error();
    return site_->RedirectWithFlash(ctx, "/proposals/" + std::to_string(edited->id), TING_KEY("proposals.saved"));
  }

  // A page action on a proposal: sign-in (and a permission) required, then act, then back to it.
  Result<Response> Act(Request& req, Context& ctx, std::optional<core::Action> action, const std::function<Status(const Proposal&)>& fn,
               const std::string& flash) {
    TING_RETURN_IF_ERROR(action ? Site::RequireAction(ctx, *action) : Site::RequireUser(ctx));
    auto loaded = Load(ctx, req.Param("id"));
    if (!loaded.ok()) return loaded.error();
    Status st = fn(loaded->first);
    if (!st.ok()) return st.error();
    return site_->RedirectWithFlash(ctx, "/proposals/" + std::to_string(loaded->first.id), flash);
  }

  Result<Response> WithdrawPage(Request& req, Context& ctx) {
    return Act(req, ctx, std::nullopt, [&](const Proposal& p) { return store_->Withdraw(p.id, ctx.user->id); }, TING_KEY("proposals.withdrawn"));
  }
  Result<Response> SupportPage(Request& req, Context& ctx) {
    return Act(req, ctx, std::nullopt, [&](const Proposal& p) {
      return StatusOf(store_->Support(p.id, ctx.user->id, FormField(req, "support") != "0"));
    }, TING_KEY("proposals.support_saved"));
  }
  Result<Response> CommentPage(Request& req, Context& ctx) {
    return Act(req, ctx, std::nullopt, [&](const Proposal& p) -> Status {
      TING_RETURN_IF_ERROR(Throttle(ctx, comment_limiter_));
      return StatusOf(store_->AddComment(p.id, ctx.user->id, ParseInt64(FormField(req, "parent")).value_or(0), FormField(req, "body")));
    }, TING_KEY("proposals.comment_saved"));
  }
  Result<Response> CommentEditPage(Request& req, Context& ctx) {
    return Act(req, ctx, std::nullopt, [&](const Proposal& p) {
      return store_->EditComment(p.id, ParseInt64(req.Param("comment")).value_or(0), ctx.user->id, FormField(req, "body"));
    }, TING_KEY("proposals.comment_saved"));
  }
  Result<Response> CommentDeletePage(Request& req, Context& ctx) {
    return Act(req, ctx, std::nullopt, [&](const Proposal& p) {
      return store_->DeleteComment(p.id, ParseInt64(req.Param("comment")).value_or(0), ctx.user->id);
    }, TING_KEY("proposals.comment_deleted"));
  }
  Result<Response> CommentHidePage(Request& req, Context& ctx) {
    return Act(req, ctx, core::Action::kModerate, [&](const Proposal& p) {
      return store_->HideComment(p.id, ParseInt64(req.Param("comment")).value_or(0), ctx.user->id, FormField(req, "reason"));
    }, TING_KEY("proposals.comment_hidden"));
  }
  Result<Response> ReviewPage(Request& req, Context& ctx) {
    return Act(req, ctx, core::Action::kReviewProposals, [&](const Proposal& p) -> Status {
      std::string decision = FormField(req, "decision");
      std::string explanation = FormField(req, "explanation");
      if (decision == "revise") return store_->RequestRevision(p.id, ctx.user->id, explanation);
      if (decision != "feasible" && decision != "infeasible") return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.feasible_missing"));
      std::optional<int64_t> cost;
      if (!Trim(FormField(req, "cost")).empty()) {
        cost = ParseKronor(FormField(req, "cost"));
        if (!cost) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.cost"));
      }
      return store_->Review(p.id, ctx.user->id, decision == "feasible", cost, explanation);
    }, TING_KEY("proposals.reviewed"));
  }
  Result<Response> MergePage(Request& req, Context& ctx) {
    return Act(req, ctx, core::Action::kReviewProposals, [&](const Proposal& p) -> Status {
      auto target = Load(ctx, FormField(req, "into"));
      if (!target.ok()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.merge_into"));
      return store_->Merge(p.id, target->first.id);
    }, TING_KEY("proposals.merged"));
  }
  Result<Response> BallotTogglePage(Request& req, Context& ctx) {
    return Act(req, ctx, core::Action::kManageProcesses, [&](const Proposal& p) {
      return store_->SetOnBallot(p.id, FormField(req, "on_ballot") == "1", ctx.user->id, FormField(req, "reason"));
    }, TING_KEY("proposals.saved"));
  }
  Result<Response> AssignPage(Request& req, Context& ctx) {
    return Act(req, ctx, core::Action::kManageProcesses, [&](const Proposal& p) -> Status {
      // Only someone who may review in this organisation can be assigned: not a resident, not
      // another organisation's user.
      auto reviewer = ParseInt64(FormField(req, "reviewer"));
      if (!reviewer) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.reviewer"));
      TING_ASSIGN_OR_RETURN(auto roles, site_->accounts().RolesOf(ctx.org.id, *reviewer));
      if (!core::Allowed(roles, core::Action::kReviewProposals)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.reviewer"));
      return store_->Assign(p.id, *reviewer);
    }, TING_KEY("proposals.assigned"));
  }

  Result<Response> ReviewQueue(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kReviewProposals));
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
    const Process& process = p;
    ProposalQuery q;
    q.per_page = 200;
    q.status = "submitted";
    auto submitted = store_->List(process, q);
    q.status = "revision";
    auto revision = store_->List(process, q);
    auto members = site_->accounts().Members(ctx.org.id);
    if (!submitted.ok() || !revision.ok() || !members.ok()) return Error::Internal("a store call failed");
    bool can_assign = ctx.Can(core::Action::kManageProcesses);
    html::List reviewers;
    for (const auto& m : *members)
      if (core::Allowed(m.roles, core::Action::kReviewProposals)) reviewers.push_back(html::Object{{"id", std::to_string(m.user.id)}, {"name", m.user.name}});
    html::List items;
    for (const auto* list : {&submitted->proposals, &revision->proposals})
      for (const auto& pr : *list) {
        html::Data item = ProposalData(pr, process, ctx, /*full=*/false);
        item.set("can_assign", can_assign);
        std::string assigned;
        for (const auto& m : *members)
          if (m.user.id == pr.reviewer_id) assigned = m.user.name;
        item.set("assigned", assigned);
        item.set("mine", pr.reviewer_id == ctx.user->id);
        html::List options;
        for (const auto& m : *members)
          if (core::Allowed(m.roles, core::Action::kReviewProposals)) {
            html::Object o{{"id", std::to_string(m.user.id)}, {"name", m.user.name}};
            o["selected"] = Bool(m.user.id == pr.reviewer_id);
            options.push_back(o);
          }
        item.set("reviewers", options);
        items.push_back(item);
      }
    html::Data d;
    d.set("process_slug", process.slug);
    d.set("process_title", process.Title(ctx.lang));
    d.set("proposals", items);
    d.set("empty", items.empty());
    return site_->RenderPage(req, ctx, "proposals/review_queue", TING_KEY("proposals.queue_title"), d);
  }

  Result<Response> NotificationsPage(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
    auto list = store_->Notifications(ctx.user->id);
    if (!list.ok()) return list.error();
    html::List items;
    for (const auto& n : *list) {
      html::Object o{{"text", site_->T(ctx, n.key, n.vars)}, {"link", n.link}, {"date", UtcDateTime(n.created_at)}};
      o["unread"] = Bool(!n.read);
      items.push_back(o);
    }
    (void)store_->MarkRead(ctx.user->id);
    html::Data d;
    d.set("notifications", items);
    d.set("empty", items.empty());
    return site_->RenderPage(req, ctx, "proposals/notifications", TING_KEY("proposals.notifications_title"), d);
  }

  Site* site_ = nullptr;
  core::RateLimiter proposal_limiter_;
  core::RateLimiter comment_limiter_;
  std::unique_ptr<ProposalStore> store_;
  std::unique_ptr<ProcessStore> processes_;
};

}  // namespace

web::Manifest ProposalsManifest() {
  web::Manifest m;
  m.name = "proposals";
  m.url_prefix = "/processes/{slug}/proposals, /proposals/{id}, /api/v1/proposals";
  m.migrations = ProposalMigrations;
  m.resources = []() -> const std::vector<html::Resource>& { return proposals::Resources(); };
  m.mount = [](Site& site) -> std::unique_ptr<web::Component> { return std::make_unique<ProposalsComponent>(site); };
  m.seed = SeedProposals;
  return m;
}

}  // namespace ting::components

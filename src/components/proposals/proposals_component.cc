// Proposals: submit, list, read, support, comment, edit, withdraw; review, merge, shortlist;
// notifications. This file: the routes, loading a proposal, limits, drafts and images, and the
// manifest. The JSON API is in api.cc, the pages in pages.cc.

#include "proposals_internal.h"

#include <algorithm>
#include <cmath>

#include "ting/base/digest.h"
#include "ting/base/keys.h"
#include "ting/base/money.h"
#include "ting/base/strings.h"
#include "ting/base/time.h"
#include "ting/core/accounts.h"
#include "ting/html/markdown.h"
#include "ting/web/multipart.h"

namespace ting::components {

using web::FormField;

html::Data Bool(bool b) { return html::Data(b ? html::Data::type::bool_true : html::Data::type::bool_false); }

json ProposalJson(const Proposal& p) {
  json j = {{"id", p.id},           {"title", p.title},     {"body", p.body},           {"budget", p.budget_slug},
            {"category", p.category}, {"cost", p.cost},     {"status", ProposalStatusName(p.status)},
            {"supports", p.supports}, {"on_ballot", p.on_ballot}, {"author", p.author_name},
            {"review_explanation", p.review_explanation}, {"created_at", p.created_at}, {"updated_at", p.updated_at}};
  j["review_cost"] = p.review_cost ? json(*p.review_cost) : json(nullptr);
  j["merged_into"] = p.merged_into ? json(p.merged_into) : json(nullptr);
  if (p.lat) j["place"] = {{"lat", *p.lat}, {"lon", *p.lon}};
  j["group"] = p.group_id ? json{{"slug", p.group_slug}, {"name", p.group_name}, {"verified", p.group_verified}} : json(nullptr);
  json co_authors = json::array();
  for (const auto& c : p.co_authors) co_authors.push_back(c.name);
  j["co_authors"] = std::move(co_authors);
  j["language"] = p.language;
  return j;
}

std::vector<std::string> FormFieldValues(const Request& req, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : req.FormFields())
    if (k == name) out.push_back(v);
  for (const auto& part : web::MultipartParts(req))
    if (part.name == name && part.filename.empty()) out.push_back(part.data);
  return out;
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

ProposalsComponent::ProposalsComponent(Site& site)
    : proposal_limiter_(site.env(), 10, std::chrono::hours(1)),
      comment_limiter_(site.env(), 30, std::chrono::minutes(10)),
      group_limiter_(site.env(), 10, std::chrono::hours(1)),
      invitation_limiter_(site.env(), 30, std::chrono::hours(1)) {
  site_ = &site;
  store_ = std::make_unique<ProposalStore>(site.db(), site.env());
  processes_ = std::make_unique<ProcessStore>(site.db(), site.env());
  groups_ = std::make_unique<GroupStore>(site.db(), site.env());
  const auto anyone = web::Access::Public();
  const auto signed_in = web::Access::SignedIn();
  const auto review = web::Access::Can(core::Action::kReviewProposals);
  const auto moderate = web::Access::Can(core::Action::kModerate);
  const auto manage = web::Access::Can(core::Action::kManageProcesses);
  auto page = [this](auto fn) { return [this, fn](Request& req, Context& ctx) { return (this->*fn)(req, ctx); }; };
  site.Api("POST", "/api/v1/processes/{slug}/proposals", signed_in, page(&ProposalsComponent::ApiCreate));
  site.Api("GET", "/api/v1/processes/{slug}/proposals", anyone, page(&ProposalsComponent::ApiList));
  site.Api("GET", "/api/v1/proposals/{id}", anyone, page(&ProposalsComponent::ApiGet));
  site.Api("PATCH", "/api/v1/proposals/{id}", signed_in, page(&ProposalsComponent::ApiPatch));
  site.Api("POST", "/api/v1/proposals/{id}/withdraw", signed_in, page(&ProposalsComponent::ApiWithdraw));
  site.Api("POST", "/api/v1/proposals/{id}/review", review, page(&ProposalsComponent::ApiReview));
  site.Api("POST", "/api/v1/proposals/{id}/merge", review, page(&ProposalsComponent::ApiMerge));
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
  site.Page("POST", "/proposals/{id}/comments/{comment}/hide", moderate, page(&ProposalsComponent::CommentHidePage));
  site.Page("POST", "/proposals/{id}/review", review, page(&ProposalsComponent::ReviewPage));
  site.Page("POST", "/proposals/{id}/merge", review, page(&ProposalsComponent::MergePage));
  site.Page("POST", "/proposals/{id}/ballot", manage, page(&ProposalsComponent::BallotTogglePage));
  site.Page("POST", "/proposals/{id}/assign", manage, page(&ProposalsComponent::AssignPage));
  site.Page("GET", "/admin/processes/{slug}/review", review, page(&ProposalsComponent::ReviewQueue));
  site.Page("GET", "/notifications", signed_in, page(&ProposalsComponent::NotificationsPage));
  site.Page("GET", "/uploads/{name}", anyone, page(&ProposalsComponent::ServeImage));

  // Groups that propose: a school class, an association, neighbours.
  const auto verify = web::Access::Can(kVerifyGroups);
  const web::Limit new_groups{&group_limiter_, web::Limit::By::kAccount, TING_KEY("proposals.group.too_many")};
  const web::Limit invitations{&invitation_limiter_, web::Limit::By::kAccount, TING_KEY("proposals.group.too_many")};
  site.Api("GET", "/api/v1/groups", signed_in, page(&ProposalsComponent::ApiMyGroups));
  site.Api("POST", "/api/v1/groups", signed_in, page(&ProposalsComponent::ApiCreateGroup), new_groups);
  site.Api("GET", "/api/v1/groups/{slug}", anyone, page(&ProposalsComponent::ApiGetGroup));
  site.Api("POST", "/api/v1/groups/{slug}/invitations", signed_in, page(&ProposalsComponent::ApiInvite), invitations);
  site.Api("POST", "/api/v1/groups/invitations/{token}/accept", signed_in, page(&ProposalsComponent::ApiAcceptInvitation));
  site.Api("DELETE", "/api/v1/groups/{slug}/members/{account_id}", signed_in, page(&ProposalsComponent::ApiRemoveMember));
  site.Api("POST", "/api/v1/groups/{slug}/verify", verify, page(&ProposalsComponent::ApiVerifyGroup));
  site.Page("GET", "/groups", signed_in, page(&ProposalsComponent::MyGroupsPage));
  site.Page("GET", "/groups/new", signed_in, [this](Request& req, Context& ctx) { return NewGroupPage(req, ctx, {}, 200); });
  site.Page("POST", "/groups", signed_in, page(&ProposalsComponent::CreateGroupPage), new_groups);
  site.Page("GET", "/groups/{slug}", anyone, [this](Request& req, Context& ctx) { return GroupPage(req, ctx, "", "", {}, 200); });
  site.Page("POST", "/groups/{slug}/invitations", signed_in, page(&ProposalsComponent::InvitePage), invitations);
  site.Page("GET", "/groups/invitations/{token}", anyone, page(&ProposalsComponent::InvitationPage));
  site.Page("POST", "/groups/invitations/{token}", signed_in, page(&ProposalsComponent::AcceptInvitationPage));
  site.Page("POST", "/groups/{slug}/members/{account_id}/remove", signed_in, page(&ProposalsComponent::RemoveMemberPage));
  site.Page("POST", "/groups/{slug}/verify", verify, page(&ProposalsComponent::VerifyGroupPage));
}

Result<std::pair<Proposal, Process>> ProposalsComponent::Load(const Context& ctx, const std::string& id_text) {
  auto id = ParseInt64(id_text);
  if (!id) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
  TING_ASSIGN_OR_RETURN(auto p, store_->Find(*id));
  if (!p) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
  TING_ASSIGN_OR_RETURN(auto process, processes_->FindById(p->process_id));
  if (!process || process->organisation_id != ctx.org.id) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
  return std::pair{std::move(*p), std::move(*process)};
}

Status ProposalsComponent::Throttle(const Context& ctx, core::RateLimiter& limiter) {
  if (!ctx.roles.empty()) return {};
  const std::string key = std::to_string(ctx.user->id);
  if (limiter.Blocked(key)) return Error::Say(ErrorCode::kResourceExhausted, TING_KEY("proposals.too_many"));
  limiter.Record(key);
  return {};
}

ProposalDraft ProposalsComponent::DraftFromJson(const json& b, web::JsonFields& fields) {
  ProposalDraft d;
  d.title = fields.Text("title");
  d.body = fields.Text("body");
  d.category = fields.Text("category");
  d.budget_slug = fields.Text("budget");
  d.group_slug = fields.Text("group");
  d.language = fields.Text("language");
  if (b.contains("cost")) d.cost = fields.Int("cost").value_or(0);
  for (auto [name, out] : {std::pair{"lat", &d.lat}, std::pair{"lon", &d.lon}}) {
    if (!b.contains(name) || b[name].is_null()) continue;
    if (b[name].is_number()) *out = b[name].get<double>();
    else *out = 999;  // rejected as a bad place
  }
  return d;
}

Result<std::vector<int64_t>> ProposalsComponent::CoAuthorsFromJson(const json& b) {
  std::vector<int64_t> out;
  if (!b.contains("co_authors") || b["co_authors"].is_null()) return out;
  const json& list = b["co_authors"];
  auto wrong = Error::Say(ErrorCode::kInvalidArgument, TING_KEY("api.wrong_type"), {{"field", "co_authors"}, {"expected", "array of account ids"}});
  if (!list.is_array()) return wrong;
  for (const auto& item : list) {
    auto id = web::JsonInt64(item);
    if (!id) return wrong;
    out.push_back(*id);
  }
  return out;
}

std::optional<ProposalDraft> ProposalsComponent::DraftFromForm(const Request& req) {
  ProposalDraft d;
  d.title = FormField(req, "title");
  d.body = FormField(req, "body");
  d.category = FormField(req, "category");
  d.budget_slug = FormField(req, "budget");
  d.cost = ParseKronor(FormField(req, "cost")).value_or(-1);
  d.lat = ParseCoordinate(FormField(req, "lat"));
  d.lon = ParseCoordinate(FormField(req, "lon"));
  if (!Trim(FormField(req, "lat")).empty() && !d.lat) d.lat = 999;  // rejected as a bad place
  d.group_slug = FormField(req, "group");
  // A checkbox value that is not an id names nobody: refused as not a member of the group.
  for (const auto& value : FormFieldValues(req, "co_author")) d.co_authors.push_back(ParseInt64(value).value_or(0));
  return d;
}

Result<std::vector<ProposalsComponent::Upload>> ProposalsComponent::ImagesFrom(const Request& req) {
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

Status ProposalsComponent::StoreImages(int64_t proposal_id, const std::vector<Upload>& uploads) {
  for (const auto& u : uploads) {
    std::string ext = u.type == "image/png" ? ".png" : u.type == "image/jpeg" ? ".jpg" : u.type == "image/webp" ? ".webp" : ".gif";
    std::string name = core::RandomToken(18) + ext;
    TING_RETURN_IF_ERROR(site_->env().Files().Put(name, u.data));
    // A file whose row failed stays unreferenced and is never served (names are random).
    TING_RETURN_IF_ERROR(store_->AddImage({0, proposal_id, static_cast<int64_t>(u.data.size()), name, u.type}));
  }
  return {};
}

Result<Response> ProposalsComponent::ServeImage(Request& req, Context&) {
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

web::Manifest ProposalsManifest() {
  return web::ManifestOf<ProposalsComponent>("proposals", "/processes/{slug}/proposals, /proposals/{id}, /groups, /api/v1/proposals, /api/v1/groups",
                                  ProposalMigrations, proposals::Resources, SeedProposals);
}

}  // namespace ting::components

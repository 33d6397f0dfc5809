// The proposals API: create, list, read, edit, withdraw, review, merge, support, comments.

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

Result<Response> ProposalsComponent::ApiCreate(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
  web::JsonFields fields(parsed_body);
  ProposalDraft draft = DraftFromJson(parsed_body, fields);
  TING_RETURN_IF_ERROR(fields.Check());
  TING_ASSIGN_OR_RETURN(draft.co_authors, CoAuthorsFromJson(parsed_body));
  if (draft.language.empty()) draft.language = ctx.lang;  // the proposer's own, unless they say
  TING_RETURN_IF_ERROR(CheckAccountMayTakePart(p, *ctx.user));
  if (auto st = Throttle(ctx, proposal_limiter_); !st.ok()) return st.error();
  auto created = store_->Create(p, ctx.user->id, draft);
  if (!created.ok()) return created.error();
  return Site::Json(201, ProposalJson(*created));
}

ProposalQuery ProposalsComponent::QueryFrom(const Request& req, const Context& ctx) {
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

Result<Response> ProposalsComponent::ApiList(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
  ProposalQuery q = QueryFrom(req, ctx);
  if (!req.QueryParam("per_page")) q.per_page = 200;
  auto page = store_->List(p, q);
  if (!page.ok()) return page.error();
  json list = json::array();
  for (const auto& pr : page->proposals) list.push_back(ProposalJson(pr));
  return Site::Json(200, {{"proposals", list}, {"total", page->total}, {"page", q.page}});
}

Result<Response> ProposalsComponent::ApiGet(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(auto loaded, Load(ctx, req.Param("id")));
  return Site::Json(200, ProposalJson(loaded.first));
}

Result<Response> ProposalsComponent::ApiPatch(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(auto loaded, Load(ctx, req.Param("id")));
  TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
  json body = parsed_body;
  auto& [proposal, process] = loaded;
  // Whose name a proposal is in, and who wrote it, are set when it is submitted.
  if (body.contains("group") || body.contains("co_authors")) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.group_fixed"));
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

Result<Response> ProposalsComponent::ApiWithdraw(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(auto loaded, Load(ctx, req.Param("id")));
  if (auto st = store_->Withdraw(loaded.first.id, ctx.user->id); !st.ok()) return st.error();
  return ApiGet(req, ctx);
}

Result<Response> ProposalsComponent::ApiReview(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kReviewProposals));
  TING_ASSIGN_OR_RETURN(auto loaded, Load(ctx, req.Param("id")));
  TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
  web::JsonFields fields(parsed_body);
  std::string explanation = fields.Text("explanation");
  std::string action = fields.Text("action");
  auto feasible = fields.Bool("feasible");
  auto cost = fields.Int("cost");
  TING_RETURN_IF_ERROR(fields.Check());
  Status st;
  if (action == "revise") {
    st = store_->RequestRevision(loaded.first.id, ctx.user->id, explanation);
  } else {
    if (!feasible)
      return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.feasible_missing"));
    st = store_->Review(loaded.first.id, ctx.user->id, *feasible, cost, explanation);
  }
  if (!st.ok()) return st.error();
  return ApiGet(req, ctx);
}

Result<Response> ProposalsComponent::ApiMerge(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kReviewProposals));
  TING_ASSIGN_OR_RETURN(auto loaded, Load(ctx, req.Param("id")));
  TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
  web::JsonFields fields(parsed_body);
  auto into = fields.Int("into");
  TING_RETURN_IF_ERROR(fields.Check());
  if (!into) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.merge_into"));
  auto target = Load(ctx, std::to_string(*into));
  if (!target.ok()) return target.error();
  if (auto st = store_->Merge(loaded.first.id, target->first.id); !st.ok()) return st.error();
  return ApiGet(req, ctx);
}

Result<Response> ProposalsComponent::ApiSupport(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(auto loaded, Load(ctx, req.Param("id")));
  TING_RETURN_IF_ERROR(CheckAccountMayTakePart(loaded.second, *ctx.user));
  auto r = store_->Support(loaded.first.id, ctx.user->id, req.method == "POST");
  if (!r.ok()) return r.error();
  return ApiGet(req, ctx);
}

Result<Response> ProposalsComponent::ApiComments(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(auto loaded, Load(ctx, req.Param("id")));
  auto comments = store_->Comments(loaded.first.id);
  if (!comments.ok()) return comments.error();
  json list = json::array();
  for (const auto& c : *comments)
    list.push_back({{"id", c.id}, {"parent", c.parent_id ? json(c.parent_id) : json(nullptr)}, {"author", c.author_name},
                    {"body", c.deleted || c.hidden ? "" : c.body}, {"deleted", c.deleted}, {"hidden", c.hidden},
                    {"hidden_reason", c.hidden_reason}, {"created_at", c.created_at}});
  return Site::Json(200, {{"comments", list}});
}

Result<Response> ProposalsComponent::ApiAddComment(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(auto loaded, Load(ctx, req.Param("id")));
  TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
  web::JsonFields fields(parsed_body);
  int64_t parent = fields.Int("parent").value_or(0);
  std::string body = fields.Text("body");
  TING_RETURN_IF_ERROR(fields.Check());
  if (auto st = Throttle(ctx, comment_limiter_); !st.ok()) return st.error();
  auto c = store_->AddComment(loaded.first.id, ctx.user->id, parent, body);
  if (!c.ok()) return c.error();
  return Site::Json(201, {{"id", c->id}, {"body", c->body}, {"parent", parent ? json(parent) : json(nullptr)}});
}

}  // namespace ting::components

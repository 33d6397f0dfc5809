// The proposals pages: list, form, proposal, edit, actions, review queue, notifications.

#include "proposals_internal.h"

#include <algorithm>
#include <cmath>

#include "ting/base/digest.h"
#include "ting/base/keys.h"
#include "ting/base/money.h"
#include "ting/base/strings.h"
#include "ting/base/time.h"
#include "ting/base/translated.h"
#include "ting/core/accounts.h"
#include "ting/html/markdown.h"
#include "ting/web/multipart.h"

namespace ting::components {

using web::FormField;

html::Data ProposalsComponent::ProposalData(const Proposal& p, const Process& process, const Context& ctx, bool full) {
  const Budget* b = nullptr;
  for (const auto& x : process.budgets)
    if (x.id == p.budget_id) b = &x;
  std::string currency = b ? b->currency : "SEK";
  html::Data d;
  d.set("id", std::to_string(p.id));
  d.set("title", p.title);
  if (full) d.set("body_html", html::RenderMarkdown(p.body));
  // Written in another language than the reader's: marked, and the page says so.
  d.set("content_lang", p.language);
  if (!p.language.empty() && p.language != ctx.lang)
    if (auto* watch = FallbackWatch::Current()) watch->Note(ctx.lang, p.language);
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
  d.set("has_group", p.group_id != 0);
  d.set("group_slug", p.group_slug);
  d.set("group_name", p.group_name);
  d.set("group_verified", p.group_verified);
  html::List co_authors;
  for (const auto& c : p.co_authors) co_authors.push_back(html::Object{{"name", c.name}});
  d.set("co_authors", co_authors);
  d.set("has_co_authors", !p.co_authors.empty());
  return d;
}

Result<Response> ProposalsComponent::ListPage(Request& req, Context& ctx) {
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

Result<Response> ProposalsComponent::FormPage(Request& req, Context& ctx, const Process& process, const std::optional<Proposal>& existing,
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
  // A new proposal may be submitted in the name of one of the author's groups, with fellow
  // members as co-authors (each checked against the chosen group when it is submitted).
  bool has_groups = false, has_fellows = false;
  if (!existing && ctx.user) {
    TING_ASSIGN_OR_RETURN(auto mine, groups_->Of(ctx.org.id, ctx.user->id));
    const std::string chosen_group = posted ? FormField(req, "group") : "";
    const auto checked = FormFieldValues(req, "co_author");
    html::List group_options;
    std::map<int64_t, std::pair<std::string, std::vector<std::string>>> fellows;  // id -> name, groups
    for (const auto& [group, role] : mine) {
      html::Object o{{"value", group.slug}, {"label", group.name}};
      o["selected"] = Bool(group.slug == chosen_group);
      group_options.push_back(o);
      TING_ASSIGN_OR_RETURN(auto members, groups_->Members(group.id));
      for (const auto& m : members) {
        if (m.account_id == ctx.user->id) continue;
        fellows[m.account_id].first = m.name;
        fellows[m.account_id].second.push_back(group.name);
      }
    }
    html::List fellow_options;
    for (const auto& [id, who] : fellows) {
      html::Object o{{"id", std::to_string(id)}, {"name", who.first}, {"groups", Join(who.second, ", ")}};
      o["checked"] = Bool(posted && std::find(checked.begin(), checked.end(), std::to_string(id)) != checked.end());
      fellow_options.push_back(o);
    }
    has_groups = !mine.empty();
    has_fellows = !fellows.empty();
    d.set("group_options", group_options);
    d.set("fellow_options", fellow_options);
  }
  d.set("has_groups", has_groups);
  d.set("has_fellows", has_fellows);
  html::List err;
  for (const auto& e : errors) err.push_back(html::Data(e));
  d.set("errors", err);
  d.set("has_errors", !errors.empty());
  return site_->RenderPage(req, ctx, "proposals/form", existing ? TING_KEY("proposals.edit_title") : TING_KEY("proposals.new_title"), d, status);
}

Result<Response> ProposalsComponent::NewPage(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  const Process& process = p;
  if (process.CurrentPhase(site_->env().Today(ctx.org.time_zone)) != Phase::kProposals)
    return site_->ErrorPage(req, ctx, 409, TING_KEY("proposals.closed_title"), TING_KEY("proposals.not_proposal_phase"));
  return FormPage(req, ctx, process, std::nullopt, {}, 200);
}

Result<Response> ProposalsComponent::CreatePage(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  const Process& process = p;
  TING_RETURN_IF_ERROR(CheckAccountMayTakePart(process, *ctx.user));
  auto images = ImagesFrom(req);
  if (!images.ok()) return FormPage(req, ctx, process, std::nullopt, {Say(ctx, images.error())}, 422);
  if (auto st = Throttle(ctx, proposal_limiter_); !st.ok()) return FormPage(req, ctx, process, std::nullopt, {Say(ctx, st.error())}, 429);
  ProposalDraft draft = *DraftFromForm(req);
  draft.language = ctx.lang;  // proposers write in their own language
  auto created = store_->Create(process, ctx.user->id, draft);
  if (!created.ok()) {
    const ErrorCode code = created.error().code;
    if (code == ErrorCode::kInvalidArgument || code == ErrorCode::kPermissionDenied)
      return FormPage(req, ctx, process, std::nullopt, {Say(ctx, created.error())}, Site::StatusFor(code));
    return created.error();
  }
  if (auto st = StoreImages(created->id, *images); !st.ok()) return st.error();
  return site_->RedirectWithFlash(ctx, "/proposals/" + std::to_string(created->id), TING_KEY("proposals.created"));
}

Result<Response> ProposalsComponent::ShowPage(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(auto loaded, Load(ctx, req.Param("id")));
  auto& [p, process] = loaded;
  html::Data d = ProposalData(p, process, ctx);
  bool signed_in = ctx.user.has_value();
  bool author = signed_in && ctx.user->id == p.author_id;
  // Co-authors edit like the author; withdrawing stays the author's.
  bool writer = signed_in && p.WrittenBy(ctx.user->id);
  bool editable = writer && (p.status == ProposalStatus::kRevision ||
                             (p.status == ProposalStatus::kSubmitted && process.CurrentPhase(site_->env().Today(ctx.org.time_zone)) == Phase::kProposals));
  // While people vote on it, a project's review, merge and withdrawal are not offered: the
  // server would refuse them (the ballot is frozen); only the audited removal is.
  const bool frozen = process.VotingHasOpened(site_->env().Today(ctx.org.time_zone));
  const bool locked_on_ballot = frozen && p.status == ProposalStatus::kFeasible && p.on_ballot;
  d.set("signed_in", signed_in);
  d.set("can_edit", editable);
  d.set("can_withdraw", author && !locked_on_ballot && p.status != ProposalStatus::kWithdrawn && p.status != ProposalStatus::kMerged);
  d.set("needs_revision", writer && p.status == ProposalStatus::kRevision);
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

Result<Response> ProposalsComponent::EditPage(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(auto loaded, Load(ctx, req.Param("id")));
  if (!loaded.first.WrittenBy(ctx.user->id)) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("proposals.not_author"));
  return FormPage(req, ctx, loaded.second, loaded.first, {}, 200);
}

Result<Response> ProposalsComponent::EditSubmit(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(auto loaded, Load(ctx, req.Param("id")));
  auto images = ImagesFrom(req);
  if (!images.ok()) return FormPage(req, ctx, loaded.second, loaded.first, {Say(ctx, images.error())}, 422);
  auto existing = store_->Images(loaded.first.id);
  if (!existing.ok()) return existing.error();
  if (static_cast<int64_t>(existing->size() + images->size()) > ProposalStore::kMaxImages)
    return FormPage(req, ctx, loaded.second, loaded.first, {site_->T(ctx, TING_KEY("proposals.problem.image_count"))}, 422);
  auto edited = store_->Edit(loaded.second, loaded.first.id, ctx.user->id, *DraftFromForm(req));
  if (!edited.ok()) {
    if (edited.error().code == ErrorCode::kInvalidArgument) return FormPage(req, ctx, loaded.second, loaded.first, {Say(ctx, edited.error())}, 422);
    return edited.error();
  }
  if (auto st = StoreImages(edited->id, *images); !st.ok()) return st.error();
  return site_->RedirectWithFlash(ctx, "/proposals/" + std::to_string(edited->id), TING_KEY("proposals.saved"));
}

Result<Response> ProposalsComponent::Act(Request& req, Context& ctx, std::optional<core::Action> action, const std::function<Status(const Proposal&)>& fn,
             const std::string& flash) {
  TING_RETURN_IF_ERROR(action ? Site::RequireAction(ctx, *action) : Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(auto loaded, Load(ctx, req.Param("id")));
  Status st = fn(loaded.first);
  if (!st.ok()) return st.error();
  return site_->RedirectWithFlash(ctx, "/proposals/" + std::to_string(loaded.first.id), flash);
}

Result<Response> ProposalsComponent::WithdrawPage(Request& req, Context& ctx) {
  return Act(req, ctx, std::nullopt, [&](const Proposal& p) { return store_->Withdraw(p.id, ctx.user->id); }, TING_KEY("proposals.withdrawn"));
}

Result<Response> ProposalsComponent::SupportPage(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(auto loaded, Load(ctx, req.Param("id")));
  TING_RETURN_IF_ERROR(CheckAccountMayTakePart(loaded.second, *ctx.user));
  return Act(req, ctx, std::nullopt, [&](const Proposal& p) {
    return StatusOf(store_->Support(p.id, ctx.user->id, FormField(req, "support") != "0"));
  }, TING_KEY("proposals.support_saved"));
}

Result<Response> ProposalsComponent::CommentPage(Request& req, Context& ctx) {
  return Act(req, ctx, std::nullopt, [&](const Proposal& p) -> Status {
    TING_RETURN_IF_ERROR(Throttle(ctx, comment_limiter_));
    return StatusOf(store_->AddComment(p.id, ctx.user->id, ParseInt64(FormField(req, "parent")).value_or(0), FormField(req, "body")));
  }, TING_KEY("proposals.comment_saved"));
}

Result<Response> ProposalsComponent::CommentEditPage(Request& req, Context& ctx) {
  return Act(req, ctx, std::nullopt, [&](const Proposal& p) {
    return store_->EditComment(p.id, ParseInt64(req.Param("comment")).value_or(0), ctx.user->id, FormField(req, "body"));
  }, TING_KEY("proposals.comment_saved"));
}

Result<Response> ProposalsComponent::CommentDeletePage(Request& req, Context& ctx) {
  return Act(req, ctx, std::nullopt, [&](const Proposal& p) {
    return store_->DeleteComment(p.id, ParseInt64(req.Param("comment")).value_or(0), ctx.user->id);
  }, TING_KEY("proposals.comment_deleted"));
}

Result<Response> ProposalsComponent::CommentHidePage(Request& req, Context& ctx) {
  return Act(req, ctx, core::Action::kModerate, [&](const Proposal& p) {
    return store_->HideComment(p.id, ParseInt64(req.Param("comment")).value_or(0), ctx.user->id, FormField(req, "reason"));
  }, TING_KEY("proposals.comment_hidden"));
}

Result<Response> ProposalsComponent::ReviewPage(Request& req, Context& ctx) {
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

Result<Response> ProposalsComponent::MergePage(Request& req, Context& ctx) {
  return Act(req, ctx, core::Action::kReviewProposals, [&](const Proposal& p) -> Status {
    auto target = Load(ctx, FormField(req, "into"));
    if (!target.ok()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.merge_into"));
    return store_->Merge(p.id, target->first.id);
  }, TING_KEY("proposals.merged"));
}

Result<Response> ProposalsComponent::BallotTogglePage(Request& req, Context& ctx) {
  return Act(req, ctx, core::Action::kManageProcesses, [&](const Proposal& p) {
    return store_->SetOnBallot(p.id, FormField(req, "on_ballot") == "1", ctx.user->id, FormField(req, "reason"));
  }, TING_KEY("proposals.saved"));
}

Result<Response> ProposalsComponent::AssignPage(Request& req, Context& ctx) {
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

Result<Response> ProposalsComponent::ReviewQueue(Request& req, Context& ctx) {
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

Result<Response> ProposalsComponent::NotificationsPage(Request& req, Context& ctx) {
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

}  // namespace ting::components

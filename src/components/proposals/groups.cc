// Groups that propose (a school class, an association, neighbours): the JSON API and the pages.
// A group belongs to the organisation of the request's host; its creator owns it, invites by a
// link (anyone holding it joins until it expires) or by mail (a link that works once), and may
// remove members; a member may leave; the organisation's managers verify it (the badge).

#include <map>

#include "proposals_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/base/time.h"
#include "ting/core/accounts.h"
#include "ting/web/json_fields.h"

namespace ting::components {

using web::FormField;

namespace {

// A JSON body that may be absent: POST …/invitations and …/verify work with no body at all.
Result<json> OptionalJsonBody(const Request& req) {
  if (Trim(req.body).empty()) return json::object();
  return web::JsonBody(req);
}

Result<int64_t> AccountIdOf(const Request& req) {
  auto id = ParseInt64(req.Param("account_id"));
  if (!id || *id <= 0) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.group.member_not_found"));
  return *id;
}

}  // namespace

Result<Group> ProposalsComponent::LoadGroup(const Context& ctx, const std::string& slug) {
  TING_ASSIGN_OR_RETURN(auto g, groups_->Find(ctx.org.id, slug));
  if (!g) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.group.not_found"));
  return std::move(*g);
}

Result<bool> ProposalsComponent::MaySeeMembers(const Context& ctx, const Group& g) {
  if (!ctx.user) return false;
  if (MayVerify(ctx)) return true;
  TING_ASSIGN_OR_RETURN(std::string role, groups_->RoleOf(g.id, ctx.user->id));
  return !role.empty();
}

json ProposalsComponent::GroupJson(const Group& g) {
  return json{{"slug", g.slug},
              {"name", g.name},
              {"description", g.description},
              {"verified", g.verified()},
              {"verified_at", g.verified() ? json(g.verified_at) : json(nullptr)},
              {"member_count", g.member_count},
              {"created_at", g.created_at}};
}

Result<json> ProposalsComponent::GroupJsonFor(const Context& ctx, const Group& g) {
  json out = GroupJson(g);
  TING_ASSIGN_OR_RETURN(auto proposals, store_->ListByGroup(g.id));
  json list = json::array();
  for (const auto& p : proposals) list.push_back(ProposalJson(p));
  out["proposals"] = std::move(list);
  TING_ASSIGN_OR_RETURN(bool see_members, MaySeeMembers(ctx, g));
  if (see_members) {
    TING_ASSIGN_OR_RETURN(auto members, groups_->Members(g.id));
    json people = json::array();
    for (const auto& m : members) {
      people.push_back({{"id", m.account_id}, {"name", m.name}, {"role", m.role}});
      if (m.account_id == ctx.user->id) out["role"] = m.role;
    }
    out["members"] = std::move(people);
  }
  return out;
}

std::string ProposalsComponent::InvitationUrl(const Context& ctx, const std::string& token) const {
  return site_->Url(ctx.org, "/groups/invitations/" + token);
}

Result<GroupInvitation> ProposalsComponent::Invite(const Context& ctx, const Group& g, const std::string& email) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  std::string to;
  if (!Trim(email).empty()) {
    auto normalised = core::NormaliseEmail(email);
    if (!normalised) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.group.problem.email"));
    to = *normalised;
  }
  const std::string inviter = ctx.user->name;
  // Runs inside the invitation's write: the mail is queued if and only if the invitation is stored.
  auto mail = [&](db::Connection& c, const std::string& token) -> Status {
    std::string lang = ctx.lang;
    TING_ASSIGN_OR_RETURN(auto account, core::FindUserByEmailIn(c, to));
    if (account && !account->lang.empty()) lang = account->lang;
    web::MailWords words{.key = TING_MAIL_KEY("mail.group_invitation"),
                         .vars = {{"group", g.name}, {"inviter", inviter}, {"link", InvitationUrl(ctx, token)}},
                         .kind = outbox::Kind::kTransactional,
                         .unsubscribe_url = ""};
    return StatusOf(outbox::Enqueue(c, site_->env(), site_->ComposeMail(ctx.org, lang, to, words)));
  };
  TING_ASSIGN_OR_RETURN(GroupInvitation invitation, groups_->Invite(g, ctx.user->id, to, mail));
  if (!to.empty()) site_->WakeMail();
  return invitation;
}

// --- API ---

Result<Response> ProposalsComponent::ApiMyGroups(Request&, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(auto mine, groups_->Of(ctx.org.id, ctx.user->id));
  json list = json::array();
  for (const auto& [group, role] : mine) {
    json item = GroupJson(group);
    item["role"] = role;
    list.push_back(std::move(item));
  }
  return Site::Json(200, {{"groups", list}});
}

Result<Response> ProposalsComponent::ApiCreateGroup(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields fields(body);
  std::string name = fields.Text("name"), description = fields.Text("description"), slug = fields.Text("slug");
  TING_RETURN_IF_ERROR(fields.Check());
  TING_ASSIGN_OR_RETURN(Group g, groups_->Create(ctx.org.id, ctx.user->id, slug, name, description));
  TING_ASSIGN_OR_RETURN(json out, GroupJsonFor(ctx, g));
  return Site::Json(201, out);
}

Result<Response> ProposalsComponent::ApiGetGroup(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Group g, LoadGroup(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(json out, GroupJsonFor(ctx, g));
  return Site::Json(200, out);
}

Result<Response> ProposalsComponent::ApiInvite(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(Group g, LoadGroup(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(json body, OptionalJsonBody(req));
  web::JsonFields fields(body);
  std::string email = fields.Text("email");
  TING_RETURN_IF_ERROR(fields.Check());
  TING_ASSIGN_OR_RETURN(GroupInvitation invitation, Invite(ctx, g, email));
  return Site::Json(201, {{"link", InvitationUrl(ctx, invitation.token)}, {"expires_at", invitation.expires_at},
                          {"single_use", invitation.single_use}, {"emailed", invitation.single_use}});
}

Result<Response> ProposalsComponent::ApiAcceptInvitation(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(Group g, groups_->Accept(ctx.org.id, req.Param("token"), ctx.user->id));
  TING_ASSIGN_OR_RETURN(json out, GroupJsonFor(ctx, g));
  return Site::Json(200, out);
}

Result<Response> ProposalsComponent::ApiRemoveMember(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(Group g, LoadGroup(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(int64_t account_id, AccountIdOf(req));
  TING_RETURN_IF_ERROR(groups_->RemoveMember(g, ctx.user->id, account_id));
  return Response{204, {}, {}};
}

Result<Response> ProposalsComponent::ApiVerifyGroup(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireAction(ctx, kVerifyGroups));
  TING_ASSIGN_OR_RETURN(Group g, LoadGroup(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(json body, OptionalJsonBody(req));
  web::JsonFields fields(body);
  auto verified = fields.Bool("verified");
  TING_RETURN_IF_ERROR(fields.Check());
  TING_RETURN_IF_ERROR(groups_->SetVerified(g, ctx.user->id, verified.value_or(true)));
  TING_ASSIGN_OR_RETURN(Group now, LoadGroup(ctx, g.slug));
  TING_ASSIGN_OR_RETURN(json out, GroupJsonFor(ctx, now));
  return Site::Json(200, out);
}

// --- pages ---

Result<Response> ProposalsComponent::MyGroupsPage(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(auto mine, groups_->Of(ctx.org.id, ctx.user->id));
  html::List groups;
  for (const auto& [group, role] : mine) {
    html::Object o{{"slug", group.slug},
                   {"name", group.name},
                   {"role_label", site_->T(ctx, role == kGroupOwner ? TING_KEY("proposals.group.role.owner") : TING_KEY("proposals.group.role.member"))}};
    o["verified"] = Bool(group.verified());
    groups.push_back(o);
  }
  html::Data d;
  d.set("groups", groups);
  d.set("has_groups", !groups.empty());
  const bool may_verify = MayVerify(ctx);
  d.set("can_verify", may_verify);
  if (may_verify) {
    TING_ASSIGN_OR_RETURN(auto all, groups_->All(ctx.org.id));
    html::List everyone;
    for (const auto& g : all) {
      html::Object o{{"slug", g.slug}, {"name", g.name}, {"member_count", std::to_string(g.member_count)}};
      o["verified"] = Bool(g.verified());
      everyone.push_back(o);
    }
    d.set("all_groups", everyone);
    d.set("has_all_groups", !everyone.empty());
  }
  return site_->RenderPage(req, ctx, "proposals/groups", TING_KEY("proposals.group.my_groups"), d);
}

Result<Response> ProposalsComponent::NewGroupPage(Request& req, Context& ctx, const std::vector<std::string>& errors, int status) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  const bool posted = req.method == "POST";
  html::Data d;
  d.set("f_name", posted ? FormField(req, "name") : "");
  d.set("f_description", posted ? FormField(req, "description") : "");
  html::List err;
  for (const auto& e : errors) err.push_back(html::Data(e));
  d.set("errors", err);
  d.set("has_errors", !errors.empty());
  return site_->RenderPage(req, ctx, "proposals/group_form", TING_KEY("proposals.group.new_title"), d, status);
}

Result<Response> ProposalsComponent::CreateGroupPage(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  auto created = groups_->Create(ctx.org.id, ctx.user->id, "", FormField(req, "name"), FormField(req, "description"));
  if (!created.ok()) {
    if (created.error().code == ErrorCode::kInvalidArgument) return NewGroupPage(req, ctx, {Say(ctx, created.error())}, 422);
    return created.error();
  }
  return site_->RedirectWithFlash(ctx, "/groups/" + created->slug, TING_KEY("proposals.group.created"));
}

Result<Response> ProposalsComponent::GroupPage(Request& req, Context& ctx, const std::string& new_link, const std::string& notice,
                                               const std::vector<std::string>& errors, int status) {
  TING_ASSIGN_OR_RETURN(Group g, LoadGroup(ctx, req.Param("slug")));
  std::string my_role;
  if (ctx.user) {
    TING_ASSIGN_OR_RETURN(my_role, groups_->RoleOf(g.id, ctx.user->id));
  }
  const bool owner = my_role == kGroupOwner;
  html::Data d;
  d.set("slug", g.slug);
  d.set("name", g.name);
  d.set("description", g.description);
  d.set("has_description", !g.description.empty());
  d.set("verified", g.verified());
  d.set("verified_date", g.verified() ? UtcDate(g.verified_at) : "");
  d.set("created_date", UtcDate(g.created_at));
  d.set("member_count", std::to_string(g.member_count));

  TING_ASSIGN_OR_RETURN(auto proposals, store_->ListByGroup(g.id));
  std::map<int64_t, std::string> process_titles;
  html::List items;
  for (const auto& p : proposals) {
    if (!process_titles.count(p.process_id)) {
      TING_ASSIGN_OR_RETURN(auto process, processes_->FindById(p.process_id));
      process_titles[p.process_id] = process ? process->Title(ctx.lang) : "";
    }
    html::Object o{{"id", std::to_string(p.id)},
                   {"title", p.title},
                   {"status", ProposalStatusName(p.status)},
                   {"status_label", site_->T(ctx, std::string("proposals.status.") + ProposalStatusName(p.status))},
                   {"process_title", process_titles[p.process_id]},
                   {"date", UtcDate(p.created_at)}};
    items.push_back(o);
  }
  d.set("proposals", items);
  d.set("has_proposals", !items.empty());

  TING_ASSIGN_OR_RETURN(bool see_members, MaySeeMembers(ctx, g));
  html::List members;
  if (see_members) {
    TING_ASSIGN_OR_RETURN(auto list, groups_->Members(g.id));
    for (const auto& m : list) {
      const bool is_owner = m.role == kGroupOwner;
      html::Object o{{"account_id", std::to_string(m.account_id)},
                     {"member_name", m.name},
                     {"role_label", site_->T(ctx, is_owner ? TING_KEY("proposals.group.role.owner") : TING_KEY("proposals.group.role.member"))}};
      o["can_remove"] = Bool(owner && !is_owner);
      members.push_back(o);
    }
  }
  d.set("show_members", see_members);
  d.set("members", members);
  d.set("is_owner", owner);
  d.set("can_leave", !my_role.empty() && !owner);
  d.set("my_id", ctx.user ? std::to_string(ctx.user->id) : "");
  d.set("can_verify", MayVerify(ctx));
  d.set("new_link", new_link);
  d.set("has_new_link", !new_link.empty());
  d.set("notice", notice);
  d.set("has_notice", !notice.empty());
  html::List err;
  for (const auto& e : errors) err.push_back(html::Data(e));
  d.set("errors", err);
  d.set("has_errors", !errors.empty());
  return site_->RenderPageTitled(req, ctx, "proposals/group", g.name, d, status);
}

Result<Response> ProposalsComponent::InvitePage(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(Group g, LoadGroup(ctx, req.Param("slug")));
  const std::string email(Trim(FormField(req, "email")));
  auto invitation = Invite(ctx, g, email);
  if (!invitation.ok()) {
    if (invitation.error().code == ErrorCode::kInvalidArgument) return GroupPage(req, ctx, "", "", {Say(ctx, invitation.error())}, 422);
    return invitation.error();
  }
  const std::string notice = invitation->single_use ? site_->T(ctx, TING_KEY("proposals.group.invitation_mailed"), {{"email", email}})
                                                    : site_->T(ctx, TING_KEY("proposals.group.invitation_link_made"));
  // A mailed link is one person's: it is not shown to the owner.
  return GroupPage(req, ctx, invitation->single_use ? "" : InvitationUrl(ctx, invitation->token), notice, {}, 200);
}

Result<Response> ProposalsComponent::InvitationPage(Request& req, Context& ctx) {
  const std::string token = req.Param("token");
  TING_ASSIGN_OR_RETURN(auto g, groups_->InvitationGroup(ctx.org.id, token));
  if (!g) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.group.invitation_not_found"));
  std::string role;
  if (ctx.user) {
    TING_ASSIGN_OR_RETURN(role, groups_->RoleOf(g->id, ctx.user->id));
  }
  html::Data d;
  d.set("token", token);
  d.set("slug", g->slug);
  d.set("name", g->name);
  d.set("description", g->description);
  d.set("has_description", !g->description.empty());
  d.set("verified", g->verified());
  d.set("signed_in", ctx.user.has_value());
  d.set("already_member", !role.empty());
  d.set("can_accept", ctx.user.has_value() && role.empty());
  return site_->RenderPage(req, ctx, "proposals/invitation", TING_KEY("proposals.group.invitation_title"), d);
}

Result<Response> ProposalsComponent::AcceptInvitationPage(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(Group g, groups_->Accept(ctx.org.id, req.Param("token"), ctx.user->id));
  return site_->RedirectWithFlash(ctx, "/groups/" + g.slug, TING_KEY("proposals.group.joined"));
}

Result<Response> ProposalsComponent::RemoveMemberPage(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
  TING_ASSIGN_OR_RETURN(Group g, LoadGroup(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(int64_t account_id, AccountIdOf(req));
  TING_RETURN_IF_ERROR(groups_->RemoveMember(g, ctx.user->id, account_id));
  if (account_id == ctx.user->id) return site_->RedirectWithFlash(ctx, "/groups", TING_KEY("proposals.group.left"));
  return site_->RedirectWithFlash(ctx, "/groups/" + g.slug, TING_KEY("proposals.group.member_removed"));
}

Result<Response> ProposalsComponent::VerifyGroupPage(Request& req, Context& ctx) {
  TING_RETURN_IF_ERROR(Site::RequireAction(ctx, kVerifyGroups));
  TING_ASSIGN_OR_RETURN(Group g, LoadGroup(ctx, req.Param("slug")));
  const bool verified = FormField(req, "verified") != "0";
  TING_RETURN_IF_ERROR(groups_->SetVerified(g, ctx.user->id, verified));
  return site_->RedirectWithFlash(ctx, "/groups/" + g.slug, verified ? TING_KEY("proposals.group.verified_saved") : TING_KEY("proposals.group.unverified_saved"));
}

}  // namespace ting::components

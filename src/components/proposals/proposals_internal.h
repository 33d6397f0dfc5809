#pragma once
// Inside the proposals component: the component's class, shared by proposals_component.cc
// (routes, loading, images), api.cc (the JSON API) and pages.cc (the pages).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "group_store.h"
#include "proposal_store.h"
#include "ting/core/security.h"
#include "ting/web/component.h"

namespace ting::components {

namespace proposals {
const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/
}

// Small helpers shared by the pages and the API (proposals_component.cc).
html::Data Bool(bool b);
nlohmann::json ProposalJson(const Proposal& p);
// Every value of a form field (urlencoded or multipart), in order: repeated checkboxes.
std::vector<std::string> FormFieldValues(const Request& req, const std::string& name);
std::optional<double> ParseCoordinate(const std::string& s);
// Whole currency units typed in a form → minor units ("1 500 000", "1500000,50").
std::optional<int64_t> ParseKronor(const std::string& text);

class ProposalsComponent final : public web::Component {
 public:
  explicit ProposalsComponent(Site& site);

 private:
  // The proposal of the path, if it belongs to a process of the request's organisation.
  Result<std::pair<Proposal, Process>> Load(const Context& ctx, const std::string& id_text);

  // Residents' new proposals and comments per account: enough for anyone taking part, not
  // enough to fill the disk with images or the pages with spam. People with a role in the
  // organisation (staff entering paper proposals at a meeting) are not limited.
  Status Throttle(const Context& ctx, core::RateLimiter& limiter);

  std::string Say(const Context& ctx, const Error& e) { return site_->T(ctx, e.key, e.args); }

  // The draft of a JSON body; a field of the wrong type is remembered in fields (answer 422).
  static ProposalDraft DraftFromJson(const json& b, web::JsonFields& fields);
  // "co_authors": an array of account ids (absent or null: none); anything else is a 422.
  static Result<std::vector<int64_t>> CoAuthorsFromJson(const json& b);

  static std::optional<ProposalDraft> DraftFromForm(const Request& req);

  // --- images ---
  static constexpr size_t kMaxImageBytes = 5 * 1024 * 1024;
  struct Upload {
    std::string data, type;
  };

  // The images of a multipart form, checked by their bytes (not by what the browser claims).
  // Error kInvalidArgument with the problem's catalogue key.
  Result<std::vector<Upload>> ImagesFrom(const Request& req);

  // Files go to the Env's file store under random names; the database keeps their type.
  Status StoreImages(int64_t proposal_id, const std::vector<Upload>& uploads);

  Result<Response> ServeImage(Request& req, Context&);

  // --- API ---
  Result<Response> ApiCreate(Request& req, Context& ctx);

  ProposalQuery QueryFrom(const Request& req, const Context& ctx);

  Result<Response> ApiList(Request& req, Context& ctx);

  Result<Response> ApiGet(Request& req, Context& ctx);

  Result<Response> ApiPatch(Request& req, Context& ctx);

  Result<Response> ApiWithdraw(Request& req, Context& ctx);

  Result<Response> ApiReview(Request& req, Context& ctx);

  Result<Response> ApiMerge(Request& req, Context& ctx);

  Result<Response> ApiSupport(Request& req, Context& ctx);

  Result<Response> ApiComments(Request& req, Context& ctx);

  Result<Response> ApiAddComment(Request& req, Context& ctx);

  // --- pages ---
  // full: the proposal page (Markdown body rendered); otherwise a list item.
  html::Data ProposalData(const Proposal& p, const Process& process, const Context& ctx, bool full = true);

  Result<Response> ListPage(Request& req, Context& ctx);

  Result<Response> FormPage(Request& req, Context& ctx, const Process& process, const std::optional<Proposal>& existing,
                    const std::vector<std::string>& errors, int status);

  Result<Response> NewPage(Request& req, Context& ctx);

  Result<Response> CreatePage(Request& req, Context& ctx);

  Result<Response> ShowPage(Request& req, Context& ctx);

  Result<Response> EditPage(Request& req, Context& ctx);

  Result<Response> EditSubmit(Request& req, Context& ctx);

  // A page action on a proposal: sign-in (and a permission) required, then act, then back to it.
  Result<Response> Act(Request& req, Context& ctx, std::optional<core::Action> action, const std::function<Status(const Proposal&)>& fn,
               const std::string& flash);

  Result<Response> WithdrawPage(Request& req, Context& ctx);
  Result<Response> SupportPage(Request& req, Context& ctx);
  Result<Response> CommentPage(Request& req, Context& ctx);
  Result<Response> CommentEditPage(Request& req, Context& ctx);
  Result<Response> CommentDeletePage(Request& req, Context& ctx);
  Result<Response> CommentHidePage(Request& req, Context& ctx);
  Result<Response> ReviewPage(Request& req, Context& ctx);
  Result<Response> MergePage(Request& req, Context& ctx);
  Result<Response> BallotTogglePage(Request& req, Context& ctx);
  Result<Response> AssignPage(Request& req, Context& ctx);

  Result<Response> ReviewQueue(Request& req, Context& ctx);

  Result<Response> NotificationsPage(Request& req, Context& ctx);

  // --- groups that propose (groups.cc) ---
  // The organisation's group named in the path, or kNotFound "proposals.group.not_found".
  Result<Group> LoadGroup(const Context& ctx, const std::string& slug);
  // Whether the request's person may verify groups (the organisation's badge).
  static bool MayVerify(const Context& ctx) { return ctx.Can(kVerifyGroups); }
  // Members' names are for the group's members and the staff who verify it.
  Result<bool> MaySeeMembers(const Context& ctx, const Group& g);
  json GroupJson(const Group& g);
  Result<json> GroupJsonFor(const Context& ctx, const Group& g);
  // A new invitation (the owner's), mailed when an email is given.
  Result<GroupInvitation> Invite(const Context& ctx, const Group& g, const std::string& email);
  std::string InvitationUrl(const Context& ctx, const std::string& token) const;

  Result<Response> ApiMyGroups(Request& req, Context& ctx);
  Result<Response> ApiCreateGroup(Request& req, Context& ctx);
  Result<Response> ApiGetGroup(Request& req, Context& ctx);
  Result<Response> ApiInvite(Request& req, Context& ctx);
  Result<Response> ApiAcceptInvitation(Request& req, Context& ctx);
  Result<Response> ApiRemoveMember(Request& req, Context& ctx);
  Result<Response> ApiVerifyGroup(Request& req, Context& ctx);

  Result<Response> MyGroupsPage(Request& req, Context& ctx);
  Result<Response> NewGroupPage(Request& req, Context& ctx, const std::vector<std::string>& errors, int status);
  Result<Response> CreateGroupPage(Request& req, Context& ctx);
  // The group's page; new_link: an invitation just made (shown once, to its owner), with a
  // notice saying so; errors: what was wrong with the owner's invitation form.
  Result<Response> GroupPage(Request& req, Context& ctx, const std::string& new_link, const std::string& notice,
                             const std::vector<std::string>& errors, int status);
  Result<Response> InvitePage(Request& req, Context& ctx);
  Result<Response> InvitationPage(Request& req, Context& ctx);
  Result<Response> AcceptInvitationPage(Request& req, Context& ctx);
  Result<Response> RemoveMemberPage(Request& req, Context& ctx);
  Result<Response> VerifyGroupPage(Request& req, Context& ctx);

  // Verifying a group is a statement by the organisation about who proposes: the managers'
  // (and admins') decision, like setting up processes.
  static constexpr core::Action kVerifyGroups = core::Action::kManageProcesses;

  Site* site_ = nullptr;
  core::RateLimiter proposal_limiter_;
  core::RateLimiter comment_limiter_;
  // New groups and invitations per account (an invitation may be a mail to any address).
  core::RateLimiter group_limiter_;
  core::RateLimiter invitation_limiter_;
  std::unique_ptr<ProposalStore> store_;
  std::unique_ptr<ProcessStore> processes_;
  std::unique_ptr<GroupStore> groups_;
};

}  // namespace ting::components

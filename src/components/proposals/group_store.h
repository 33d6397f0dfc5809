#pragma once
// Groups that propose (a school class, an association, neighbours): their members, invitations
// and the organisation's verification. Inside the proposals component, because a group exists
// to propose and its page lists its proposals (docs/architecture.md, "Proposals by groups").

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ting/base/env.h"
#include "ting/base/result.h"
#include "ting/db/database.h"

namespace ting::components {

struct Group {
  int64_t id = 0, organisation_id = 0;
  std::string slug, name, description;  // plain text, in the language its members wrote it in
  int64_t created_by = 0, created_at = 0;
  int64_t verified_at = 0, verified_by = 0;  // 0: not verified by the organisation
  int64_t member_count = 0;
  bool verified() const { return verified_at != 0; }
};

inline constexpr const char* kGroupOwner = "owner";
inline constexpr const char* kGroupMember = "member";

struct GroupMember {
  int64_t account_id = 0;
  std::string name, role;  // role: kGroupOwner or kGroupMember
  int64_t joined_at = 0;
};

// A new invitation: the token is only here; the database keeps its SHA-256.
struct GroupInvitation {
  std::string token;
  int64_t expires_at = 0;
  bool single_use = false;
};

class GroupStore {
 public:
  static constexpr int64_t kInvitationLifetimeSeconds = 14 * 24 * 3600;
  static constexpr size_t kMaxNameBytes = 120;
  static constexpr size_t kMaxDescriptionBytes = 2000;
  GroupStore(db::Database& db, Env& env) : db_(db), env_(env) {}

  // A group of the organisation with its creator as its owner and first member. An empty slug
  // is made from the name (with -2, -3, … when taken); a slug given that is taken is kAlreadyExists
  // "proposals.group.slug_taken". Invalid name, description or slug: kInvalidArgument
  // (proposals.group.problem.*).
  Result<Group> Create(int64_t organisation_id, int64_t creator, const std::string& slug, const std::string& name,
                       const std::string& description);
  // The organisation's group with that slug, or nullopt (another organisation's is nullopt).
  Result<std::optional<Group>> Find(int64_t organisation_id, std::string_view slug);
  // The organisation's groups an account is a member of, with its role there, by name.
  Result<std::vector<std::pair<Group, std::string>>> Of(int64_t organisation_id, int64_t account_id);
  // Every group of the organisation, by name (for the staff who verify them).
  Result<std::vector<Group>> All(int64_t organisation_id);
  Result<std::vector<GroupMember>> Members(int64_t group_id);
  // The account's role in the group ("" when it is not a member).
  Result<std::string> RoleOf(int64_t group_id, int64_t account_id);

  // Called inside the invitation's write with the new token, to queue its mail there.
  using InvitationHook = std::function<Status(db::Connection&, const std::string& token)>;
  // The group's owner invites: a link anyone holding it may use until it expires, or, with an
  // email (already normalised), a link for one person that works once (mailed by `mail`).
  // Someone else: kPermissionDenied "proposals.group.not_owner".
  Result<GroupInvitation> Invite(const Group& g, int64_t by, const std::string& email, const InvitationHook& mail);
  // The group an invitation token is for, while it may still be used; nullopt for an unknown,
  // expired or used token, or one of another organisation's group.
  Result<std::optional<Group>> InvitationGroup(int64_t organisation_id, std::string_view token);
  // Makes the account a member (nothing changes for one already in the group); kNotFound
  // "proposals.group.invitation_not_found" when InvitationGroup would say nullopt.
  Result<Group> Accept(int64_t organisation_id, std::string_view token, int64_t account_id);
  // An owner removes a member, or a member leaves (actor == account_id). The owner stays
  // (kConflict "proposals.group.owner_stays"); someone else may not (kPermissionDenied); not a
  // member: kNotFound. Whoever leaves stops being a co-author of the group's proposals.
  Status RemoveMember(const Group& g, int64_t actor, int64_t account_id);
  // The organisation's badge: verified (by whom, when) or not.
  Status SetVerified(const Group& g, int64_t by, bool verified);

 private:
  db::Database& db_;
  Env& env_;
};

// A slug made from a group's name: lower case a–z, 0–9 and -, Swedish letters without their
// dots and rings ("Klass 8B, Solbackaskolan" → "klass-8b-solbackaskolan"); "grupp" when nothing is left.
std::string GroupSlugFromName(std::string_view name);

}  // namespace ting::components

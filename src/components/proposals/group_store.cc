#include "group_store.h"

#include <algorithm>
#include <cctype>

#include "ting/base/digest.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/core/accounts.h"

namespace ting::components {

namespace {

// A group's columns (ten), then its table as `g`.
constexpr const char* kGroupColumns =
    "g.id, g.organisation_id, g.slug, g.name, g.description, COALESCE(g.created_by, 0), g.created_at, g.verified_at, "
    "COALESCE(g.verified_by, 0), (SELECT COUNT(*) FROM proposal_group_members m WHERE m.group_id = g.id)";
constexpr const char* kGroupTable = " FROM proposal_groups g";

Group GroupFromRow(const db::Row& r) {
  Group g;
  g.id = r.Int(0);
  g.organisation_id = r.Int(1);
  g.slug = r.Str(2);
  g.name = r.Str(3);
  g.description = r.Str(4);
  g.created_by = r.Int(5);
  g.created_at = r.Int(6);
  g.verified_at = r.Int(7);
  g.verified_by = r.Int(8);
  g.member_count = r.Int(9);
  return g;
}

Result<std::optional<Group>> FindGroupIn(db::Connection& c, int64_t organisation_id, std::string_view slug) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT ") + kGroupColumns + kGroupTable + " WHERE g.organisation_id = ? AND g.slug = ?",
                                             {organisation_id, std::string(slug)}));
  if (!row) return std::optional<Group>();
  return std::optional<Group>(GroupFromRow(*row));
}

Result<Group> GroupByIdIn(db::Connection& c, int64_t id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT ") + kGroupColumns + kGroupTable + " WHERE g.id = ?", {id}));
  if (!row) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.group.not_found"));
  return GroupFromRow(*row);
}

Result<std::string> RoleIn(db::Connection& c, int64_t group_id, int64_t account_id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT role FROM proposal_group_members WHERE group_id = ? AND account_id = ?", {group_id, account_id}));
  return row ? row->Str(0) : std::string();
}

// Slugs a group may not have: the words the group pages use in their paths.
bool ReservedSlug(std::string_view slug) { return slug == "new" || slug == "invitations"; }

bool ValidSlug(std::string_view slug) {
  return !slug.empty() && slug.size() <= 64 && slug.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos &&
         !ReservedSlug(slug);
}

// An invitation that may still be used: its id, group and whether it works once. Another
// organisation's group's invitation is as unknown as a made-up token.
struct OpenInvitation {
  int64_t id = 0, group_id = 0;
  bool single_use = false;
};
Result<std::optional<OpenInvitation>> OpenInvitationIn(db::Connection& c, const Env& env, int64_t organisation_id, std::string_view token) {
  if (token.empty() || token.size() > 128) return std::optional<OpenInvitation>();
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT i.id, i.group_id, i.single_use, i.expires_at, i.accepted_at FROM proposal_group_invitations i "
                                             "JOIN proposal_groups g ON g.id = i.group_id WHERE i.token_hash = ? AND g.organisation_id = ?",
                                             {Sha256Hex(token), organisation_id}));
  if (!row) return std::optional<OpenInvitation>();
  const bool single_use = row->Int(2) != 0;
  if (row->Int(3) <= env.NowSeconds() || (single_use && row->Int(4) != 0)) return std::optional<OpenInvitation>();
  return std::optional<OpenInvitation>(OpenInvitation{row->Int(0), row->Int(1), single_use});
}

}  // namespace

std::string GroupSlugFromName(std::string_view name) {
  static const std::pair<std::string_view, char> kLetters[] = {{"å", 'a'}, {"ä", 'a'}, {"ö", 'o'}, {"Å", 'a'}, {"Ä", 'a'}, {"Ö", 'o'},
                                                               {"é", 'e'}, {"É", 'e'}, {"ü", 'u'}, {"Ü", 'u'}};
  std::string out;
  for (size_t i = 0; i < name.size();) {
    const unsigned char ch = static_cast<unsigned char>(name[i]);
    char next = '-';
    size_t width = 1;
    if (std::isalnum(ch) && ch < 0x80) {
      next = static_cast<char>(std::tolower(ch));
    } else if (ch >= 0x80) {
      width = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
      for (const auto& [letter, plain] : kLetters)
        if (name.substr(i, letter.size()) == letter) next = plain;
    }
    i += width;
    if (next == '-' && (out.empty() || out.back() == '-')) continue;
    out += next;
    if (out.size() >= 50) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.empty() || ReservedSlug(out)) return "grupp";
  return out;
}

Result<Group> GroupStore::Create(int64_t organisation_id, int64_t creator, const std::string& slug_in, const std::string& name_in,
                                 const std::string& description_in) {
  const std::string name(Trim(name_in)), description(Trim(description_in)), slug(Trim(slug_in));
  if (name.empty() || name.size() > kMaxNameBytes) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.group.problem.name"));
  if (description.size() > kMaxDescriptionBytes) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.group.problem.description"));
  if (!slug.empty() && !ValidSlug(slug)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.group.problem.slug"));
  std::optional<Group> out;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    std::string chosen = slug;
    if (chosen.empty()) {
      const std::string base = GroupSlugFromName(name);
      for (int n = 1; n <= 100 && chosen.empty(); ++n) {
        std::string candidate = base;
        if (n > 1) candidate.append("-").append(std::to_string(n));
        TING_ASSIGN_OR_RETURN(auto taken, FindGroupIn(c, organisation_id, candidate));
        if (!taken) chosen = std::move(candidate);
      }
      if (chosen.empty()) return Error::Say(ErrorCode::kAlreadyExists, TING_KEY("proposals.group.slug_taken"));
    } else {
      TING_ASSIGN_OR_RETURN(auto taken, FindGroupIn(c, organisation_id, chosen));
      if (taken) return Error::Say(ErrorCode::kAlreadyExists, TING_KEY("proposals.group.slug_taken"));
    }
    const int64_t now = env_.NowSeconds();
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO proposal_groups(organisation_id, slug, name, description, created_by, created_at) "
                                         "VALUES(?, ?, ?, ?, ?, ?)",
                                         {organisation_id, chosen, name, description, creator, now})));
    const int64_t id = c.LastInsertId();
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO proposal_group_members(group_id, account_id, role, joined_at) VALUES(?, ?, ?, ?)",
                                         {id, creator, std::string(kGroupOwner), now})));
    TING_ASSIGN_OR_RETURN(out, GroupByIdIn(c, id));
    return {};
  }));
  return std::move(*out);
}

Result<std::optional<Group>> GroupStore::Find(int64_t organisation_id, std::string_view slug) {
  std::optional<Group> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(out, FindGroupIn(c, organisation_id, slug));
    return {};
  }));
  return out;
}

Result<std::vector<std::pair<Group, std::string>>> GroupStore::Of(int64_t organisation_id, int64_t account_id) {
  std::vector<std::pair<Group, std::string>> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kGroupColumns + ", mine.role" + kGroupTable +
                                                 " JOIN proposal_group_members mine ON mine.group_id = g.id "
                                                 "WHERE mine.account_id = ? AND g.organisation_id = ? ORDER BY g.name, g.id",
                                             {account_id, organisation_id}));
    for (const auto& r : rows) out.emplace_back(GroupFromRow(r), r.Str(10));
    return {};
  }));
  return out;
}

Result<std::vector<Group>> GroupStore::All(int64_t organisation_id) {
  std::vector<Group> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kGroupColumns + kGroupTable + " WHERE g.organisation_id = ? ORDER BY g.name, g.id LIMIT 1000",
                                             {organisation_id}));
    for (const auto& r : rows) out.push_back(GroupFromRow(r));
    return {};
  }));
  return out;
}

Result<std::vector<GroupMember>> GroupStore::Members(int64_t group_id) {
  std::vector<GroupMember> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT m.account_id, u.name, m.role, m.joined_at FROM proposal_group_members m "
                                             "JOIN users u ON u.id = m.account_id WHERE m.group_id = ? ORDER BY m.role = 'owner' DESC, u.name, u.id",
                                             {group_id}));
    for (const auto& r : rows) out.push_back(GroupMember{r.Int(0), r.Str(1), r.Str(2), r.Int(3)});
    return {};
  }));
  return out;
}

Result<std::string> GroupStore::RoleOf(int64_t group_id, int64_t account_id) {
  std::string out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(out, RoleIn(c, group_id, account_id));
    return {};
  }));
  return out;
}

Result<GroupInvitation> GroupStore::Invite(const Group& g, int64_t by, const std::string& email, const InvitationHook& mail) {
  GroupInvitation out{core::RandomToken(32), env_.NowSeconds() + kInvitationLifetimeSeconds, !email.empty()};
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(std::string role, RoleIn(c, g.id, by));
    if (role != kGroupOwner) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("proposals.group.not_owner"));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO proposal_group_invitations(group_id, token_hash, email, single_use, created_by, created_at, expires_at) "
                                         "VALUES(?, ?, ?, ?, ?, ?, ?)",
                                         {g.id, Sha256Hex(out.token), email, int64_t{out.single_use}, by, env_.NowSeconds(), out.expires_at})));
    if (mail && !email.empty()) TING_RETURN_IF_ERROR(mail(c, out.token));
    return {};
  }));
  return out;
}

Result<std::optional<Group>> GroupStore::InvitationGroup(int64_t organisation_id, std::string_view token) {
  std::optional<Group> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto open, OpenInvitationIn(c, env_, organisation_id, token));
    if (!open) return {};
    TING_ASSIGN_OR_RETURN(out, GroupByIdIn(c, open->group_id));
    return {};
  }));
  return out;
}

Result<Group> GroupStore::Accept(int64_t organisation_id, std::string_view token, int64_t account_id) {
  std::optional<Group> out;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto open, OpenInvitationIn(c, env_, organisation_id, token));
    if (!open) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.group.invitation_not_found"));
    TING_ASSIGN_OR_RETURN(std::string role, RoleIn(c, open->group_id, account_id));
    if (role.empty()) {
      const int64_t now = env_.NowSeconds();
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO proposal_group_members(group_id, account_id, role, joined_at) VALUES(?, ?, ?, ?)",
                                           {open->group_id, account_id, std::string(kGroupMember), now})));
      // A mailed invitation is one person's: used once.
      if (open->single_use)
        TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE proposal_group_invitations SET accepted_by = ?, accepted_at = ? WHERE id = ?",
                                             {account_id, now, open->id})));
    }
    TING_ASSIGN_OR_RETURN(out, GroupByIdIn(c, open->group_id));
    return {};
  }));
  return std::move(*out);
}

Status GroupStore::RemoveMember(const Group& g, int64_t actor, int64_t account_id) {
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(std::string actor_role, RoleIn(c, g.id, actor));
    if (actor != account_id && actor_role != kGroupOwner) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("proposals.group.not_owner"));
    TING_ASSIGN_OR_RETURN(std::string role, RoleIn(c, g.id, account_id));
    if (role.empty()) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.group.member_not_found"));
    if (role == kGroupOwner) return Error::Say(ErrorCode::kConflict, TING_KEY("proposals.group.owner_stays"));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM proposal_group_members WHERE group_id = ? AND account_id = ?", {g.id, account_id})));
    // Co-authors of a group's proposals are its members: whoever leaves no longer edits them.
    return StatusOf(c.Exec("DELETE FROM proposal_coauthors WHERE account_id = ? AND proposal_id IN (SELECT id FROM proposals WHERE group_id = ?)",
                           {account_id, g.id}));
  });
}

Status GroupStore::SetVerified(const Group& g, int64_t by, bool verified) {
  return db_.Write([&](db::Connection& c) -> Status {
    if (!verified) return StatusOf(c.Exec("UPDATE proposal_groups SET verified_at = 0, verified_by = NULL WHERE id = ?", {g.id}));
    // Verifying again keeps the first verification's date and staff member.
    return StatusOf(c.Exec("UPDATE proposal_groups SET verified_at = ?, verified_by = ? WHERE id = ? AND verified_at = 0", {env_.NowSeconds(), by, g.id}));
  });
}

}  // namespace ting::components

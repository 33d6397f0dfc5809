// The proposals component's tables, versioned (3xx; follow-up's project tables are 6xx).

#include "proposal_store.h"

namespace ting::components {

std::vector<db::Migration> ProposalMigrations() {
  return {{300, "proposals: proposals, supports, comments, notifications, images", R"sql(
CREATE TABLE proposals (
  id INTEGER PRIMARY KEY,
  process_id INTEGER NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
  budget_id INTEGER NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
  author_id INTEGER REFERENCES users(id),
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  cost INTEGER NOT NULL CHECK (cost >= 0),
  lat REAL,
  lon REAL,
  status TEXT NOT NULL DEFAULT 'submitted'
    CHECK (status IN ('submitted','revision','feasible','infeasible','merged','withdrawn')),
  reviewer_id INTEGER REFERENCES users(id),
  review_cost INTEGER,
  review_explanation TEXT NOT NULL DEFAULT '',
  reviewed_at INTEGER,
  merged_into INTEGER REFERENCES proposals(id),
  on_ballot INTEGER NOT NULL DEFAULT 1,
  supports INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX proposals_process ON proposals(process_id, status);
CREATE INDEX proposals_budget ON proposals(budget_id, status);
CREATE TABLE proposal_supports (
  proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (proposal_id, user_id)
);
CREATE TABLE proposal_comments (
  id INTEGER PRIMARY KEY,
  proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
  author_id INTEGER NOT NULL REFERENCES users(id),
  parent_id INTEGER REFERENCES proposal_comments(id),
  body TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  hidden_by INTEGER REFERENCES users(id),
  hidden_reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  edited_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX proposal_comments_proposal ON proposal_comments(proposal_id, id);
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  message_key TEXT NOT NULL,
  vars TEXT NOT NULL DEFAULT '{}',
  link TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  read_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notifications_user ON notifications(user_id, read_at);
CREATE TABLE proposal_images (
  id INTEGER PRIMARY KEY,
  proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
  file_name TEXT NOT NULL UNIQUE,
  content_type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
)sql"},
          {310, "proposals: repair ill-formed UTF-8 in proposals, comments and notifications", "", [](db::Connection& c) -> Status {
             TING_RETURN_IF_ERROR(db::RepairUtf8Columns(c, "proposals", "id", {"title", "body", "category", "review_explanation"}));
             TING_RETURN_IF_ERROR(db::RepairUtf8Columns(c, "proposal_comments", "id", {"body", "hidden_reason"}));
             return db::RepairUtf8Columns(c, "notifications", "id", {"vars"});
           }},
          {320, "proposals: audited changes to a ballot after voting opened", R"sql(
CREATE TABLE ballot_changes (
  id INTEGER PRIMARY KEY,
  budget_id INTEGER NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
  proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
  action TEXT NOT NULL CHECK (action IN ('removed')),
  reason TEXT NOT NULL,
  actor_id INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX ballot_changes_budget ON ballot_changes(budget_id, id);
)sql"},
          {330, "proposals: every change to a budget's ballot projects changes its ballot version", R"sql(
CREATE TRIGGER proposals_ballot_version_insert AFTER INSERT ON proposals
BEGIN
  UPDATE budgets SET ballot_version = ballot_version + 1 WHERE id = NEW.budget_id;
END;
CREATE TRIGGER proposals_ballot_version_update AFTER UPDATE OF status, on_ballot, cost, review_cost, budget_id ON proposals
BEGIN
  UPDATE budgets SET ballot_version = ballot_version + 1 WHERE id IN (NEW.budget_id, OLD.budget_id);
END;
CREATE TRIGGER proposals_ballot_version_delete AFTER DELETE ON proposals
BEGIN
  UPDATE budgets SET ballot_version = ballot_version + 1 WHERE id = OLD.budget_id;
END;
)sql"},
          {340, "proposals: a notification's organisation (the site its link is on) and whether it was mailed", R"sql(
ALTER TABLE notifications ADD COLUMN organisation_id INTEGER;
ALTER TABLE notifications ADD COLUMN mail_state INTEGER NOT NULL DEFAULT 1;
CREATE INDEX notifications_mail ON notifications(mail_state, id);
)sql"},
          {350, "proposals: groups that propose (members, invitations), proposals in a group's name, co-authors", R"sql(
CREATE TABLE proposal_groups (
  id INTEGER PRIMARY KEY,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  slug TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  verified_at INTEGER NOT NULL DEFAULT 0,
  verified_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  UNIQUE (organisation_id, slug)
);
CREATE TABLE proposal_group_members (
  group_id INTEGER NOT NULL REFERENCES proposal_groups(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, account_id)
);
CREATE INDEX proposal_group_members_account ON proposal_group_members(account_id);
CREATE TABLE proposal_group_invitations (
  id INTEGER PRIMARY KEY,
  group_id INTEGER NOT NULL REFERENCES proposal_groups(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL DEFAULT '',
  single_use INTEGER NOT NULL DEFAULT 0,
  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  accepted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  accepted_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX proposal_group_invitations_group ON proposal_group_invitations(group_id);
ALTER TABLE proposals ADD COLUMN group_id INTEGER REFERENCES proposal_groups(id) ON DELETE SET NULL;
CREATE INDEX proposals_group ON proposals(group_id);
CREATE TABLE proposal_coauthors (
  proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (proposal_id, account_id)
);
CREATE INDEX proposal_coauthors_account ON proposal_coauthors(account_id);
)sql"},
          {360, "proposals: the language a proposal is written in (its proposer's, any of the organisation's)", R"sql(
ALTER TABLE proposals ADD COLUMN language TEXT NOT NULL DEFAULT '';
)sql"}};
}

}  // namespace ting::components

// Who proposed, supported or commented in a process (ting/components/proposal_participants.h).

#include "ting/components/proposal_participants.h"

namespace ting::components {

Result<ProposalParticipants> ProposalParticipantsOf(db::Database& db, int64_t process_id) {
  ProposalParticipants out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto authors, c.Query("SELECT author_id, MIN(created_at) FROM proposals WHERE process_id = ? AND author_id IS NOT NULL "
                                                "GROUP BY author_id ORDER BY author_id",
                                                {process_id}));
    for (const auto& r : authors) out.proposed.push_back({r.Int(0), r.Int(1)});
    TING_ASSIGN_OR_RETURN(auto backers, c.Query("SELECT who, MIN(at) FROM ("
                                                "SELECT s.user_id AS who, s.created_at AS at FROM proposal_supports s JOIN proposals p ON p.id = s.proposal_id WHERE p.process_id = ? "
                                                "UNION ALL SELECT m.author_id, m.created_at FROM proposal_comments m JOIN proposals p ON p.id = m.proposal_id WHERE p.process_id = ?"
                                                ") GROUP BY who ORDER BY who",
                                                {process_id, process_id}));
    for (const auto& r : backers) out.supported.push_back({r.Int(0), r.Int(1)});
    return {};
  }));
  return out;
}

}  // namespace ting::components

#pragma once
// Who took part in a process's proposals, for the inclusion dashboard: the accounts that
// proposed, and the accounts that supported or commented, with when. Only who and when: never
// what they wrote or which proposal they backed.

#include <cstdint>
#include <vector>

#include "ting/base/result.h"
#include "ting/db/database.h"

namespace ting::components {

struct ProposalParticipant {
  int64_t account_id = 0;
  int64_t at = 0;  // Unix seconds of the first such act
};

struct ProposalParticipants {
  std::vector<ProposalParticipant> proposed;   // authors
  std::vector<ProposalParticipant> supported;  // supporters and commenters
};

// Each account once per list, at its first act, in account order.
Result<ProposalParticipants> ProposalParticipantsOf(db::Database& db, int64_t process_id);

}  // namespace ting::components

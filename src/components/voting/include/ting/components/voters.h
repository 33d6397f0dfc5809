#pragma once
// Who voted in a process, for the inclusion dashboard: one row per voter (a person, a household,
// a code, a paper ballot), never what they chose.

#include <cstdint>
#include <string>
#include <vector>

#include "ting/base/result.h"
#include "ting/db/database.h"

namespace ting::components {

struct Voter {
  std::string voter;       // the ballot's voter key ("a:<account>", "r:<person>", …)
  std::string channel;     // of their first ballot: "online", "code", "desk", "paper", "batch"
  int64_t account_id = 0;  // the account that voted online (0 for every other channel: at the desk it is the staff's)
  int64_t resident_id = 0; // the register person, 0 when none
  int64_t at = 0;          // Unix seconds of their first ballot in the process
};

// Every voter of any of the process's budgets once, in voter order.
Result<std::vector<Voter>> VotersOf(db::Database& db, int64_t process_id);

}  // namespace ting::components

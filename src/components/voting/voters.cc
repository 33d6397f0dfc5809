// Who voted in a process (ting/components/voters.h): voter keys, channels and times only.

#include "ting/components/voters.h"

namespace ting::components {

Result<std::vector<Voter>> VotersOf(db::Database& db, int64_t process_id) {
  std::vector<Voter> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT b.voter, b.channel, b.account_id, b.resident_id, b.created_at FROM ballots b "
                                             "JOIN budgets g ON g.id = b.budget_id WHERE g.process_id = ? ORDER BY b.voter, b.created_at, b.id",
                                             {process_id}));
    for (const auto& r : rows) {
      if (!out.empty() && out.back().voter == r.Str(0)) continue;  // the first ballot of each voter
      Voter v{r.Str(0), r.Str(1), 0, r.IsNull(3) ? 0 : r.Int(3), r.Int(4)};
      if (v.channel == "online" && !r.IsNull(2)) v.account_id = r.Int(2);
      out.push_back(std::move(v));
    }
    return {};
  }));
  return out;
}

}  // namespace ting::components

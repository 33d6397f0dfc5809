#pragma once
// The inclusion component's SQL (store.cc).

#include "inclusion_internal.h"
#include "ting/base/env.h"

namespace ting::components::inclusion {

// What a person (or the desk, for them) said.
struct Record {
  bool consent = false;  // false: asked, and nothing kept (declined, or deleted since)
  Answers answers;
  std::string channel;  // "self" or "desk"
  int64_t consent_at = 0, updated_at = 0;
};

class Store {
 public:
  Store(db::Database& db, Env& env) : db_(db), env_(env) {}

  Result<Settings> LoadSettings(int64_t org, const std::vector<std::string>& languages);
  Status SaveSettings(int64_t org, const Settings& s);

  // subject: "a:<account>" or "r:<register person>".
  Result<std::optional<Record>> Find(int64_t org, const std::string& subject);
  // Without consent the answers are not kept (the row remembers the person was asked).
  Status Save(int64_t org, const std::string& subject, bool consent, const Answers& answers, const std::string& channel,
              int64_t recorded_by);
  // Every consented person's answers, by subject.
  Result<std::map<std::string, Answers>> Consented(int64_t org);

  Result<Population> LoadPopulation(int64_t org);
  Result<int64_t> ReplacePopulation(int64_t org, const Population& p);  // the rows written

  Result<bool> Published(int64_t process_id);
  Status SetPublished(int64_t process_id, bool published);

 private:
  db::Database& db_;
  Env& env_;
};

}  // namespace ting::components::inclusion

#pragma once
// Residents: the register of people who may take part in an organisation's processes, imported
// from CSV. Person ids (personnummer, tenant numbers) are stored only as keyed hashes; a look-up
// by the same id still finds the person. Eligibility, voting codes and paper ballots build on it.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ting/base/env.h"
#include "ting/base/result.h"
#include "ting/db/database.h"
#include "ting/web/component.h"

namespace ting::components {

struct Resident {
  int64_t id = 0;
  std::string name, district, birth_date, household, email, phone, language;
};

struct RegisterSummary {
  int64_t people = 0;
  std::map<std::string, int64_t> districts;  // district -> people ("" for none)
};

class RegisterStore {
 public:
  RegisterStore(db::Database& db, Env& env) : db_(db), env_(env) {}

  // One resident of the organisation by their person id (any spelling that normalises the same).
  Result<std::optional<Resident>> FindByPersonId(int64_t organisation_id, std::string_view person_id);
  Result<RegisterSummary> Summarise(int64_t organisation_id);
  // Removes the whole register (after a process); returns how many people it held.
  Result<int64_t> Delete(int64_t organisation_id);

 private:
  // The instance's register secret, read from the database once.
  Result<std::string> Secret();

  db::Database& db_;
  Env& env_;
  std::mutex secret_mu_;
  std::string secret_;  // guarded by secret_mu_
};

web::Manifest ResidentsManifest();

}  // namespace ting::components

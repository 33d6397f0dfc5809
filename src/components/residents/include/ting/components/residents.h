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

// The form of a person id that is hashed: spaces, '-' and '+' removed, letters upper-case
// ("19900101-1234" and "199001011234" are the same person; so are "t-12 b" and "T12B"). Public so
// that other ways of knowing a person (eID sign-in) key the same number the same way.
std::string NormalisePersonId(std::string_view id);

class RegisterStore {
 public:
  RegisterStore(db::Database& db, Env& env) : db_(db), env_(env) {}

  // One resident of the organisation by their person id (any spelling that normalises the same).
  Result<std::optional<Resident>> FindByPersonId(int64_t organisation_id, std::string_view person_id);
  // One resident of the organisation by the register's row id.
  Result<std::optional<Resident>> FindById(int64_t organisation_id, int64_t id);
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

// --- Voters: what a ballot needs to know of a register person, and the ways a person is known
// (a verified account, a voting code, the staff desk). The ballot's write calls the *In functions
// inside its own transaction; each is one indexed look-up.

struct RegisterPerson {
  int64_t resident_id = 0;
  std::string district, birth_date, household;
  // The person's stable key: the same person id gives the same key through re-imports and a
  // deleted and re-imported register, and no one else ever gets it (row ids can be reused).
  std::string person_key;
  int64_t account_id = 0;  // the account verified as this person, 0 when none (PersonIn, CodeHolderIn)
};

// The register person an account is verified as, if any.
Result<std::optional<RegisterPerson>> PersonOfAccountIn(db::Connection& c, int64_t organisation_id, int64_t account_id);
// A register person of the organisation by id (nullopt when gone: removed by a re-import).
Result<std::optional<RegisterPerson>> PersonIn(db::Connection& c, int64_t organisation_id, int64_t resident_id);

struct CodeHolder {
  int64_t code_id = 0;
  std::optional<RegisterPerson> person;  // nullopt: an anonymous code (an open event)
};
// The holder of a code of the process; nullopt when the code is gone (replaced by a new letter).
Result<std::optional<CodeHolder>> CodeHolderIn(db::Connection& c, int64_t code_id, int64_t process_id);

// Voting codes: 12 characters of an alphabet of 31 symbols, without 0, O, 1, I and L (59 bits), printed in
// groups of four ("K7QF-M2XP-9RTA"), stored only as a keyed hash, bound to a person (or none)
// and a process.
inline constexpr std::string_view kCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
std::string NewVotingCode();  // "K7QF-M2XP-9RTA": 12 symbols from kCodeAlphabet
// A typed code in its stored form: upper case, without spaces and dashes; "" when it cannot be a
// code (wrong length or a character outside the alphabet).
std::string NormaliseVotingCode(std::string_view typed);

struct IssuedCode {
  int64_t resident_id = 0;  // 0: anonymous
  std::string name, district, household, language, birth_date, code;
};

// A person's or a desk's way to a process's ballots, carried as a bearer token (API) or a cookie
// (pages): signed, so no store is asked until the ballot's write checks the code still exists.
struct VoterSession {
  enum class Kind { kCode, kDesk } kind = Kind::kCode;
  int64_t code_id = 0;      // kCode
  int64_t resident_id = 0;  // kDesk: the person staff opened the ballot for
  int64_t process_id = 0;
  int64_t expires_at = 0;
};

// The cookie that carries a voter session on pages; the API carries the same token as its bearer
// token.
inline constexpr const char* kVoterCookie = "ting_voter";

class VoterDirectory {
 public:
  VoterDirectory(db::Database& db, Env& env) : db_(db), env_(env) {}

  // New codes for the given people (each replaces the person's earlier code for the process) and
  // `anonymous` codes for no one. The only time codes exist in clear is in the answer.
  Result<std::vector<IssuedCode>> IssueCodes(int64_t organisation_id, int64_t process_id, const std::vector<int64_t>& resident_ids,
                                             int64_t anonymous);
  // The code as typed, of any process of the organisation; nullopt when there is no such code.
  struct FoundCode {
    int64_t code_id = 0, process_id = 0, resident_id = 0;
  };
  Result<std::optional<FoundCode>> FindCode(int64_t organisation_id, std::string_view typed);

  // Register people of the organisation (ids) whom codes may go to, with what letters need.
  Result<std::vector<IssuedCode>> People(int64_t organisation_id);
  // Looks a person up by person id, or by name and birth date (exact, case-insensitive name).
  Result<std::optional<Resident>> FindPerson(int64_t organisation_id, std::string_view person_id, std::string_view name,
                                             std::string_view birth_date);
  // Links an account to a register person. kAlreadyExists when either is linked to another.
  Status Verify(int64_t organisation_id, int64_t resident_id, int64_t account_id, std::string_view how);
  Result<std::optional<Resident>> VerifiedAs(int64_t organisation_id, int64_t account_id);

  std::string Token(const VoterSession& s);
  std::optional<VoterSession> ReadToken(std::string_view token);  // checks the signature and expiry

 private:
  Result<std::string> Secret(const char* name, std::string& cached);
  db::Database& db_;
  Env& env_;
  std::mutex mu_;
  std::string code_secret_, token_secret_;  // guarded by mu_
};

web::Manifest ResidentsManifest();

}  // namespace ting::components

// Residents over HTTP against the real binary: who may vote (register, district, age, household),
// and every way in (verified account, voting code, staff desk, anonymous paper batches), with one
// ballot per resident across all of them. Each test runs in its own process (ctest), with its own
// database and server, set up afresh.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "http_client.h"

namespace ting::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kPassword = "a long test password";

// Birth dates that give an age on any day this test runs: at least 30, and at most 11.
std::string Year(int offset) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return std::to_string(tm.tm_year + 1900 + offset);
}

class Channels : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(TempPath("channels.db"));
    std::string out;
    for (auto [email, role] : {std::pair{"admin@example.se", "admin"}, {"manager@example.se", "manager"}, {"reviewer@example.se", "reviewer"},
                               {"staff@example.se", "staff"}, {"staff2@example.se", "staff"}}) {
      ASSERT_EQ(RunTing({"user", "add", "--db", *db_, "--email", email, "--password", kPassword, "--role", role}, &out), 0) << out;
    }
    server_ = new ServerProcess(*db_);
    admin_ = Token("admin@example.se");
    manager_ = Token("manager@example.se");
    staff_ = Token("staff@example.se");
    staff2_ = Token("staff2@example.se");
    // The register: Anna and Cia share a household in norr; Bo lives in söder; Dan is 11 or
    // younger; Eva has no birth date.
    const std::string csv = "person_id;name;district;birth_date;household;language\n"
                            "19800101-0001;Anna Berg;norr;1980-01-01;H1;sv\n"
                            "19800101-0002;Bo Ek;söder;1980-01-01;H2;en\n"
                            "DAN-3;Dan Ung;norr;" + Year(-11) + "-12-31;H3;\n"
                            "19800101-0004;Cia Berg;norr;1980-01-01;H1;\n"
                            "EVA-5;Eva Utan;norr;;H5;\n";
    HttpClient c(server_->port());
    auto imported = c.Request("POST", "/api/v1/register", csv, {{"Content-Type", "text/csv"}, {"Authorization", "Bearer " + admin_}});
    ASSERT_EQ(imported.status, 200) << imported.body;
    // A process with three budgets: norr (register, district norr, 12 and over), hus (register,
    // one ballot a household) and open (any account).
    json register_norr = {{"register", true}, {"districts", {"norr"}}, {"min_age", 12}};
    json body = {{"slug", "pb"}, {"title", "Medborgarbudget"}, {"phase", "proposals"},
                 {"budgets",
                  {{{"slug", "norr"}, {"name", "Norr"}, {"amount", 100000}, {"eligibility", register_norr}},
                   {{"slug", "hus"}, {"name", "Huset"}, {"amount", 100000}, {"eligibility", {{"register", true}, {"per", "household"}}}},
                   {{"slug", "open"}, {"name", "Öppen"}, {"amount", 100000}}}}};
    auto created = Api("POST", "/api/v1/processes", body, manager_);
    ASSERT_EQ(created.status, 201) << created.body;
    std::string proposer = Account("proposer");
    for (const char* budget : {"norr", "hus", "open"})
      for (int i = 0; i < 2; ++i) {
        auto p = Api("POST", "/api/v1/processes/pb/proposals",
                     json{{"title", std::string("Projekt ") + budget + std::to_string(i)}, {"body", "Text"}, {"budget", budget}, {"cost", 1000}}, proposer);
        ASSERT_EQ(p.status, 201) << p.body;
        (*projects_)[budget].push_back(json::parse(p.body)["id"].get<int64_t>());
      }
    std::string reviewer = Token("reviewer@example.se");
    ASSERT_EQ(Api("PATCH", "/api/v1/processes/pb", json{{"phase", "review"}}, manager_).status, 200);
    for (const auto& [budget, ids] : *projects_)
      for (int64_t id : ids)
        ASSERT_EQ(Api("POST", "/api/v1/proposals/" + std::to_string(id) + "/review", json{{"feasible", true}, {"cost", 1000}, {"explanation", "Ok."}},
                      reviewer)
                      .status,
                  200);
    ASSERT_EQ(Api("PATCH", "/api/v1/processes/pb", json{{"phase", "voting"}}, manager_).status, 200);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete db_;
  }

  static std::string Token(const std::string& email, const std::string& password = kPassword) {
    HttpClient c(server_->port());
    auto r = c.Json("POST", "/api/v1/session", json{{"email", email}, {"password", password}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body)["token"].get<std::string>() : "";
  }
  static std::string Account(const std::string& name) {
    HttpClient c(server_->port());
    auto r = c.Json("POST", "/api/v1/users", json{{"email", name + "@example.se"}, {"password", kPassword}, {"name", name}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Token(name + "@example.se");
  }
  static HttpResponse Api(const std::string& method, const std::string& path, const json& body, const std::string& token) {
    HttpClient c(server_->port());
    return c.Json(method, path, body.is_null() ? "" : body.dump(), token);
  }
  static HttpResponse Vote(const std::string& budget, const std::string& token, int choice = 0) {
    return Api("PUT", "/api/v1/processes/pb/budgets/" + budget + "/ballot", json{{"projects", {(*projects_)[budget][choice]}}}, token);
  }
  static HttpResponse Paper(const std::string& budget, const std::string& person_id, int choice = 0, const std::string& token = "") {
    return Api("POST", "/api/v1/processes/pb/budgets/" + budget + "/paper-ballots",
               json{{"person_id", person_id}, {"projects", {(*projects_)[budget][choice]}}}, token.empty() ? staff_ : token);
  }
  // Fresh codes for everyone the process's letters go to: name -> code.
  static std::map<std::string, std::string> Codes(const json& request = json::object()) {
    auto r = Api("POST", "/api/v1/processes/pb/codes", request, manager_);
    EXPECT_EQ(r.status, 201) << r.body;
    std::map<std::string, std::string> out;
    const json body = json::parse(r.body);
    for (const auto& c : body["codes"]) out[c.value("name", "")] = c["code"];
    return out;
  }
  static std::string CodeSession(const std::string& code) {
    auto r = Api("POST", "/api/v1/code-session", json{{"code", code}}, "");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body)["token"].get<std::string>() : "";
  }
  static json Results(const std::string& budget) {
    EXPECT_EQ(Api("POST", "/api/v1/processes/pb/budgets/" + budget + "/count", json::object(), manager_).status, 200);
    return json::parse(Api("GET", "/api/v1/processes/pb/budgets/" + budget + "/results", json(), "").body);
  }
  static std::string Code(const HttpResponse& r) { return r.body.empty() ? "" : json::parse(r.body).value("code", ""); }

  static inline std::string* db_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
  static inline std::string admin_, manager_, staff_, staff2_;
  static inline auto* projects_ = new std::map<std::string, std::vector<int64_t>>();
};

TEST_F(Channels, EligibilityIsShownAndFrozenWhenVotingOpens) {
  auto p = json::parse(Api("GET", "/api/v1/processes/pb", json(), "").body);
  EXPECT_EQ(p["budgets"][0]["eligibility"], json({{"register", true}, {"districts", {"norr"}}, {"min_age", 12}, {"max_age", nullptr}, {"per", "person"}}));
  EXPECT_EQ(p["budgets"][2]["eligibility"], json(nullptr));
  auto frozen = Api("PATCH", "/api/v1/processes/pb", json{{"budgets", {{{"slug", "norr"}, {"eligibility", {{"register", true}}}}}}}, manager_);
  EXPECT_EQ(frozen.status, 422) << frozen.body;
  auto all = Api("PATCH", "/api/v1/processes/pb", json{{"eligibility", nullptr}}, manager_);
  EXPECT_EQ(all.status, 422) << all.body;
  // Bad rules are refused with the field named.
  for (const json& bad : {json{{"districts", {"norr"}}}, json{{"register", "yes"}}, json{{"register", true}, {"min_age", -1}},
                          json{{"register", true}, {"min_age", 30}, {"max_age", 20}}, json{{"register", true}, {"per", "family"}},
                          json{{"register", true}, {"colour", "red"}}, json("everyone")}) {
    json body = {{"slug", "bad-elig"}, {"title", "X"}, {"budgets", {{{"slug", "b"}, {"name", "B"}, {"amount", 1}, {"eligibility", bad}}}}};
    auto r = Api("POST", "/api/v1/processes", body, manager_);
    EXPECT_EQ(r.status, 422) << bad.dump() << " -> " << r.body;
  }
  // The process page says who may vote, in words.
  HttpClient c(server_->port());
  auto page = c.Get("/processes/pb");
  EXPECT_NE(page.body.find("Personer i registret som är 12 år eller äldre och bor i norr."), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("En röst per hushåll."), std::string::npos);
  EXPECT_NE(page.body.find("/vote-with-code"), std::string::npos);
}

TEST_F(Channels, AnUnverifiedAccountMayVoteOnlyWhereAnyAccountMay) {
  std::string token = Account("unverified");
  auto refused = Vote("norr", token);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(Code(refused), "voting.not_eligible.register");
  EXPECT_NE(json::parse(refused.body)["error"].get<std::string>().find("registret"), std::string::npos) << "in the voter's language (sv)";
  EXPECT_EQ(Vote("open", token).status, 200);
}

TEST_F(Channels, CodesVoteWithoutAnAccountAndRefuseByDistrictAndAge) {
  auto codes = Codes({{"budget", "norr"}});
  // Only people who may vote in norr today get a letter: not Bo (söder), not Dan (11), not Eva (no birth date).
  EXPECT_EQ(codes.size(), 2u);
  EXPECT_TRUE(codes.count("Anna Berg") && codes.count("Cia Berg"));
  for (const auto& [name, code] : codes) {
    EXPECT_EQ(code.size(), 14u);
    EXPECT_EQ(code.find_first_of("01OIl"), std::string::npos) << code;
  }
  auto all = Codes();
  ASSERT_EQ(all.size(), 5u) << "everyone may vote in hus (no district or age rule there)";
  // Anna's new letter replaces the one before: the old code no longer works.
  auto old = Api("POST", "/api/v1/code-session", json{{"code", codes["Anna Berg"]}}, "");
  EXPECT_EQ(old.status, 422) << old.body;
  EXPECT_EQ(Code(old), "codes.wrong");

  // Codes are typed any way: lower case, spaces instead of dashes.
  std::string typed = all["Bo Ek"];
  for (char& ch : typed) ch = ch == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto session = Api("POST", "/api/v1/code-session", json{{"code", typed}}, "");
  ASSERT_EQ(session.status, 200) << session.body;
  auto s = json::parse(session.body);
  EXPECT_EQ(s["process"], "pb");
  EXPECT_EQ(s["budgets"], json({"hus", "open"})) << "Bo lives in söder";
  std::string bo = s["token"];
  auto district = Vote("norr", bo);
  EXPECT_EQ(district.status, 403);
  EXPECT_EQ(Code(district), "voting.not_eligible.district");
  auto voted = Vote("hus", bo);
  ASSERT_EQ(voted.status, 200) << voted.body;
  EXPECT_EQ(json::parse(voted.body)["channel"], "code");
  auto again = Api("GET", "/api/v1/processes/pb/budgets/hus/ballot", json(), bo);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["projects"], json({(*projects_)["hus"][0]}));

  std::string dan = CodeSession(all["Dan Ung"]);
  auto young = Vote("norr", dan);
  EXPECT_EQ(young.status, 403);
  EXPECT_EQ(Code(young), "voting.not_eligible.age");
  // A forged or altered token is no voter.
  std::string forged = bo;
  forged[2] = forged[2] == '9' ? '8' : '9';
  EXPECT_EQ(Vote("hus", forged).status, 401);
}

TEST_F(Channels, OneBallotPerHouseholdAndPerPersonAcrossDoors) {
  auto codes = Codes({{"budget", "hus"}});
  std::string anna = CodeSession(codes["Anna Berg"]), cia = CodeSession(codes["Cia Berg"]);
  ASSERT_EQ(Vote("hus", anna, 0).status, 200);
  ASSERT_EQ(Vote("hus", anna, 1).status, 200) << "a voter changes their own ballot";
  auto other = Vote("hus", cia);
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(Code(other), "voting.household_voted");
  // Nor may Cia see Anna's ballot, or replace it on paper.
  EXPECT_EQ(Code(Api("GET", "/api/v1/processes/pb/budgets/hus/ballot", json(), cia)), "voting.household_voted");
  auto cia_paper = Paper("hus", "19800101-0004");
  EXPECT_EQ(cia_paper.status, 409) << cia_paper.body;
  EXPECT_EQ(Code(cia_paper), "voting.household_voted");
  EXPECT_EQ(json::parse(Api("GET", "/api/v1/processes/pb/budgets/hus/ballot", json(), anna).body)["projects"], json({(*projects_)["hus"][1]}));

  // Anna verifies an account with her code: the account votes as Anna, one ballot with the code's.
  std::string account = Account("anna");
  auto verified = Api("POST", "/api/v1/account/verification", json{{"code", codes["Anna Berg"]}}, account);
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(json::parse(verified.body)["name"], "Anna Berg");
  ASSERT_EQ(Vote("norr", anna, 0).status, 200);
  ASSERT_EQ(Vote("norr", account, 1).status, 200);
  auto mine = json::parse(Api("GET", "/api/v1/processes/pb/budgets/norr/ballot", json(), anna).body);
  EXPECT_EQ(mine["projects"], json({(*projects_)["norr"][1]})) << "the same ballot, whichever door";
  // Also where any account may vote: a verified account and the person's code share one ballot.
  ASSERT_EQ(Vote("open", account, 0).status, 200);
  ASSERT_EQ(Vote("open", anna, 1).status, 200);
  EXPECT_EQ(json::parse(Api("GET", "/api/v1/processes/pb/budgets/open/ballot", json(), account).body)["projects"],
            json({(*projects_)["open"][1]}));
  // A person has at most one account, and an account one person.
  std::string second = Account("anna-again");
  auto twice = Api("POST", "/api/v1/account/verification", json{{"code", codes["Anna Berg"]}}, second);
  EXPECT_EQ(twice.status, 409) << twice.body;
  auto staff_link = Api("POST", "/api/v1/residents/verifications", json{{"person_id", "198001010004"}, {"email", "anna@example.se"}}, staff_);
  EXPECT_EQ(staff_link.status, 409) << staff_link.body;

  // Anna comes to the library: her paper ballot replaces the online one; then online is refused.
  auto paper = Paper("norr", "19800101-0001", 0);
  ASSERT_EQ(paper.status, 201) << paper.body;
  auto late = Vote("norr", account, 1);
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(Code(late), "voting.paper_recorded");
  auto second_paper = Paper("norr", "198001010001", 1);
  EXPECT_EQ(second_paper.status, 409);
  EXPECT_EQ(Code(second_paper), "voting.paper_twice");
  auto stored = json::parse(Api("GET", "/api/v1/processes/pb/budgets/norr/ballot", json(), account).body);
  EXPECT_EQ(stored["channel"], "paper");
  EXPECT_EQ(stored["projects"], json({(*projects_)["norr"][0]}));
  // Staff find people by name and birth date too; nobody matching is 404; residents are no staff.
  EXPECT_EQ(Api("POST", "/api/v1/processes/pb/budgets/open/paper-ballots",
                json{{"name", "cia berg"}, {"birth_date", "1980-01-01"}, {"projects", {(*projects_)["open"][0]}}}, staff_)
                .status,
            201);
  EXPECT_EQ(Paper("open", "19990909-9999").status, 404);
  EXPECT_EQ(Paper("open", "19800101-0002", 0, account).status, 403);
  // Eligibility holds at the desk as online.
  auto young = Paper("norr", "DAN-3");
  EXPECT_EQ(young.status, 403);
  EXPECT_EQ(Code(young), "voting.not_eligible.age");
}

TEST_F(Channels, AStaffDeskVerifiesAnAccountAndTheSamePersonAtOnceGivesOneBallot) {
  std::string eva = Account("eva");
  auto linked = Api("POST", "/api/v1/residents/verifications", json{{"person_id", "eva-5"}, {"email", "eva@example.se"}}, staff_);
  ASSERT_EQ(linked.status, 201) << linked.body;
  auto status = json::parse(Api("GET", "/api/v1/account/verification", json(), eva).body);
  EXPECT_EQ(status["verified"], true);
  // Eva online and at the desk at the same moment, many times over: one ballot, and the paper
  // ballot wins whichever came first.
  std::atomic<int> online_ok{0}, paper_ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (Vote("hus", eva, i % 2).status == 200) ++online_ok;
    });
    threads.emplace_back([&, i] {
      if (Paper("hus", "EVA-5", i % 2, i % 2 ? staff_ : staff2_).status == 201) ++paper_ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(paper_ok.load(), 1) << "exactly one paper ballot";
  auto stored = json::parse(Api("GET", "/api/v1/processes/pb/budgets/hus/ballot", json(), eva).body);
  EXPECT_EQ(stored["channel"], "paper");
}

TEST_F(Channels, AnonymousPaperBatchesCountWhenTwoStaffAgree) {
  const std::string path = "/api/v1/processes/pb/budgets/open/paper-batches";
  const auto& p = (*projects_)["open"];
  // Ten ballots: enough for the projects CSV to show the batch channel's votes.
  json batch = {{"batch", "B-17"}, {"ballots", {{{"projects", {p[0]}}}, {{"projects", {p[0], p[1]}}}, {{"projects", json::array()}}}}};
  for (int i = 0; i < 7; ++i) batch["ballots"].push_back({{"projects", {p[1]}}});
  auto first = Api("POST", path, batch, staff_);
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(json::parse(first.body)["status"], "waiting");
  json typo = batch;
  typo["ballots"][1] = {{"projects", {p[1]}}};
  auto differs = Api("POST", path, typo, staff2_);
  ASSERT_EQ(differs.status, 409) << differs.body;
  auto d = json::parse(differs.body);
  EXPECT_EQ(d["status"], "mismatch");
  ASSERT_EQ(d["mismatches"].size(), 1u);
  EXPECT_EQ(d["mismatches"][0]["ballot"], 2);
  auto agreed = Api("POST", path, batch, staff2_);
  ASSERT_EQ(agreed.status, 201) << agreed.body;
  EXPECT_EQ(json::parse(agreed.body)["status"], "counted");
  EXPECT_EQ(Api("POST", path, batch, staff_).status, 409) << "a counted batch is closed";
  auto bad = Api("POST", path, json{{"batch", "B-18"}, {"ballots", {{{"projects", {999999}}}}}}, staff_);
  EXPECT_EQ(bad.status, 422) << bad.body;
  auto list = json::parse(Api("GET", path, json(), staff_).body);
  EXPECT_EQ(list["batches"][0], json({{"batch", "B-17"}, {"entries", 2}, {"status", "counted"}, {"ballots", 10}}));
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/pb", json{{"phase", "results"}}, manager_).status, 200);
  auto results = Results("open");
  EXPECT_EQ(results["channels"]["batch"], 10) << results.dump();
  HttpClient c(server_->port());
  auto csv = c.Get("/api/v1/processes/pb/budgets/open/export.csv").body;
  auto row = [&](int64_t id) {
    auto at = csv.find("\r\n" + std::to_string(id) + ",");
    return at == std::string::npos ? std::string() : csv.substr(at + 2, csv.find("\r\n", at + 2) - at - 2);
  };
  EXPECT_TRUE(row(p[0]).ends_with(",,,,2")) << "votes_batch of project 0: " << row(p[0]);
  EXPECT_TRUE(row(p[1]).ends_with(",,,,8")) << row(p[1]);
  auto closed = Api("POST", path, json{{"batch", "B-19"}, {"ballots", {{{"projects", {p[0]}}}}}}, staff_);
  EXPECT_EQ(closed.status, 409) << "not after voting: " << closed.body;
}

TEST_F(Channels, WrongCodesAreLimitedPerAddress) {
  // Well-formed or not, 20 failures in 10 minutes from one address, then 429 with Retry-After.
  ServerProcess own(*db_);  // its own limits, whatever other tests have tried
  auto post = [&](const std::string& code) {
    HttpClient c(own.port());
    return c.Json("POST", "/api/v1/code-session", json{{"code", code}}.dump());
  };
  int refused = 0;
  for (int i = 0; i < 20; ++i) refused += post(i % 2 ? "K7QF-M2XP-9RTA" : "not a code").status == 422;
  EXPECT_EQ(refused, 20);
  auto limited = post("K7QF-M2XP-9RTA");
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.Header("retry-after").empty());
}

TEST_F(Channels, ALostLetterAndAReImportKeepEveryoneElsesWayIn) {
  auto codes = Codes();
  std::string account = Account("cia");
  ASSERT_EQ(Api("POST", "/api/v1/account/verification", json{{"code", codes["Cia Berg"]}}, account).status, 200);
  // Anna lost her letter: a new one for her alone; her old code stops working, Bo's does not.
  auto one = Api("POST", "/api/v1/processes/pb/codes", json{{"person_id", "19800101-0001"}}, manager_);
  ASSERT_EQ(one.status, 201) << one.body;
  auto letter = json::parse(one.body)["codes"];
  ASSERT_EQ(letter.size(), 1u);
  EXPECT_EQ(letter[0]["name"], "Anna Berg");
  EXPECT_EQ(Code(Api("POST", "/api/v1/code-session", json{{"code", codes["Anna Berg"]}}, "")), "codes.wrong");
  EXPECT_EQ(Api("POST", "/api/v1/code-session", json{{"code", letter[0]["code"]}}, "").status, 200);
  // A new letter for Cia unlinks the account verified with her old one (it may have been stolen).
  ASSERT_EQ(Api("POST", "/api/v1/processes/pb/codes", json{{"person_id", "19800101-0004"}}, manager_).status, 201);
  EXPECT_EQ(json::parse(Api("GET", "/api/v1/account/verification", json(), account).body)["verified"], false);
  ASSERT_EQ(Api("POST", "/api/v1/residents/verifications", json{{"person_id", "19800101-0004"}, {"email", "cia@example.se"}}, staff_).status, 201)
      << "the desk links it again";
  EXPECT_EQ(Api("POST", "/api/v1/processes/pb/codes", json{{"person_id", "19990909-9999"}}, manager_).status, 404);
  EXPECT_EQ(Api("POST", "/api/v1/processes/pb/codes", json{{"person_id", "DAN-3"}, {"budget", "norr"}}, manager_).status, 422) << "too young for norr";
  // A new register without Bo and Cia: their codes and Cia's verified account go; Eva's code stays.
  HttpClient c(server_->port());
  auto reimport = c.Request("POST", "/api/v1/register",
                            "person_id;name;district;birth_date;household\n19800101-0001;Anna Berg;norr;1980-01-01;H1\nEVA-5;Eva Utan;norr;;H5\n",
                            {{"Content-Type", "text/csv"}, {"Authorization", "Bearer " + admin_}});
  ASSERT_EQ(reimport.status, 200) << reimport.body;
  EXPECT_EQ(json::parse(reimport.body), json({{"imported", 0}, {"updated", 2}, {"removed", 3}}));
  EXPECT_EQ(Code(Api("POST", "/api/v1/code-session", json{{"code", codes["Bo Ek"]}}, "")), "codes.wrong");
  EXPECT_EQ(Api("POST", "/api/v1/code-session", json{{"code", codes["Eva Utan"]}}, "").status, 200);
  EXPECT_EQ(json::parse(Api("GET", "/api/v1/account/verification", json(), account).body)["verified"], false);
  auto refused = Vote("hus", account);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(Code(refused), "voting.not_eligible.register");
}

TEST_F(Channels, ResultsAndTheExportShowBallotsPerChannel) {
  auto codes = Codes({{"budget", "norr"}});
  ASSERT_EQ(Vote("norr", CodeSession(codes["Cia Berg"])).status, 200);
  ASSERT_EQ(Vote("norr", CodeSession(codes["Anna Berg"])).status, 200);
  ASSERT_EQ(Paper("norr", "19800101-0001", 1).status, 201) << "replaces Anna's code ballot";
  ASSERT_EQ(Vote("open", Account("someone")).status, 200);
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/pb", json{{"phase", "results"}}, manager_).status, 200);
  auto r = Results("norr");
  EXPECT_EQ(r["ballots"], 2) << "the number of distinct people who voted";
  EXPECT_EQ(r["channels"], json({{"code", 1}, {"paper", 1}}));
  int64_t sum = 0;
  for (const auto& [channel, n] : r["channels"].items()) sum += n.get<int64_t>();
  EXPECT_EQ(sum, r["ballots"].get<int64_t>()) << r.dump();
  EXPECT_GE(r["channels"].value("paper", 0), 1);
  HttpClient c(server_->port());
  auto pb = c.Get("/api/v1/processes/pb/budgets/norr/export.pb");
  ASSERT_EQ(pb.status, 200);
  EXPECT_NE(pb.body.find("channels;code:1,paper:1"), std::string::npos) << pb.body;
  EXPECT_NE(pb.body.find("voter_id;vote\n"), std::string::npos) << "no channel per ballot: " << pb.body;
  EXPECT_EQ(pb.body.find("a:"), std::string::npos) << "no voter keys in open data";
  // The projects CSV: votes per channel for each project, left empty for a channel of fewer than
  // 10 ballots (here one code ballot and one paper ballot: one person's choices each).
  auto csv = c.Get("/api/v1/processes/pb/budgets/norr/export.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("votes_online,votes_code,votes_desk,votes_paper,votes_batch\r\n"), std::string::npos) << csv.body;
  const std::string p0 = std::to_string((*projects_)["norr"][0]), p1 = std::to_string((*projects_)["norr"][1]);
  auto row = [&](const std::string& id) {
    auto at = csv.body.find("\r\n" + id + ",");
    return at == std::string::npos ? std::string() : csv.body.substr(at + 2, csv.body.find("\r\n", at + 2) - at - 2);
  };
  EXPECT_TRUE(row(p0).ends_with(",,,,,")) << row(p0);
  EXPECT_TRUE(row(p1).ends_with(",,,,,")) << row(p1);
}

}  // namespace
}  // namespace ting::testing

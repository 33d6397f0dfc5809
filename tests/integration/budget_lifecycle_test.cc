// A participatory budget from set-up to follow-up, over real HTTP against the real binary.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "http_client.h"

namespace ting::testing {
namespace {

using json = nlohmann::json;

class BudgetLifecycle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(TempPath("lifecycle.db"));
    std::string out;
    for (auto [email, role] : {std::pair{"manager@example.se", "manager"}, {"reviewer@example.se", "reviewer"}}) {
      ASSERT_EQ(RunTing({"user", "add", "--db", *db_, "--email", email, "--password", "a long test password", "--role", role}, &out), 0) << out;
    }
    server_ = new ServerProcess(*db_);
    HttpClient c(server_->port());
    manager_ = new std::string(Token(c, "manager@example.se"));
    reviewer_ = new std::string(Token(c, "reviewer@example.se"));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete db_;
    delete manager_;
    delete reviewer_;
  }

  static std::string Token(HttpClient& c, const std::string& email) {
    auto r = c.Json("POST", "/api/v1/session", json{{"email", email}, {"password", "a long test password"}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["token"];
  }

  // A new resident with an API token.
  static std::string Resident(const std::string& name) {
    HttpClient c(server_->port());
    std::string email = name + "@example.se";
    auto r = c.Json("POST", "/api/v1/users", json{{"email", email}, {"password", "resident password 1"}, {"name", name}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    auto s = c.Json("POST", "/api/v1/session", json{{"email", email}, {"password", "resident password 1"}}.dump());
    return json::parse(s.body)["token"];
  }

  static HttpResponse Api(const std::string& method, const std::string& path, const json& body, const std::string& token) {
    HttpClient c(server_->port());
    return c.Json(method, path, body.is_null() ? "" : body.dump(), token);
  }

  // Creates a process with one budget and `costs.size()` feasible projects; returns their ids.
  static std::vector<int64_t> SetUp(const std::string& slug, const json& ballot, const std::string& rule, int64_t amount,
                                    const std::vector<int64_t>& costs) {
    json body = {{"slug", slug}, {"title", {{"sv", "Test " + slug}, {"en", "Test " + slug}}}, {"phase", "proposals"},
                 {"budgets", json::array({{{"slug", "b"}, {"name", "B"}, {"amount", amount}, {"currency", "SEK"}, {"ballot", ballot}, {"rule", rule}}})}};
    auto created = Api("POST", "/api/v1/processes", body, *manager_);
    EXPECT_EQ(created.status, 201) << created.body;
    std::string proposer = Resident("proposer-" + slug);
    std::vector<int64_t> ids;
    for (size_t i = 0; i < costs.size(); ++i) {
      auto p = Api("POST", "/api/v1/processes/" + slug + "/proposals",
                   json{{"title", "Projekt " + std::to_string(i + 1)}, {"body", "Beskrivning"}, {"budget", "b"}, {"cost", costs[i]}}, proposer);
      EXPECT_EQ(p.status, 201) << p.body;
      ids.push_back(json::parse(p.body)["id"].get<int64_t>());
    }
    EXPECT_EQ(Api("PATCH", "/api/v1/processes/" + slug, json{{"phase", "review"}}, *manager_).status, 200);
    for (size_t i = 0; i < ids.size(); ++i) {
      auto r = Api("POST", "/api/v1/proposals/" + std::to_string(ids[i]) + "/review",
                   json{{"feasible", true}, {"cost", costs[i]}, {"explanation", "Genomförbart."}}, *reviewer_);
      EXPECT_EQ(r.status, 200) << r.body;
    }
    EXPECT_EQ(Api("PATCH", "/api/v1/processes/" + slug, json{{"phase", "voting"}}, *manager_).status, 200);
    return ids;
  }

  static std::string Ballot(const std::string& slug) { return "/api/v1/processes/" + slug + "/budgets/b/ballot"; }

  static std::string* db_;
  static ServerProcess* server_;
  static std::string* manager_;
  static std::string* reviewer_;
};
std::string* BudgetLifecycle::db_ = nullptr;
ServerProcess* BudgetLifecycle::server_ = nullptr;
std::string* BudgetLifecycle::manager_ = nullptr;
std::string* BudgetLifecycle::reviewer_ = nullptr;

TEST_F(BudgetLifecycle, GreedyApprovalFromVotesToResultsAndExports) {
  auto ids = SetUp("greedy", json{{"type", "approval"}, {"max", 2}}, "greedy", 1000, {600, 500, 300});
  // Votes: p0 by 3, p1 by 2, p2 by 2  → greedy: p0 (600), p1 does not fit (400 left), p2 (300).
  std::vector<std::vector<int64_t>> ballots = {{ids[0], ids[1]}, {ids[0], ids[2]}, {ids[0], ids[1]}, {ids[2]}};
  for (size_t i = 0; i < ballots.size(); ++i) {
    std::string t = Resident("greedy-voter" + std::to_string(i));
    auto r = Api("PUT", Ballot("greedy"), json{{"projects", ballots[i]}}, t);
    ASSERT_EQ(r.status, 200) << r.body;
    auto back = Api("GET", Ballot("greedy"), json(), t);
    ASSERT_EQ(back.status, 200);
    EXPECT_EQ(json::parse(back.body)["projects"].size(), ballots[i].size());
  }
  std::string late = Resident("greedy-late");
  EXPECT_EQ(Api("GET", Ballot("greedy"), json(), late).status, 404) << "no ballot yet";
  EXPECT_EQ(Api("PUT", Ballot("greedy"), json{{"projects", {ids[0], ids[1], ids[2]}}}, late).status, 422) << "max 2";
  EXPECT_EQ(Api("PUT", Ballot("greedy"), json{{"projects", {999999}}}, late).status, 422);
  EXPECT_EQ(Api("PUT", Ballot("greedy"), json{{"projects", {ids[0]}}}, "").status, 401);
  EXPECT_EQ(Api("POST", "/api/v1/processes/greedy/budgets/b/count", json::object(), *manager_).status, 409) << "voting still open";
  EXPECT_EQ(Api("PATCH", "/api/v1/processes/greedy", json{{"budgets", {{{"slug", "b"}, {"rule", "mes"}}}}}, *manager_).status, 422)
      << "the rule is frozen once voting has opened";

  ASSERT_EQ(Api("PATCH", "/api/v1/processes/greedy", json{{"phase", "results"}}, *manager_).status, 200);
  EXPECT_EQ(Api("PUT", Ballot("greedy"), json{{"projects", {ids[0]}}}, late).status, 409) << "voting has closed";
  EXPECT_EQ(Api("POST", "/api/v1/processes/greedy/budgets/b/count", json::object(), Resident("greedy-nosy")).status, 403);
  auto counted = Api("POST", "/api/v1/processes/greedy/budgets/b/count", json::object(), *manager_);
  ASSERT_EQ(counted.status, 200) << counted.body;
  auto result = json::parse(Api("GET", "/api/v1/processes/greedy/budgets/b/results", json(), "").body);
  EXPECT_EQ(result["rule"], "greedy");
  EXPECT_EQ(result["ballots"], 4);
  EXPECT_EQ(result["selected"], json({ids[0], ids[2]}));
  bool explained = false;
  for (const auto& p : result["projects"]) {
    EXPECT_FALSE(p["explanation"].get<std::string>().empty());
    if (p["id"] == ids[1]) {
      EXPECT_FALSE(p["funded"].get<bool>());
      // 400 öre were left when its turn came: the numbers, and the sentence in money ("4 kr").
      explained = p["explanation_data"]["left"] == "400" && p["explanation"].get<std::string>().find("4\u00a0kr") != std::string::npos;
    }
  }
  EXPECT_TRUE(explained) << "the unfunded project says how much was left: " << result.dump();

  // The Pabulib export counts to the same result with the counting engine.
  HttpClient c(server_->port());
  auto pb = c.Get("/api/v1/processes/greedy/budgets/b/export.pb");
  ASSERT_EQ(pb.status, 200);
  std::string path = TempPath("greedy.pb");
  std::ofstream(path) << pb.body;
  std::string out;
  ASSERT_EQ(RunTing({"count", path, "--rule", "greedy", "--json"}, &out), 0) << out;
  auto recount = json::parse(out.substr(out.find('{')));
  EXPECT_EQ(recount["selected"], json({std::to_string(ids[0]), std::to_string(ids[2])}));
  EXPECT_EQ(pb.body.find("greedy-voter"), std::string::npos) << "voters are anonymised";
  auto csv = c.Get("/api/v1/processes/greedy/budgets/b/export.csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("project_id,title,cost,votes,funded"), std::string::npos);

  auto page = c.Get("/processes/greedy/results/b");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<svg class=\"chart\""), std::string::npos);
}

TEST_F(BudgetLifecycle, KnapsackOverBudgetIsRefusedAndChangingReplaces) {
  auto ids = SetUp("knapsack", json{{"type", "knapsack"}}, "greedy", 1000, {600, 500});
  std::string t = Resident("knapsack-voter");
  auto over = Api("PUT", Ballot("knapsack"), json{{"projects", {ids[0], ids[1]}}}, t);
  EXPECT_EQ(over.status, 422);
  EXPECT_FALSE(json::parse(over.body)["error"].get<std::string>().empty());
  EXPECT_EQ(Api("PUT", Ballot("knapsack"), json{{"projects", {ids[0]}}}, t).status, 200);
  EXPECT_EQ(Api("PUT", Ballot("knapsack"), json{{"projects", {ids[1]}}}, t).status, 200);
  auto back = json::parse(Api("GET", Ballot("knapsack"), json(), t).body);
  EXPECT_EQ(back["projects"], json({ids[1]})) << "the latest ballot replaces the earlier one";
}

TEST_F(BudgetLifecycle, ConcurrentSubmissionsByOneVoterLeaveExactlyOneBallot) {
  auto ids = SetUp("concurrent", json{{"type", "approval"}, {"max", 1}}, "greedy", 1000, {100, 200, 300});
  std::string t = Resident("concurrent-voter");
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 24; ++i)
    threads.emplace_back([&, i] {
      if (Api("PUT", Ballot("concurrent"), json{{"projects", {ids[i % 3]}}}, t).status == 200) ok++;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 24);
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/concurrent", json{{"phase", "results"}}, *manager_).status, 200);
  auto counted = json::parse(Api("POST", "/api/v1/processes/concurrent/budgets/b/count", json::object(), *manager_).body);
  EXPECT_EQ(counted["ballots"], 1) << "one voter, one ballot, however many requests raced";
}

TEST_F(BudgetLifecycle, CumulativeAndMesCount) {
  auto ids = SetUp("cumulative", json{{"type", "cumulative"}, {"points", 10}}, "mes", 1000, {400, 400, 400});
  EXPECT_EQ(Api("PUT", Ballot("cumulative"), json{{"points", {{std::to_string(ids[0]), 11}}}}, Resident("cum-greedy")).status, 422);
  for (int i = 0; i < 6; ++i)
    ASSERT_EQ(Api("PUT", Ballot("cumulative"), json{{"points", {{std::to_string(ids[i % 3]), 6}, {std::to_string(ids[(i + 1) % 3]), 4}}}},
                  Resident("cum" + std::to_string(i))).status, 200);
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/cumulative", json{{"phase", "results"}}, *manager_).status, 200);
  auto counted = Api("POST", "/api/v1/processes/cumulative/budgets/b/count", json::object(), *manager_);
  ASSERT_EQ(counted.status, 200) << counted.body;
  auto result = json::parse(counted.body);
  EXPECT_EQ(result["rule"], "mes");
  EXPECT_EQ(result["selected"].size(), 2u) << "two of three 400s fit in 1000";
  EXPECT_LE(result["spent"].get<int64_t>(), 1000);
}

}  // namespace
}  // namespace ting::testing

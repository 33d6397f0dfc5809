// The security and integrity release over real HTTP: each finding of the probe and its class.
// Another organisation's ids on every state-changing route, ill-formed UTF-8 at every input,
// wrong JSON types everywhere, the ballot frozen while people vote, and the smaller holes.

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>

#include "http_client.h"

namespace ting::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kPassword = "a long test password";
constexpr const char* kHostB = "b.example";

class Security : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(TempPath("security.db"));
    std::string out;
    auto ting = [&](std::vector<std::string> args) { ASSERT_EQ(RunTing(args, &out), 0) << out; };
    ting({"user", "add", "--db", *db_, "--email", "admin-a@example.se", "--password", kPassword, "--role", "admin"});
    ting({"org", "add", "--db", *db_, "--slug", "b", "--name", "B kommun", "--host", kHostB});
    ting({"user", "add", "--db", *db_, "--email", "admin-b@example.se", "--password", kPassword, "--role", "admin", "--org", "b"});
    for (const char* who : {"resident-a", "resident-b", "resident-c", "resident-d"})
      ting({"user", "add", "--db", *db_, "--email", std::string(who) + "@example.se", "--password", kPassword});
    std::string config = TempPath("security.json");
    std::ofstream(config) << R"({"registrations_per_ip_per_hour": 4, "cookies_secure": true})";
    server_ = new ServerProcess(*db_, {"--config", config});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete db_;
  }

  static HttpResponse Api(const std::string& method, const std::string& path, const json& body, const std::string& token,
                          const std::string& host = "") {
    std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    if (!host.empty()) headers["Host"] = host;
    return HttpClient(server_->port()).Request(method, path, body.is_null() ? "" : body.dump(), headers);
  }
  static std::string Token(const std::string& email) {
    auto r = Api("POST", "/api/v1/session", json{{"email", email}, {"password", kPassword}}, "");
    return r.status == 200 ? json::parse(r.body)["token"].get<std::string>() : "";
  }
  // A browser signed in on the default organisation's host.
  static std::unique_ptr<HttpClient> Browser(const std::string& email) {
    auto c = std::make_unique<HttpClient>(server_->port());
    auto form = c->Get("/sign-in");
    EXPECT_EQ(c->PostForm("/sign-in", {{"csrf", FormValue(form.body, "csrf")}, {"email", email}, {"password", kPassword}}).status, 303);
    return c;
  }
  static HttpResponse Form(HttpClient& c, const std::string& path, std::vector<std::pair<std::string, std::string>> fields) {
    auto page = c.Get("/");
    fields.insert(fields.begin(), {"csrf", FormValue(page.body, "csrf")});
    return c.PostForm(path, fields);
  }
  static int64_t Id(const HttpResponse& r) { return r.status / 100 == 2 ? json::parse(r.body)["id"].get<int64_t>() : 0; }
  static void MakeProcess(const std::string& slug, const std::string& token, const std::string& host, const std::string& ballot = "approval") {
    json body = {{"slug", slug}, {"title", "Process " + slug}, {"phase", "proposals"},
                 {"budgets", {{{"slug", "b"}, {"name", "B"}, {"amount", 1000000}, {"ballot", {{"type", ballot}}}}}}};
    ASSERT_EQ(Api("POST", "/api/v1/processes", body, token, host).status, 201);
  }
  static int64_t Propose(const std::string& process, const std::string& title, const std::string& token, const std::string& host = "") {
    auto r = Api("POST", "/api/v1/processes/" + process + "/proposals", json{{"title", title}, {"body", "Text"}, {"budget", "b"}, {"cost", 5000}},
                 token, host);
    EXPECT_EQ(r.status, 201) << r.body;
    return Id(r);
  }

  static std::string* db_;
  static ServerProcess* server_;
};
std::string* Security::db_ = nullptr;
ServerProcess* Security::server_ = nullptr;

// Finding 4 and its class: every state-changing route, tried by organisation A's admin (who may
// do everything in A) with organisation B's ids in the path and the body. Each is refused and
// B's data is exactly as before.
TEST_F(Security, NoRouteActsOnAnotherOrganisationsIds) {
  std::string admin_a = Token("admin-a@example.se"), admin_b = Token("admin-b@example.se");
  std::string res_a = Token("resident-a@example.se"), res_b = Token("resident-b@example.se");
  ASSERT_FALSE(admin_a.empty() || admin_b.empty() || res_a.empty() || res_b.empty());
  MakeProcess("pa", admin_a, "");
  MakeProcess("pb", admin_b, kHostB);
  int64_t a1 = Propose("pa", "A ett", res_a), a2 = Propose("pa", "A två", res_a);
  int64_t b1 = Propose("pb", "B ett", res_b, kHostB);
  auto cb = Api("POST", "/api/v1/proposals/" + std::to_string(b1) + "/comments", json{{"body", "B:s kommentar"}}, res_b, kHostB);
  ASSERT_EQ(cb.status, 201) << cb.body;
  int64_t comment_b = Id(cb);
  int64_t admin_b_id = json::parse(Api("GET", "/api/v1/me", json(), admin_b, kHostB).body)["id"];
  int64_t res_a_id = json::parse(Api("GET", "/api/v1/me", json(), res_a).body)["id"];

  auto nb = Api("POST", "/api/v1/newsletters", json{{"subject", "B:s nyhetsbrev"}, {"body", "Hej"}}, admin_b, kHostB);
  ASSERT_EQ(nb.status, 201) << nb.body;
  const std::string NB = std::to_string(Id(nb));
  // An assembly in each organisation; B's has a volunteer and a session.
  const json assembly = {{"title", "Rådet"}, {"question", "Vad?"}, {"panel_size", 1}, {"registration", "open"},
                         {"features", {{"kön", {{"kvinna", {{"min", 0}, {"max", 1}}}, {"man", {{"min", 0}, {"max", 1}}}}}}}};
  json assembly_a = assembly, assembly_b = assembly;
  assembly_a["slug"] = "aa";
  assembly_b["slug"] = "ab";
  ASSERT_EQ(Api("POST", "/api/v1/assemblies", assembly_a, admin_a).status, 201);
  ASSERT_EQ(Api("POST", "/api/v1/assemblies", assembly_b, admin_b, kHostB).status, 201);
  const json volunteer = {{"name", "B:s volontär"}, {"phone", "070-1"}, {"answers", {{"kön", "man"}}}, {"consent", true}};
  auto vb = Api("POST", "/api/v1/assemblies/ab/volunteers", volunteer, "", kHostB);
  ASSERT_EQ(vb.status, 201) << vb.body;
  const std::string VB = std::to_string(Id(vb));
  auto sb = Api("POST", "/api/v1/assemblies/ab/sessions", json{{"title", "B:s möte"}, {"starts_at", "2027-01-01T18:00"}}, admin_b, kHostB);
  ASSERT_EQ(sb.status, 201) << sb.body;
  const std::string SB = std::to_string(Id(sb));
  auto mb = Api("POST", "/api/v1/processes/pb/meetings",
                json{{"title", "B:s informationskväll"}, {"starts_at", "2099-01-01T18:00"}, {"sign_up", true}}, admin_b, kHostB);
  ASSERT_EQ(mb.status, 201) << mb.body;
  const std::string MB = std::to_string(Id(mb));
  // A group that proposes in each organisation; B's has an open invitation link.
  ASSERT_EQ(Api("POST", "/api/v1/groups", json{{"name", "A:s klass"}, {"slug", "ga"}}, res_a).status, 201);
  ASSERT_EQ(Api("POST", "/api/v1/groups", json{{"name", "B:s klass"}, {"slug", "gb"}}, res_b, kHostB).status, 201);
  auto invitation_b = Api("POST", "/api/v1/groups/gb/invitations", json::object(), res_b, kHostB);
  ASSERT_EQ(invitation_b.status, 201) << invitation_b.body;
  const std::string link_b = json::parse(invitation_b.body)["link"];
  const std::string token_b = link_b.substr(link_b.rfind('/') + 1);
  const std::string RES_B = std::to_string(json::parse(Api("GET", "/api/v1/me", json(), res_b, kHostB).body)["id"].get<int64_t>());
  auto snapshot = [&] {
    std::string s = Api("GET", "/api/v1/proposals/" + std::to_string(b1), json(), admin_b, kHostB).body;
    s += Api("GET", "/api/v1/assemblies/ab", json(), admin_b, kHostB).body;
    s += Api("GET", "/api/v1/assemblies/ab/volunteers", json(), admin_b, kHostB).body;
    s += Api("GET", "/api/v1/assemblies/ab/sessions", json(), admin_b, kHostB).body;
    s += Api("GET", "/api/v1/processes/pb/meetings", json(), admin_b, kHostB).body;
    s += Api("GET", "/api/v1/newsletters/" + NB, json(), admin_b, kHostB).body;
    s += Api("GET", "/api/v1/proposals/" + std::to_string(b1) + "/comments", json(), admin_b, kHostB).body;
    s += Api("GET", "/api/v1/processes/pb", json(), admin_b, kHostB).body;
    s += Api("GET", "/api/v1/groups/gb", json(), admin_b, kHostB).body;  // members, badge, proposals
    return s;
  };
  const std::string before = snapshot();
  ASSERT_NE(before.find("B:s kommentar"), std::string::npos);

  const std::string B = std::to_string(b1), A = std::to_string(a1), CB = std::to_string(comment_b);
  auto codes_b = Api("POST", "/api/v1/processes/pb/codes", json{{"anonymous", 1}}, admin_b, kHostB);
  ASSERT_EQ(codes_b.status, 201) << codes_b.body;
  const std::string code_b = json::parse(codes_b.body)["codes"][0]["code"];
  struct Attempt {
    std::string method, path;
    json body;
  };
  std::vector<Attempt> api = {
      {"GET", "/api/v1/proposals/" + B, json()},
      {"PATCH", "/api/v1/proposals/" + B, {{"title", "taken"}}},
      {"PATCH", "/api/v1/proposals/" + B, {{"on_ballot", false}, {"reason", "x"}}},
      {"POST", "/api/v1/proposals/" + B + "/withdraw", json::object()},
      {"POST", "/api/v1/proposals/" + B + "/review", {{"feasible", false}, {"explanation", "x"}}},
      {"POST", "/api/v1/proposals/" + B + "/review", {{"action", "revise"}, {"explanation", "x"}}},
      {"POST", "/api/v1/proposals/" + B + "/merge", {{"into", a1}}},
      {"POST", "/api/v1/proposals/" + A + "/merge", {{"into", b1}}},
      {"POST", "/api/v1/proposals/" + B + "/support", json::object()},
      {"DELETE", "/api/v1/proposals/" + B + "/support", json()},
      {"POST", "/api/v1/proposals/" + B + "/comments", {{"body", "x"}}},
      {"POST", "/api/v1/proposals/" + A + "/comments", {{"body", "x"}, {"parent", comment_b}}},
      {"POST", "/api/v1/processes/pb/proposals", {{"title", "x"}, {"body", "x"}, {"budget", "b"}, {"cost", 100}}},
      {"PATCH", "/api/v1/processes/pb", {{"phase", "voting"}}},
      {"PUT", "/api/v1/processes/pb/budgets/b/ballot", {{"projects", {b1}}}},
      {"POST", "/api/v1/processes/pb/budgets/b/count", json::object()},
      {"POST", "/api/v1/processes/pa/followup/" + B, {{"status", "done"}, {"progress", 100}}},
      {"POST", "/api/v1/processes/pb/followup/" + B, {{"status", "done"}, {"progress", 100}}},
      {"POST", "/api/v1/processes/pb/codes", {{"anonymous", 2}}},
      {"POST", "/api/v1/processes/pb/budgets/b/paper-ballots", {{"person_id", "19900101-1234"}, {"projects", {b1}}}},
      {"POST", "/api/v1/processes/pb/budgets/b/paper-batches", {{"batch", "B-1"}, {"ballots", {{{"projects", {b1}}}}}}},
      // B's voting code, entered on A's host: codes belong to their organisation
      {"POST", "/api/v1/code-session", {{"code", code_b}}},
      {"POST", "/api/v1/account/verification", {{"code", code_b}}},
      {"POST", "/api/v1/residents/verifications", {{"person_id", "19900101-1234"}, {"email", "resident-b@example.se"}}},
      {"GET", "/api/v1/newsletters/" + NB, json()},
      {"POST", "/api/v1/newsletters/" + NB + "/test", json::object()},
      {"POST", "/api/v1/newsletters/" + NB + "/send", json::object()},
      {"POST", "/api/v1/newsletters", {{"subject", "x"}, {"body", "x"}, {"process", "pb"}}},  // B's process as audience
      {"POST", "/api/v1/processes/pb/follow", json::object()},
      {"DELETE", "/api/v1/processes/pb/follow", json()},
      // B's assembly by its slug on A's host, and B's volunteer and session through A's assembly
      {"PUT", "/api/v1/assemblies/ab", assembly},
      {"POST", "/api/v1/assemblies/ab/invitations", {{"count", 1}}},
      {"POST", "/api/v1/assemblies/ab/volunteers", volunteer},
      {"POST", "/api/v1/assemblies/ab/volunteers/import", json::object()},
      {"POST", "/api/v1/assemblies/ab/freeze", json::object()},
      {"POST", "/api/v1/assemblies/ab/draw", {{"seed", "1"}}},
      {"POST", "/api/v1/assemblies/ab/panel/" + VB, {{"answer", "decline"}}},
      {"POST", "/api/v1/assemblies/aa/panel/" + VB, {{"answer", "decline"}}},
      {"POST", "/api/v1/assemblies/ab/seat", {{"answer", "decline"}}},
      {"POST", "/api/v1/assemblies/ab/sessions", {{"title", "x"}, {"starts_at", "2027-01-01T18:00"}}},
      {"POST", "/api/v1/assemblies/ab/sessions/" + SB + "/documents?name=x.txt", json::object()},
      {"POST", "/api/v1/assemblies/aa/sessions/" + SB + "/documents?name=x.txt", json::object()},
      {"PUT", "/api/v1/assemblies/ab/sessions/" + SB + "/attendance", {{"present", json::array()}}},
      {"PUT", "/api/v1/assemblies/aa/sessions/" + SB + "/attendance", {{"present", json::array()}}},
      {"POST", "/api/v1/assemblies/ab/recommendations", {{"title", "x"}, {"body", "x"}}},
      {"PUT", "/api/v1/assemblies/ab/recommendations/1", {{"title", "x"}, {"body", "x"}}},
      {"POST", "/api/v1/assemblies/ab/recommendations/1/comments", {{"body", "x"}}},
      {"POST", "/api/v1/assemblies/ab/recommendations/1/votes", {{"vote", "yes"}}},
      {"POST", "/api/v1/assemblies/ab/recommendations/1/close", json::object()},
      {"POST", "/api/v1/assemblies/ab/recommendations/1/answer", {{"decision", "accepted"}, {"answer", "x"}}},
      {"POST", "/api/v1/assemblies/ab/recommendations/1/progress", {{"status", "done"}}},
      {"POST", "/api/v1/assemblies/ab/erase", json::object()},
      // B's meetings: by B's process on A's host, and B's meeting through A's process
      {"POST", "/api/v1/processes/pb/meetings", {{"title", "x"}, {"starts_at", "2099-01-01T18:00"}}},
      {"POST", "/api/v1/processes/pb/meetings/" + MB + "/sign-ups", {{"name", "x"}, {"phone", "1"}, {"consent", true}}},
      {"POST", "/api/v1/processes/pa/meetings/" + MB + "/sign-ups", {{"name", "x"}, {"phone", "1"}, {"consent", true}}},
      {"POST", "/api/v1/processes/pa/meetings/" + MB + "/documents?name=x.txt", json::object()},
      // B's group by its slug on A's host, B's invitation link on A's host, B's member through A's group
      {"POST", "/api/v1/groups/gb/invitations", json::object()},
      {"POST", "/api/v1/groups/gb/invitations", {{"email", "x@example.se"}}},
      {"POST", "/api/v1/groups/invitations/" + token_b + "/accept", json::object()},
      {"DELETE", "/api/v1/groups/gb/members/" + RES_B, json()},
      {"DELETE", "/api/v1/groups/ga/members/" + RES_B, json()},
      {"POST", "/api/v1/groups/gb/verify", json::object()},
      // B's process's dashboard, B's register person at A's desk
      {"PUT", "/api/v1/processes/pb/inclusion", {{"public", true}}},
      {"PUT", "/api/v1/inclusion/desk", {{"person_id", "19900101-1234"}, {"consent", true}, {"answers", {{"gender", "woman"}}}}},
  };
  for (const auto& a : api) {
    for (const std::string* token : {&admin_a, &res_a}) {
      auto r = Api(a.method, a.path, a.body, *token);
      EXPECT_TRUE(r.status == 403 || r.status == 404 || r.status == 409 || r.status == 422)
          << a.method << " " << a.path << " " << a.body.dump() << " -> " << r.status << " " << r.body;
    }
  }
  // The same token on B's host has no role there.
  EXPECT_EQ(Api("PATCH", "/api/v1/proposals/" + B, json{{"on_ballot", false}}, admin_a, kHostB).status, 403);

  auto browser = Browser("admin-a@example.se");
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> pages = {
      {"/proposals/" + A + "/comments/" + CB + "/hide", {{"reason", "x"}}},  // the probe's finding
      {"/proposals/" + A + "/comments/" + CB + "/edit", {{"body", "x"}}},
      {"/proposals/" + A + "/comments/" + CB + "/delete", {}},
      {"/proposals/" + B + "/comments/" + CB + "/hide", {{"reason", "x"}}},
      {"/proposals/" + B + "/withdraw", {}},
      {"/proposals/" + B + "/support", {{"support", "1"}}},
      {"/proposals/" + B + "/comments", {{"body", "x"}}},
      {"/proposals/" + A + "/comments", {{"body", "x"}, {"parent", CB}}},
      {"/proposals/" + B + "/review", {{"decision", "infeasible"}, {"explanation", "x"}}},
      {"/proposals/" + B + "/merge", {{"into", A}}},
      {"/proposals/" + A + "/merge", {{"into", B}}},
      {"/proposals/" + B + "/ballot", {{"on_ballot", "0"}, {"reason", "x"}}},
      {"/proposals/" + B + "/assign", {{"reviewer", std::to_string(admin_b_id)}}},
      {"/proposals/" + A + "/assign", {{"reviewer", std::to_string(admin_b_id)}}},  // another organisation's user
      {"/proposals/" + A + "/assign", {{"reviewer", std::to_string(res_a_id)}}},   // a resident
      {"/proposals/" + B + "/edit", {{"title", "x"}, {"body", "x"}, {"budget", "b"}, {"cost", "10"}}},
      {"/processes/pb/proposals", {{"title", "x"}, {"body", "x"}, {"budget", "b"}, {"cost", "10"}}},
      {"/processes/pb/vote/b", {{"project", B}}},
      {"/processes/pb/results/b/count", {}},
      {"/processes/pb/followup/" + B, {{"status", "done"}, {"progress", "100"}}},
      {"/processes/pa/followup/" + B, {{"status", "done"}, {"progress", "100"}}},
      {"/admin/processes/pb/phase", {{"phase", "voting"}}},
      {"/admin/processes/pb/dates", {}},
      {"/admin/processes/pb/budgets", {{"slug", "b"}, {"amount", "1"}}},
      {"/admin/processes/pb/access", {{"require_verified_account", "1"}}},
      {"/admin/mail/1/retry", {}},
      {"/admin/newsletters/" + NB + "/test", {}},
      {"/admin/newsletters/" + NB + "/send", {}},
      {"/admin/newsletters", {{"audience", "pb"}, {"subject_sv", "x"}, {"body_sv", "x"}}},
      {"/processes/pb/follow", {{"follow", "1"}}},  // the outbox's first message: organisation B's or not failed, never retried from A
      {"/processes/pb/codes", {{"format", "csv"}}},
      {"/processes/pb/desk/open", {{"person", "1"}}},
      {"/processes/pb/desk/verify", {{"person", "1"}, {"email", "resident-b@example.se"}}},
      {"/processes/pb/desk/b/paper", {{"person", "1"}, {"project", B}}},
      {"/processes/pb/desk/b/batch", {{"batch", "B-1"}, {"step", "add"}, {"project", B}}},
      {"/processes/pb/vote/done", {}},
      {"/vote-with-code", {{"code", code_b}}},
      {"/account/verify", {{"code", code_b}}},
      {"/assemblies/ab/register", {{"name", "x"}, {"phone", "1"}, {"answer_kön", "man"}, {"consent", "yes"}}},
      {"/assemblies/ab/members", {{"action", "decline"}}},
      {"/admin/assemblies/ab", {{"action", "freeze"}}},
      {"/processes/pa/meetings/" + MB + "/sign-up", {{"name", "x"}, {"phone", "1"}, {"consent", "yes"}}},
      {"/groups/gb/invitations", {{"email", ""}}},
      {"/groups/invitations/" + token_b, {}},
      {"/groups/gb/members/" + RES_B + "/remove", {}},
      {"/groups/ga/members/" + RES_B + "/remove", {}},
      {"/groups/gb/verify", {{"verified", "1"}}},
      {"/processes/pb/inclusion/publish", {{"public", "yes"}}},
      // A proposal in A's process in the name of B's group
      {"/processes/pa/proposals", {{"title", "x"}, {"body", "x"}, {"budget", "b"}, {"cost", "10"}, {"group", "gb"}}},
  };
  for (const auto& [path, fields] : pages) {
    auto r = Form(*browser, path, fields);
    EXPECT_TRUE(r.status == 403 || r.status == 404 || r.status == 409 || r.status == 422) << "POST " << path << " -> " << r.status;
  }
  EXPECT_EQ(snapshot(), before) << "organisation B's data changed";
  (void)a2;

  // Every state-changing route of the platform is tried above, or names no resource of an
  // organisation at all: a new route fails here until it gets its case.
  const std::set<std::string> no_organisation_ids = {
      "POST /register", "POST /sign-in", "POST /sign-out", "POST /account/password", "POST /language",
      "POST /admin/roles",  // grants a role in the request's own organisation, to an account by email
      "POST /admin/languages", "PUT /api/v1/organisation/languages",  // the request's own organisation's languages
      "POST /admin/processes", "POST /api/v1/processes",  // create in the request's own organisation
      "POST /admin/assemblies", "POST /api/v1/assemblies",
      "POST /groups", "POST /api/v1/groups",  // a group that proposes, in the request's own organisation
      // the request's own organisation's questions and population, the signed-in account's own answers
      // (Inclusion.AnotherOrganisationsDashboardPopulationAndAnswersAreApart)
      "PUT /api/v1/inclusion/questions", "POST /api/v1/population", "POST /admin/inclusion/population", "POST /admin/inclusion/questions",
      "PUT /api/v1/me/demographics", "DELETE /api/v1/me/demographics", "POST /account/about-you",
      "POST /api/v1/session", "DELETE /api/v1/session", "POST /api/v1/users",
      // the request's own organisation's register (Register.OnlyAdminsOfTheOrganisationAndOnlyCsv)
      "POST /api/v1/register", "DELETE /api/v1/register", "POST /admin/register", "POST /admin/register/delete",
      // the signed-in account's own mail; mailed links name an account by a token, accounts are the instance's
      "POST /account/verify-email", "POST /account/notifications", "POST /password-reset", "POST /password-reset/{token}",
      "POST /api/v1/password-reset", "POST /api/v1/password-reset/{token}", "POST /unsubscribe/{token}", "POST /unsubscribe/{token}/undo",
      // the request's own organisation's eID provider (Eid.OnlyAdminsSeeAndChangeTheSettingsAndNeverTheSecret)
      "PUT /api/v1/eid", "DELETE /api/v1/eid"};
  auto matches = [](const std::string& pattern, std::string path) {
    path = path.substr(0, path.find('?'));
    std::vector<std::string> p, q;
    std::stringstream ps(pattern), qs(path);
    for (std::string s; std::getline(ps, s, '/');) p.push_back(s);
    for (std::string s; std::getline(qs, s, '/');) q.push_back(s);
    if (p.size() != q.size()) return false;
    for (size_t i = 0; i < p.size(); ++i)
      if (!(p[i].size() > 2 && p[i].front() == '{') && p[i] != q[i]) return false;
    return true;
  };
  std::string routes;
  ASSERT_EQ(RunTing({"routes", "--db", TempPath("routes.db")}, &routes), 0) << routes;
  std::stringstream lines(routes);
  int state_changing = 0;
  for (std::string line; std::getline(lines, line);) {
    std::stringstream fields(line);
    std::string method, pattern;
    fields >> method >> pattern;
    if (method == "GET" || method == "HEAD") continue;
    ++state_changing;
    bool tried = no_organisation_ids.count(method + " " + pattern) > 0;
    for (const auto& a : api) tried = tried || (a.method == method && matches(pattern, a.path));
    for (const auto& pg : pages) tried = tried || (method == "POST" && matches(pattern, pg.first));
    EXPECT_TRUE(tried) << method << " " << pattern << " is not tried with another organisation's ids: add it above";
  }
  EXPECT_GT(state_changing, 30);
}

// Finding 3 and its class: ill-formed UTF-8 is refused at every input (form, multipart, query,
// JSON) with a clear error, and nothing is stored that could break a page or the API later.
TEST_F(Security, IllFormedUtf8IsRefusedAtEveryInput) {
  std::string admin_a = Token("admin-a@example.se");
  MakeProcess("utf", admin_a, "");
  auto browser = Browser("resident-a@example.se");
  const std::string bad = "bad\xC0\xAF";
  auto form = Form(*browser, "/processes/utf/proposals", {{"title", bad}, {"body", "x"}, {"budget", "b"}, {"cost", "10"}});
  EXPECT_EQ(form.status, 400);
  EXPECT_NE(form.body.find("UTF-8"), std::string::npos) << "the page says what is wrong";
  int64_t id = Propose("utf", "God titel", Token("resident-a@example.se"));
  EXPECT_EQ(Form(*browser, "/proposals/" + std::to_string(id) + "/comments", {{"body", bad}}).status, 400);
  HttpClient anonymous(server_->port());
  auto reg_page = anonymous.Get("/register");
  EXPECT_EQ(anonymous.PostForm("/register", {{"csrf", FormValue(reg_page.body, "csrf")}, {"name", bad}, {"email", "u@example.se"},
                                             {"password", kPassword}}).status, 400);
  std::string boundary = "XyZ";
  std::string multipart = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + FormValue(browser->Get("/").body, "csrf") +
                          "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n" + bad + "\r\n--XyZ--\r\n";
  EXPECT_EQ(browser->Request("POST", "/processes/utf/proposals", multipart, {{"Content-Type", "multipart/form-data; boundary=XyZ"}}).status, 400);
  EXPECT_EQ(browser->Get("/processes/utf/proposals?q=%C0%AF").status, 400);
  auto raw_json = HttpClient(server_->port()).Request("POST", "/api/v1/proposals/" + std::to_string(id) + "/comments",
                                                      "{\"body\":\"" + bad + "\"}",
                                                      {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + admin_a}});
  EXPECT_EQ(raw_json.status, 400);
  EXPECT_EQ(json::parse(raw_json.body)["code"], "api.bad_utf8");
  // Page numbers at the limits of int are clamped, not wrapped.
  auto far = json::parse(Api("GET", "/api/v1/processes/utf/proposals?page=2147483648&per_page=-5", json(), "").body);
  EXPECT_EQ(far["page"], 1000000);
  EXPECT_EQ(browser->Get("/processes/utf/proposals?page=2147483647").status, 200);
  EXPECT_EQ(browser->Get("/processes/utf/proposals?page=-9223372036854775808").status, 200);
  // Everything still answers.
  EXPECT_EQ(Api("GET", "/api/v1/processes/utf/proposals", json(), "").status, 200);
  EXPECT_EQ(Api("GET", "/api/v1/proposals/" + std::to_string(id) + "/comments", json(), "").status, 200);
  EXPECT_EQ(browser->Get("/proposals/" + std::to_string(id)).status, 200);
}

// Wrong JSON types on every API route that takes a body: a 4xx that names the problem, never a
// 500, and the valid request still works afterwards.
TEST_F(Security, WrongJsonTypesAreClientErrors) {
  std::string admin = Token("admin-a@example.se"), res = Token("resident-c@example.se");
  MakeProcess("types", admin, "");
  int64_t id = Propose("types", "Typer", res);
  const std::string P = "/api/v1/proposals/" + std::to_string(id);
  struct Route {
    std::string method, path;
    json body;
    const std::string* token;
  };
  std::vector<Route> routes = {
      {"POST", "/api/v1/processes/types/proposals",
       {{"title", "t"}, {"body", "b"}, {"budget", "b"}, {"cost", 100}, {"lat", 1.0}, {"lon", 1.0}, {"group", ""}, {"co_authors", json::array()}}, &res},
      {"POST", "/api/v1/groups", {{"name", "Typer"}, {"description", "d"}, {"slug", "typer"}}, &res},
      {"PATCH", P, {{"title", "t"}, {"cost", 100}}, &res},
      {"PATCH", P, {{"on_ballot", true}, {"reason", "r"}}, &admin},
      {"POST", P + "/review", {{"feasible", true}, {"cost", 100}, {"explanation", "e"}, {"action", "review"}}, &admin},
      {"POST", P + "/merge", {{"into", id}}, &admin},
      {"POST", P + "/comments", {{"body", "b"}, {"parent", 1}}, &res},
      {"POST", "/api/v1/processes", {{"slug", "zz"}, {"title", "T"}, {"phase", "proposals"}, {"budgets", json::array()}}, &admin},
      {"PATCH", "/api/v1/processes/types", {{"title", "T"}, {"phase", "proposals"}}, &admin},
      {"PUT", "/api/v1/processes/types/budgets/b/ballot", {{"projects", {id}}}, &res},
      {"POST", "/api/v1/session", {{"email", "x@example.se"}, {"password", "p"}}, &res},
  };
  const json wrong[] = {json(5), json("text"), json(true), json::array({1, "x"}), json::object({{"a", 1}}), json(1.5),
                        json(18446744073709551615ULL), json(-9223372036854775807LL - 1)};
  for (const auto& r : routes) {
    for (const auto& [field, value] : r.body.items()) {
      for (const auto& w : wrong) {
        json body = r.body;
        body[field] = w;
        auto res = Api(r.method, r.path, body, *r.token);
        EXPECT_LT(res.status, 500) << r.method << " " << r.path << " " << body.dump() << " -> " << res.body;
        EXPECT_GE(res.status, 200);
      }
    }
  }
  auto typed = Api("POST", "/api/v1/processes/types/proposals", json{{"title", 5}, {"body", "b"}, {"budget", "b"}, {"cost", 100}}, res);
  EXPECT_EQ(typed.status, 422);
  EXPECT_EQ(json::parse(typed.body)["field"], "title");
  EXPECT_EQ(Api("POST", P + "/review", json{{"feasible", "yes"}}, admin).status, 422);
}

// Finding 5 and its class: once voting opens, nothing removes a project from the ballot or
// changes its cost silently; the one way is the manager's audited removal with a public reason,
// and a ballot naming a removed project is refused at once (no cache window).
TEST_F(Security, TheBallotIsFrozenWhileVoting) {
  std::string admin = Token("admin-a@example.se"), res = Token("resident-a@example.se");
  // A ballot checked against a copy of the rules from before voting opened is checked again, in
  // its own write, against the rules and projects stored at that moment.
  MakeProcess("opening", admin, "", "approval");
  int64_t o1 = Propose("opening", "Öppning", res);
  ASSERT_EQ(Api("POST", "/api/v1/proposals/" + std::to_string(o1) + "/review", json{{"feasible", true}}, admin).status, 200);
  EXPECT_EQ(Api("PUT", "/api/v1/processes/opening/budgets/b/ballot", json{{"projects", {o1}}}, res).status, 409) << "not open yet";
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/opening", json{{"phase", "voting"}, {"budgets", {{{"slug", "b"}, {"ballot", {{"type", "ranking"}}}}}}}, admin).status, 200);
  auto stale = Api("PUT", "/api/v1/processes/opening/budgets/b/ballot", json{{"projects", {o1}}}, res);
  EXPECT_TRUE(stale.status == 422 || stale.status == 409) << stale.status << " " << stale.body;
  EXPECT_EQ(Api("PUT", "/api/v1/processes/opening/budgets/b/ballot", json{{"ranking", {o1}}}, res).status, 200) << "the new rules apply at once";

  MakeProcess("frozen", admin, "", "approval");
  int64_t x = Propose("frozen", "Projekt X", res), y = Propose("frozen", "Projekt Y", res), z = Propose("frozen", "=HYPERLINK(\"http://evil\")", res);
  int64_t w = Propose("frozen", "Park;=1+1;", res);
  for (int64_t id : {x, y, z, w})
    ASSERT_EQ(Api("POST", "/api/v1/proposals/" + std::to_string(id) + "/review", json{{"feasible", true}}, admin).status, 200);
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/frozen", json{{"phase", "voting"}}, admin).status, 200);
  auto X = [&](const std::string& rest) { return "/api/v1/proposals/" + std::to_string(x) + rest; };

  EXPECT_EQ(Api("POST", X("/withdraw"), json::object(), res).status, 409) << "the author cannot pull a project people vote on";
  EXPECT_EQ(Api("POST", X("/review"), json{{"feasible", false}, {"explanation", "nej"}}, admin).status, 409);
  EXPECT_EQ(Api("POST", X("/review"), json{{"feasible", true}, {"cost", 1}}, admin).status, 409) << "no cost change";
  EXPECT_EQ(Api("POST", "/api/v1/proposals/" + std::to_string(y) + "/merge", json{{"into", x}}, admin).status, 409);
  auto amount = Api("PATCH", "/api/v1/processes/frozen", json{{"budgets", {{{"slug", "b"}, {"amount", 1}}}}}, admin);
  EXPECT_EQ(amount.status, 422) << amount.body;

  // A ballot for X warms the one-second cache; then X leaves the ballot by the audited action.
  ASSERT_EQ(Api("PUT", "/api/v1/processes/frozen/budgets/b/ballot", json{{"projects", {x, z}}}, res).status, 200);
  EXPECT_EQ(Api("PATCH", X(""), json{{"on_ballot", false}}, admin).status, 422) << "a public reason is required";
  EXPECT_EQ(Api("PATCH", X(""), json{{"on_ballot", false}, {"reason", "r"}, {"title", "x"}}, admin).status, 422)
      << "the manager's removal never rides along with an edit";
  auto removed = Api("PATCH", X(""), json{{"on_ballot", false}, {"reason", "Marken är inte kommunens."}}, admin);
  ASSERT_EQ(removed.status, 200) << removed.body;
  auto late = Api("PUT", "/api/v1/processes/frozen/budgets/b/ballot", json{{"projects", {x}}}, Token("admin-a@example.se"));
  EXPECT_EQ(late.status, 422) << "a ballot for a removed project is refused at once: " << late.body;
  EXPECT_EQ(Api("PATCH", X(""), json{{"on_ballot", true}, {"reason", "tillbaka"}}, admin).status, 409) << "nothing joins the ballot";

  // The count reports what happened to the ballot that named X; the CSV is safe to open.
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/frozen", json{{"phase", "results"}}, admin).status, 200);
  auto counted = Api("POST", "/api/v1/processes/frozen/budgets/b/count", json::object(), admin);
  ASSERT_EQ(counted.status, 200) << counted.body;
  auto report = json::parse(counted.body)["ballot_report"];
  EXPECT_EQ(report["ballots"], 1);
  EXPECT_EQ(report["counted_in_part"], 1);
  EXPECT_EQ(report["counted_in_full"], 0);
  ASSERT_EQ(report["removed"].size(), 1u);
  EXPECT_EQ(report["removed"][0]["id"], x);
  EXPECT_EQ(report["removed"][0]["ballots"], 1);
  EXPECT_EQ(report["removed"][0]["reason"], "Marken är inte kommunens.");
  auto csv = Api("GET", "/api/v1/processes/frozen/budgets/b/export.csv", json(), "");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.find(",=HYPERLINK"), std::string::npos);
  EXPECT_EQ(csv.body.find(",\"=HYPERLINK"), std::string::npos);
  EXPECT_NE(csv.body.find("'=HYPERLINK"), std::string::npos);
  EXPECT_NE(csv.body.find("\"Park;=1+1;\""), std::string::npos) << "quoted: Swedish Excel's ';' cannot split the cell";
  auto page = HttpClient(server_->port()).Get("/processes/frozen/results/b");
  EXPECT_NE(page.body.find("Marken är inte kommunens."), std::string::npos) << "the reason is public on the results page";
}

// A resident's new proposals and comments are limited per account (images come with proposals);
// staff entering paper proposals at a meeting are not.
TEST_F(Security, ResidentsContentIsRateLimitedStaffIsNot) {
  std::string admin = Token("admin-a@example.se"), res = Token("resident-d@example.se");
  MakeProcess("busy", admin, "");
  int last = 0;
  for (int i = 0; i < 11; ++i)
    last = Api("POST", "/api/v1/processes/busy/proposals", json{{"title", "Förslag " + std::to_string(i)}, {"body", "x"}, {"budget", "b"}, {"cost", 100}}, res).status;
  EXPECT_EQ(last, 429) << "the eleventh proposal in an hour";
  for (int i = 0; i < 12; ++i)
    EXPECT_EQ(Api("POST", "/api/v1/processes/busy/proposals", json{{"title", "Från papper " + std::to_string(i)}, {"body", "x"}, {"budget", "b"}, {"cost", 100}},
                  admin).status, 201);
  int64_t id = Propose("busy", "Kommenteras", admin);
  for (int i = 0; i < 31; ++i) last = Api("POST", "/api/v1/proposals/" + std::to_string(id) + "/comments", json{{"body", "Ja " + std::to_string(i)}}, res).status;
  EXPECT_EQ(last, 429) << "the 31st comment in ten minutes";
}

// Finding 6, the smaller holes.
TEST_F(Security, SessionsRedirectsLimitsAndCookies) {
  // DELETE with two spaces after Bearer ends the session it names.
  std::string token = Token("resident-b@example.se");
  auto del = HttpClient(server_->port()).Request("DELETE", "/api/v1/session", "", {{"Authorization", "Bearer  " + token}});
  EXPECT_EQ(del.status, 204);
  EXPECT_EQ(Api("GET", "/api/v1/me", json(), token).status, 401) << "the token no longer works";

  // next= cannot leave the site, whatever the browser would strip ("/\t/evil" is "//evil" to it).
  auto redirect_after_sign_in = [&](const std::string& next) {
    HttpClient b(server_->port());
    auto form = b.Get("/sign-in");
    return b.PostForm("/sign-in", {{"csrf", FormValue(form.body, "csrf")}, {"email", "admin-b@example.se"}, {"password", kPassword}, {"next", next}})
        .Header("location");
  };
  for (const char* next : {"/\t/evil.example", "/\n/evil.example", "/\\evil.example", "//evil.example", "https://evil.example", "/ok\x7f"})
    EXPECT_EQ(redirect_after_sign_in(next), "/") << next;
  EXPECT_EQ(redirect_after_sign_in("/processes?x=1"), "/processes?x=1");
  HttpClient c(server_->port());

  // The flash cookie is Secure like every other cookie.
  auto form = c.Get("/sign-in");
  auto signed_in = c.PostForm("/sign-in", {{"csrf", FormValue(form.body, "csrf")}, {"email", "admin-b@example.se"}, {"password", kPassword}});
  ASSERT_EQ(signed_in.status, 303);
  bool flash_seen = false;
  for (const auto& [name, value] : signed_in.headers)
    if (name == "set-cookie") {
      EXPECT_NE(value.find("Secure"), std::string::npos) << value;
      flash_seen |= value.rfind("ting_flash=", 0) == 0;
    }
  EXPECT_TRUE(flash_seen);

  // Guessing the current password on the account page is limited.
  auto browser = Browser("resident-a@example.se");
  int status = 0;
  for (int i = 0; i < 12 && status != 429; ++i)
    status = Form(*browser, "/account/password", {{"current", "not the password " + std::to_string(i)}, {"new", "another long password"}}).status;
  EXPECT_EQ(status, 429);

  // Registrations per address and hour (4 in this server's config): then 429 with Retry-After.
  HttpResponse last;
  for (int i = 0; i < 6 && last.status != 429; ++i)
    last = Api("POST", "/api/v1/users", json{{"email", "new" + std::to_string(i) + "@example.se"}, {"password", kPassword}, {"name", "N"}}, "");
  EXPECT_EQ(last.status, 429);
  EXPECT_FALSE(last.Header("retry-after").empty());
}

}  // namespace
}  // namespace ting::testing

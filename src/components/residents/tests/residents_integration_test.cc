// The register over HTTP against the real binary: import, re-import, problems, summary,
// deletion, permissions and organisations.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http_client.h"

namespace ting::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kPassword = "a long test password";

class Register : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(TempPath("register.db"));
    std::string out;
    for (std::vector<std::string> args :
         {std::vector<std::string>{"user", "add", "--email", "admin@example.se", "--role", "admin"},
          {"user", "add", "--email", "manager@example.se", "--role", "manager"},
          {"org", "add", "--slug", "b", "--name", "B", "--host", "b.example"},
          {"user", "add", "--email", "admin-b@example.se", "--role", "admin", "--org", "b"}}) {
      args.insert(args.end(), {"--db", *db_});
      if (args[0] == "user") args.insert(args.end(), {"--password", kPassword});
      ASSERT_EQ(RunTing(args, &out), 0) << out;
    }
    server_ = new ServerProcess(*db_);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete db_;
  }

  static std::string Token(const std::string& email, const std::string& host = "") {
    HttpClient c(server_->port());
    std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
    if (!host.empty()) headers["Host"] = host;
    auto r = c.Request("POST", "/api/v1/session", json{{"email", email}, {"password", kPassword}}.dump(), headers);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["token"];
  }
  static HttpResponse Csv(const std::string& token, const std::string& csv, const std::string& host = "", const std::string& query = "") {
    HttpClient c(server_->port());
    std::map<std::string, std::string> headers = {{"Content-Type", "text/csv; charset=utf-8"}, {"Authorization", "Bearer " + token}};
    if (!host.empty()) headers["Host"] = host;
    return c.Request("POST", "/api/v1/register" + query, csv, headers);
  }
  static json Summary(const std::string& token, const std::string& host = "") {
    HttpClient c(server_->port());
    std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + token}};
    if (!host.empty()) headers["Host"] = host;
    auto r = c.Request("GET", "/api/v1/register/summary", "", headers);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }

  static inline std::string* db_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

TEST_F(Register, ImportReImportAndSummary) {
  std::string admin = Token("admin@example.se");
  EXPECT_EQ(Summary(admin), json({{"people", 0}, {"districts", json::object()}})) << "zeros when empty";
  auto first = Csv(admin, "person_id;name;district;birth_date\n19900101-1234;Sara Ahmed;norr;1990-01-01\n"
                          "200801012345;Lars;söder;2008-01-01\n201501015555;Maja;norr;\n");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(json::parse(first.body), json({{"imported", 3}, {"updated", 0}, {"removed", 0}}));
  EXPECT_EQ(Summary(admin), json({{"people", 3}, {"districts", {{"norr", 2}, {"söder", 1}}}}));
  auto second = Csv(admin, "person_id,name,district\n199001011234,Sara Ahmed,centrum\n201501015555,Maja,norr\n");
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(json::parse(second.body), json({{"imported", 0}, {"updated", 2}, {"removed", 1}}));
  EXPECT_EQ(Summary(admin)["districts"], json({{"centrum", 1}, {"norr", 1}}));
}

TEST_F(Register, ABadFileImportsNothingAndListsEveryProblem) {
  std::string admin = Token("admin@example.se");
  ASSERT_EQ(Csv(admin, "person_id;name;district\n1;Ett;norr\n").status, 200);
  auto bad = Csv(admin, "person_id;name;district;birth_date\n2;Två;norr;1990-13-01\n;Tre;norr;\n");
  ASSERT_EQ(bad.status, 422) << bad.body;
  json body = json::parse(bad.body);
  EXPECT_EQ(body["code"], "residents.problems");
  ASSERT_EQ(body["problems"].size(), 2u);
  EXPECT_EQ(body["problems"][0]["line"], 2);
  EXPECT_EQ(body["problems"][0]["column"], "birth_date");
  EXPECT_EQ(body["problems"][1]["line"], 3);
  EXPECT_EQ(body["problems"][1]["code"], "residents.problem.person_id_missing");
  EXPECT_EQ(Summary(admin)["people"], 1) << "the old register is untouched";
  EXPECT_EQ(Csv(admin, "{\"json\": true}", "", "").status, 422) << "a JSON body is no register";
}

TEST_F(Register, OnlyAdminsOfTheOrganisationAndOnlyCsv) {
  std::string admin = Token("admin@example.se");
  std::string manager = Token("manager@example.se");
  EXPECT_EQ(Csv(manager, "person_id;name;district\n1;A;norr\n").status, 403) << "personal data: admins only";
  EXPECT_EQ(Csv("", "person_id;name;district\n1;A;norr\n").status, 401);
  HttpClient c(server_->port());
  auto json_type = c.Request("POST", "/api/v1/register", "person_id;name;district\n1;A;norr\n",
                             {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + admin}});
  EXPECT_EQ(json_type.status, 400);
  EXPECT_EQ(json::parse(json_type.body)["code"], "residents.not_csv");
  // Organisation B's admin sees and replaces only B's register.
  std::string admin_b = Token("admin-b@example.se", "b.example");
  ASSERT_EQ(Csv(admin_b, "person_id;name;district\n9;Nio;x\n", "b.example").status, 200);
  EXPECT_EQ(Summary(admin_b, "b.example")["people"], 1);
  EXPECT_EQ(Summary(admin)["districts"].count("x"), 0u);
  EXPECT_EQ(Csv(admin, "person_id;name;district\n1;A;norr\n", "b.example").status, 403) << "A's admin has no role in B";
}

TEST_F(Register, DeletedAfterTheProcess) {
  std::string admin = Token("admin@example.se");
  ASSERT_EQ(Csv(admin, "person_id;name;district\n1;A;norr\n2;B;norr\n").status, 200);
  HttpClient c(server_->port());
  auto deleted = c.Request("DELETE", "/api/v1/register", "", {{"Authorization", "Bearer " + admin}});
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(json::parse(deleted.body)["removed"], 2);
  EXPECT_EQ(Summary(admin)["people"], 0);
}

TEST_F(Register, TheAdminPageImportsAFileAndShowsProblems) {
  HttpClient c(server_->port());
  auto form = c.Get("/sign-in");
  auto signed_in = c.PostForm("/sign-in", {{"csrf", FormValue(form.body, "csrf")}, {"email", "admin@example.se"},
                                           {"password", kPassword}, {"next", "/admin/register"}});
  ASSERT_EQ(signed_in.status, 303);
  auto page = c.Get("/admin/register");
  ASSERT_EQ(page.status, 200);
  std::string csrf = FormValue(page.body, "csrf");
  auto upload = [&](const std::string& csv) {
    std::string body = "--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf +
                       "\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"register.csv\"\r\n"
                       "Content-Type: text/csv\r\n\r\n" + csv + "\r\n--B--\r\n";
    return c.Request("POST", "/admin/register", body, {{"Content-Type", "multipart/form-data; boundary=B"}});
  };
  auto bad = upload("person_id;name;district\n1;;norr\n");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("<td>2</td><td>name</td>"), std::string::npos) << "the problem's line and column";
  auto good = upload("person_id;name;district\n1;Ett;norr\n2;Två;söder\n3;Tre;söder\n");
  EXPECT_EQ(good.status, 303);
  auto after = c.Get("/admin/register");
  EXPECT_NE(after.body.find("<strong>3</strong>"), std::string::npos);
}

}  // namespace
}  // namespace ting::testing

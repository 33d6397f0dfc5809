// Content in any language, over HTTP against the real binary: an organisation that writes its
// processes in Swedish, Arabic and English; the API takes and returns language -> text; pages
// fall back to the organisation's default language.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http_client.h"

namespace ting::testing {
namespace {

using json = nlohmann::json;

const std::string kArabic = "\u0645\u064a\u0632\u0627\u0646\u064a\u0629 \u0627\u0644\u0645\u0648\u0627\u0637\u0646\u064a\u0646";

class ContentLanguages : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TempPath(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db");
    std::string out;
    ASSERT_EQ(RunTing({"org", "add", "--db", db_, "--slug", "rinkeby", "--name", "Rinkeby-Kista", "--languages", "sv,ar,en"}, &out), 0) << out;
    EXPECT_NE(out.find("content languages sv,ar,en"), std::string::npos) << out;
    ASSERT_EQ(RunTing({"user", "add", "--db", db_, "--email", "m@example.se", "--password", "a long test password", "--role",
                       "manager", "--org", "rinkeby"},
                      &out),
              0)
        << out;
    server_ = std::make_unique<ServerProcess>(db_);
    HttpClient c(server_->port());
    auto r = c.Json("POST", "/api/v1/session", json{{"email", "m@example.se"}, {"password", "a long test password"}}.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    token_ = json::parse(r.body)["token"];
  }

  HttpResponse Api(const std::string& method, const std::string& path, const json& body) {
    HttpClient c(server_->port());
    return c.Json(method, path, body.is_null() ? "" : body.dump(), token_);
  }

  std::string db_, token_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ContentLanguages, TheApiTakesAndReturnsEveryEnabledLanguage) {
  json body = {{"slug", "mb"},
               {"title", {{"sv", "Medborgarbudget"}, {"ar", kArabic}}},
               {"description", "Bara på svenska."},
               {"budgets", json::array({{{"slug", "b"}, {"name", {{"sv", "Hela"}, {"ar", "\u0643\u0644"}}}, {"amount", 100000}}})}};
  auto created = Api("POST", "/api/v1/processes", body);
  ASSERT_EQ(created.status, 201) << created.body;
  json got = json::parse(Api("GET", "/api/v1/processes/mb", json()).body);
  EXPECT_EQ(got["title"], body["title"]);
  EXPECT_EQ(got["description"], json({{"sv", "Bara på svenska."}})) << "a plain string is the default language's";
  EXPECT_EQ(got["budgets"][0]["name"]["ar"], "\u0643\u0644");

  // A language the organisation has not enabled is refused, naming the field; nothing changes.
  auto fi = Api("PATCH", "/api/v1/processes/mb", json{{"title", {{"fi", "Kansalaisbudjetti"}}}});
  EXPECT_EQ(fi.status, 422) << fi.body;
  EXPECT_EQ(json::parse(fi.body)["code"], "processes.invalid");
  EXPECT_NE(json::parse(fi.body)["error"].get<std::string>().find("\"fi\""), std::string::npos) << fi.body;
  EXPECT_EQ(json::parse(Api("GET", "/api/v1/processes/mb", json()).body)["title"], body["title"]);

  // Adding English later keeps the others.
  auto en = Api("PATCH", "/api/v1/processes/mb", json{{"title", {{"sv", "Medborgarbudget"}, {"ar", kArabic}, {"en", "Citizens' budget"}}}});
  ASSERT_EQ(en.status, 200) << en.body;
  EXPECT_EQ(json::parse(en.body)["title"].size(), 3u);
}

TEST_F(ContentLanguages, PagesFallBackToTheDefaultLanguage) {
  json body = {{"slug", "mb"}, {"title", {{"sv", "Medborgarbudget"}, {"ar", kArabic}}},
               {"budgets", json::array({{{"slug", "b"}, {"name", "Hela"}, {"amount", 100000}}})}};
  ASSERT_EQ(Api("POST", "/api/v1/processes", body).status, 201);
  HttpClient c(server_->port());
  auto en = c.Request("GET", "/processes/mb", "", {{"Accept-Language", "en"}});
  ASSERT_EQ(en.status, 200);
  EXPECT_NE(en.body.find("<html lang=\"en\""), std::string::npos);
  EXPECT_NE(en.body.find("Medborgarbudget"), std::string::npos) << "no English title: the Swedish one";
}

TEST_F(ContentLanguages, TheAdminFormHasAFieldPerLanguage) {
  HttpClient c(server_->port());
  auto signed_in = c.Get("/sign-in");
  auto posted = c.PostForm("/sign-in", {{"csrf", FormValue(signed_in.body, "csrf")}, {"email", "m@example.se"},
                                        {"password", "a long test password"}, {"next", "/admin/processes"}});
  ASSERT_EQ(posted.status, 303) << posted.body;
  auto form = c.Get("/admin/processes");
  ASSERT_EQ(form.status, 200);
  for (const char* name : {"title_sv", "title_ar", "title_en", "description_ar", "b_name_ar"})
    EXPECT_NE(form.body.find(std::string("name=\"") + name + "\""), std::string::npos) << name;
  auto created = c.PostForm("/admin/processes", {{"csrf", FormValue(form.body, "csrf")}, {"slug", "formular"}, {"title_sv", "Formulär"},
                                                 {"title_ar", kArabic}, {"b_slug", "b"}, {"b_name_sv", "Hela"}, {"b_amount", "1000"},
                                                 {"b_ballot", "approval"}, {"b_max", "3"}, {"b_rule", "greedy"}});
  ASSERT_EQ(created.status, 303) << created.body;
  json got = json::parse(Api("GET", "/api/v1/processes/formular", json()).body);
  EXPECT_EQ(got["title"], json({{"sv", "Formulär"}, {"ar", kArabic}}));
}

TEST_F(ContentLanguages, OrgSetRefusesUnknownZonesAndCodes) {
  std::string out;
  EXPECT_NE(RunTing({"org", "set", "--db", db_, "--slug", "rinkeby", "--time-zone", "Mars/Base"}, &out), 0);
  EXPECT_NE(out.find("unknown time zone"), std::string::npos) << out;
  EXPECT_NE(RunTing({"org", "set", "--db", db_, "--slug", "rinkeby", "--languages", "sv,Arabic"}, &out), 0);
  EXPECT_NE(RunTing({"org", "set", "--db", db_, "--slug", "nobody", "--languages", "sv"}, &out), 0);
  EXPECT_EQ(RunTing({"org", "set", "--db", db_, "--slug", "rinkeby", "--time-zone", "Europe/Helsinki", "--languages", "sv,fi"}, &out), 0)
      << out;
  EXPECT_NE(out.find("time zone Europe/Helsinki, content languages sv,fi"), std::string::npos) << out;
}

}  // namespace
}  // namespace ting::testing

// Proposals over real HTTP: submit, edit, support, comment, review, revise, merge, withdraw,
// shortlist, and every rejection.

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "http_client.h"

namespace ting::testing {
namespace {

using json = nlohmann::json;

class Proposals : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(TempPath("proposals.db"));
    std::string out;
    for (auto [email, role] : {std::pair{"manager@example.se", "manager"}, {"reviewer@example.se", "reviewer"}, {"mod@example.se", "moderator"}})
      ASSERT_EQ(RunTing({"user", "add", "--db", *db_, "--email", email, "--password", "a long test password", "--role", role}, &out), 0) << out;
    server_ = new ServerProcess(*db_);
    manager_ = new std::string(Token("manager@example.se", "a long test password"));
    reviewer_ = new std::string(Token("reviewer@example.se", "a long test password"));
    moderator_ = new std::string(Token("mod@example.se", "a long test password"));
    auto created = Api("POST", "/api/v1/processes",
                       json::parse(R"({"slug":"p","title":"P","phase":"proposals","budgets":[{"slug":"a","name":"A","amount":100000},{"slug":"b","name":"B","amount":100000}]})"),
                       *manager_);
    ASSERT_EQ(created.status, 201) << created.body;
  }
  static void TearDownTestSuite() {
    delete server_;
    delete db_;
    delete manager_;
    delete reviewer_;
    delete moderator_;
  }
  static std::string Token(const std::string& email, const std::string& password) {
    HttpClient c(server_->port());
    auto r = c.Json("POST", "/api/v1/session", json{{"email", email}, {"password", password}}.dump());
    return r.status == 200 ? json::parse(r.body)["token"].get<std::string>() : "";
  }
  static std::string Resident(const std::string& name) {
    HttpClient c(server_->port());
    c.Json("POST", "/api/v1/users", json{{"email", name + "@example.se"}, {"password", "resident password 1"}, {"name", name}}.dump());
    return Token(name + "@example.se", "resident password 1");
  }
  static HttpResponse Api(const std::string& method, const std::string& path, const json& body, const std::string& token) {
    return HttpClient(server_->port()).Json(method, path, body.is_null() ? "" : body.dump(), token);
  }
  static int64_t Propose(const std::string& token, const std::string& title, const std::string& budget = "a", int64_t cost = 5000) {
    auto r = Api("POST", "/api/v1/processes/p/proposals", json{{"title", title}, {"body", "Text om " + title}, {"budget", budget}, {"cost", cost}}, token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body)["id"].get<int64_t>() : 0;
  }
  static std::string P(int64_t id, const std::string& rest = "") { return "/api/v1/proposals/" + std::to_string(id) + rest; }

  static std::string* db_;
  static ServerProcess* server_;
  static std::string *manager_, *reviewer_, *moderator_;
};
std::string* Proposals::db_ = nullptr;
ServerProcess* Proposals::server_ = nullptr;
std::string* Proposals::manager_ = nullptr;
std::string* Proposals::reviewer_ = nullptr;
std::string* Proposals::moderator_ = nullptr;

TEST_F(Proposals, SubmitValidateListAndEdit) {
  std::string sara = Resident("sara"), olle = Resident("olle");
  EXPECT_EQ(Api("POST", "/api/v1/processes/p/proposals", json{{"title", "x"}, {"body", "y"}, {"budget", "a"}, {"cost", 1}}, "").status, 401);
  EXPECT_EQ(Api("POST", "/api/v1/processes/nope/proposals", json{{"title", "x"}, {"body", "y"}, {"budget", "a"}, {"cost", 1}}, sara).status, 404);
  auto bad_budget = Api("POST", "/api/v1/processes/p/proposals", json{{"title", "x"}, {"body", "y"}, {"budget", "zzz"}, {"cost", 1}}, sara);
  EXPECT_EQ(bad_budget.status, 422);
  EXPECT_EQ(json::parse(bad_budget.body)["code"], "proposals.problem.budget");
  EXPECT_EQ(Api("POST", "/api/v1/processes/p/proposals", json{{"title", ""}, {"body", "y"}, {"budget", "a"}, {"cost", 1}}, sara).status, 422);
  EXPECT_EQ(Api("POST", "/api/v1/processes/p/proposals", json{{"title", "x"}, {"body", "y"}, {"budget", "a"}, {"cost", -5}}, sara).status, 422);
  EXPECT_EQ(Api("POST", "/api/v1/processes/p/proposals", json{{"title", "x"}, {"body", "y"}, {"budget", "a"}, {"cost", 5}, {"lat", 91.0}, {"lon", 0.0}}, sara).status, 422);

  int64_t id = Propose(sara, "Bänkar vid ån");
  auto list = json::parse(Api("GET", "/api/v1/processes/p/proposals?q=b%C3%A4nkar", json(), "").body);
  ASSERT_EQ(list["proposals"].size(), 1u) << "search is case-insensitive, å/ä/ö too";
  EXPECT_EQ(list["proposals"][0]["status"], "submitted");
  EXPECT_EQ(Api("PATCH", P(id), json{{"title", "Olles titel"}}, olle).status, 403) << "only the author edits";
  auto edited = Api("PATCH", P(id), json{{"title", "Bänkar och bord vid ån"}}, sara);
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(json::parse(edited.body)["title"], "Bänkar och bord vid ån");
  EXPECT_EQ(Api("GET", P(999999), json(), "").status, 404);
}

// Proposers write in their own language: the proposal records it (the proposer's language
// unless they name one of the organisation's), and its page marks it and says so to a reader of
// another language.
TEST_F(Proposals, ProposersWriteInTheirOwnLanguage) {
  const std::string amal = Resident("amal");
  auto r = Api("POST", "/api/v1/processes/p/proposals",
               json{{"title", "حديقة مشتركة"}, {"body", "أحواض للخضار خلف المكتبة"}, {"budget", "a"}, {"cost", 5000}, {"language", "ar"}}, amal);
  ASSERT_EQ(r.status, 201) << r.body;
  const json arabic = json::parse(r.body);
  EXPECT_EQ(arabic["language"], "ar");
  auto plain = Api("POST", "/api/v1/processes/p/proposals", json{{"title", "Odlingslådor"}, {"body", "Vid biblioteket"}, {"budget", "a"}, {"cost", 5000}}, amal);
  ASSERT_EQ(plain.status, 201) << plain.body;
  EXPECT_EQ(json::parse(plain.body)["language"], "sv") << "the proposer's language: Swedish without Accept-Language";
  auto unknown = Api("POST", "/api/v1/processes/p/proposals", json{{"title", "x"}, {"body", "y"}, {"budget", "a"}, {"cost", 5}, {"language", "xx"}}, amal);
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_NE(json::parse(unknown.body)["error"].get<std::string>().find("sv"), std::string::npos) << "the error lists the languages";
  auto typed = Api("POST", "/api/v1/processes/p/proposals", json{{"title", "x"}, {"body", "y"}, {"budget", "a"}, {"cost", 5}, {"language", 5}}, amal);
  EXPECT_TRUE(typed.status >= 400 && typed.status < 500) << typed.status;
  // The page, read in Swedish: the title and body carry lang="ar", and the page says so.
  auto page = HttpClient(server_->port()).Request("GET", "/proposals/" + std::to_string(arabic["id"].get<int64_t>()), "", {{"Accept-Language", "sv"}});
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<h1 lang=\"ar\" dir=\"auto\">"), std::string::npos) << page.body.substr(0, 3000);
  EXPECT_NE(page.body.find("visas på العربية"), std::string::npos) << "the note names the language it is shown in";

  // A process narrows the organisation's languages: its texts and proposals are in those.
  EXPECT_EQ(Api("PATCH", "/api/v1/processes/p", json{{"languages", {"sv", "xx"}}}, *manager_).status, 422);
  EXPECT_EQ(Api("PATCH", "/api/v1/processes/p", json{{"languages", json::array()}}, *manager_).status, 422);
  EXPECT_EQ(Api("PATCH", "/api/v1/processes/p", json{{"languages", {"sv", "en"}}}, amal).status, 403);
  auto narrowed = Api("PATCH", "/api/v1/processes/p", json{{"languages", {"sv", "en"}}}, *manager_);
  ASSERT_EQ(narrowed.status, 200) << narrowed.body;
  EXPECT_EQ(json::parse(narrowed.body)["languages"], json({"sv", "en"}));
  auto refused = Api("POST", "/api/v1/processes/p/proposals",
                     json{{"title", "حديقة"}, {"body", "نص"}, {"budget", "a"}, {"cost", 5000}, {"language", "ar"}}, amal);
  EXPECT_EQ(refused.status, 422) << "Arabic is not among the process's languages now";
  EXPECT_EQ(Api("PATCH", "/api/v1/processes/p", json{{"title", {{"ar", "عنوان"}}}}, *manager_).status, 422) << "nor a title in Arabic";
  EXPECT_EQ(Api("GET", P(arabic["id"].get<int64_t>()), json(), "").status, 200) << "what was written in Arabic stays";
  auto widened = Api("PATCH", "/api/v1/processes/p", json{{"languages", nullptr}}, *manager_);
  ASSERT_EQ(widened.status, 200) << widened.body;
  EXPECT_GT(json::parse(widened.body)["languages"].size(), 2u) << "null: the organisation's languages again";
}

TEST_F(Proposals, SupportsCommentsAndModeration) {
  std::string author = Resident("ann"), fan = Resident("bo");
  int64_t id = Propose(author, "Lekplats");
  EXPECT_EQ(Api("POST", P(id, "/support"), json::object(), fan).status, 200);
  EXPECT_EQ(json::parse(Api("POST", P(id, "/support"), json::object(), fan).body)["supports"], 1) << "one support per person";
  EXPECT_EQ(json::parse(Api("DELETE", P(id, "/support"), json(), fan).body)["supports"], 0);
  EXPECT_EQ(Api("POST", P(id, "/support"), json::object(), "").status, 401);

  auto c1 = Api("POST", P(id, "/comments"), json{{"body", "Bra idé!"}}, fan);
  ASSERT_EQ(c1.status, 201);
  int64_t cid = json::parse(c1.body)["id"];
  EXPECT_EQ(Api("POST", P(id, "/comments"), json{{"body", "Tack"}, {"parent", cid}}, author).status, 201);
  EXPECT_EQ(Api("POST", P(id, "/comments"), json{{"body", ""}}, fan).status, 422);
  EXPECT_EQ(Api("POST", P(id, "/comments"), json{{"body", "x"}, {"parent", 987654}}, fan).status, 422);
  auto thread = json::parse(Api("GET", P(id, "/comments"), json(), "").body)["comments"];
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_EQ(thread[1]["parent"], cid);

  // The author was notified of the comment; the notifications page lists it.
  HttpClient browser(server_->port());
  auto form = browser.Get("/sign-in");
  ASSERT_EQ(browser.PostForm("/sign-in", {{"csrf", FormValue(form.body, "csrf")}, {"email", "ann@example.se"}, {"password", "resident password 1"}}).status, 303);
  auto notes = browser.Get("/notifications");
  EXPECT_NE(notes.body.find("kommenterat"), std::string::npos);
  auto page = browser.Get("/proposals/" + std::to_string(id));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Bra idé!"), std::string::npos);
  EXPECT_EQ(browser.PostForm("/proposals/" + std::to_string(id) + "/comments/" + std::to_string(cid) + "/hide",
                             {{"csrf", FormValue(page.body, "csrf")}, {"reason", "x"}}).status, 403) << "only moderators hide";
}

TEST_F(Proposals, ReviewReviseMergeWithdrawAndTheBallot) {
  std::string a = Resident("cecilia"), b = Resident("david");
  int64_t keep = Propose(a, "Belysning");
  int64_t dup = Propose(b, "Mer ljus på gångvägen");
  int64_t other_budget = Propose(b, "Annat", "b");
  int64_t revise = Propose(a, "Wifi");
  int64_t gone = Propose(b, "Dras tillbaka");
  Api("POST", P(dup, "/support"), json::object(), a);
  Api("POST", P(keep, "/support"), json::object(), a);
  Api("POST", P(dup, "/support"), json::object(), b);

  EXPECT_EQ(Api("POST", P(gone, "/withdraw"), json::object(), a).status, 403) << "only the author withdraws";
  EXPECT_EQ(Api("POST", P(gone, "/withdraw"), json::object(), b).status, 200);
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/p", json{{"phase", "review"}}, *manager_).status, 200);
  EXPECT_EQ(Api("POST", "/api/v1/processes/p/proposals", json{{"title", "Sent"}, {"body", "y"}, {"budget", "a"}, {"cost", 5}}, a).status, 409)
      << "no new proposals after the proposals phase";
  EXPECT_EQ(Api("PATCH", P(keep), json{{"title", "Ändrad"}}, a).status, 409) << "no edits once review has started";

  EXPECT_EQ(Api("POST", P(keep, "/review"), json{{"feasible", true}}, a).status, 403) << "residents do not review";
  EXPECT_EQ(Api("POST", P(keep, "/review"), json{{"feasible", false}}, *reviewer_).status, 422) << "not feasible needs an explanation";
  EXPECT_EQ(Api("POST", P(keep, "/merge"), json{{"into", other_budget}}, *reviewer_).status, 422) << "merge within one budget only";
  auto merged = Api("POST", P(dup, "/merge"), json{{"into", keep}}, *reviewer_);
  ASSERT_EQ(merged.status, 200) << merged.body;
  EXPECT_EQ(json::parse(merged.body)["status"], "merged");
  EXPECT_EQ(json::parse(Api("GET", P(keep), json(), "").body)["supports"], 2) << "a supported both: counted once; b's support moved";

  auto ids = [](const HttpResponse& r) {
    std::vector<int64_t> out;
    json body = json::parse(r.body);  // kept alive for the loop
    for (const auto& p : body["proposals"]) out.push_back(p["id"].get<int64_t>());
    return out;
  };
  EXPECT_EQ(ids(Api("GET", "/api/v1/processes/p/proposals?status=merged", json(), "")), std::vector<int64_t>{dup});
  EXPECT_EQ(ids(Api("GET", "/api/v1/processes/p/proposals?status=withdrawn", json(), "")), std::vector<int64_t>{gone});
  EXPECT_EQ(ids(Api("GET", "/api/v1/processes/p/proposals?budget=b", json(), "")), std::vector<int64_t>{other_budget});
  auto listed = ids(Api("GET", "/api/v1/processes/p/proposals?budget=a", json(), ""));
  EXPECT_EQ(std::count(listed.begin(), listed.end(), dup) + std::count(listed.begin(), listed.end(), gone), 0)
      << "merged and withdrawn proposals are not listed by default";
  auto first = Api("GET", "/api/v1/processes/p/proposals?per_page=1&page=1&sort=supported", json(), "");
  EXPECT_EQ(ids(first), std::vector<int64_t>{keep}) << "the most supported first";
  EXPECT_GE(json::parse(first.body)["total"].get<int64_t>(), 3);

  ASSERT_EQ(Api("POST", P(revise, "/review"), json{{"action", "revise"}, {"explanation", "Bara biblioteket, tack."}}, *reviewer_).status, 200);
  auto resubmitted = Api("PATCH", P(revise), json{{"title", "Wifi i biblioteket"}}, a);
  ASSERT_EQ(resubmitted.status, 200) << "a proposal sent back may be edited during review: " << resubmitted.body;
  EXPECT_EQ(json::parse(resubmitted.body)["status"], "submitted");

  ASSERT_EQ(Api("POST", P(keep, "/review"), json{{"feasible", true}, {"cost", 7000}, {"explanation", "OK"}}, *reviewer_).status, 200);
  ASSERT_EQ(Api("POST", P(revise, "/review"), json{{"feasible", true}, {"explanation", "OK"}}, *reviewer_).status, 200);
  EXPECT_EQ(Api("PATCH", P(revise), json{{"on_ballot", false}}, a).status, 403) << "only managers shortlist";
  ASSERT_EQ(Api("PATCH", P(revise), json{{"on_ballot", false}}, *manager_).status, 200);
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/p", json{{"phase", "voting"}}, *manager_).status, 200);

  // The ballot of budget a: the surviving proposal with the reviewer's cost; not the merged,
  // withdrawn, off-list or other-budget ones.
  std::string voter = Resident("erik");
  EXPECT_EQ(Api("PUT", "/api/v1/processes/p/budgets/a/ballot", json{{"projects", {keep}}}, voter).status, 200);
  for (int64_t not_on_ballot : {dup, gone, revise, other_budget})
    EXPECT_EQ(Api("PUT", "/api/v1/processes/p/budgets/a/ballot", json{{"projects", {not_on_ballot}}}, voter).status, 422) << not_on_ballot;
}

// A form post with files, as a browser sends it without JavaScript.
std::string Multipart(const std::vector<std::pair<std::string, std::string>>& fields, const std::string& file_name,
                      const std::string& file, const std::string& boundary) {
  std::string body;
  for (const auto& [k, v] : fields) body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + file_name +
          "\"\r\nContent-Type: image/png\r\n\r\n" + file + "\r\n--" + boundary + "--\r\n";
  return body;
}

TEST_F(Proposals, ImagesAreCheckedStoredOutsideTheDatabaseAndServedWithTheirType) {
  ASSERT_EQ(Api("POST", "/api/v1/processes", json::parse(R"({"slug":"img","title":"Bilder","phase":"proposals","budgets":[{"slug":"a","name":"A","amount":100000}]})"),
                *manager_).status, 201);
  Resident("fia");
  HttpClient browser(server_->port());
  auto signin = browser.Get("/sign-in");
  ASSERT_EQ(browser.PostForm("/sign-in", {{"csrf", FormValue(signin.body, "csrf")}, {"email", "fia@example.se"}, {"password", "resident password 1"}}).status, 303);
  auto form = browser.Get("/processes/img/proposals/new");
  ASSERT_EQ(form.status, 200);
  std::string csrf = FormValue(form.body, "csrf");
  std::vector<std::pair<std::string, std::string>> fields = {{"csrf", csrf}, {"title", "Med bild"}, {"body", "Se bilden."}, {"budget", "a"}, {"cost", "1000"}};
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  png += std::string(64, 'x');
  auto post = [&](const std::string& name, const std::string& file) {
    return browser.Request("POST", "/processes/img/proposals", Multipart(fields, name, file, "XyZ123"),
                           {{"Content-Type", "multipart/form-data; boundary=XyZ123"}});
  };
  auto fake = post("virus.png", "MZ this is not a picture");
  EXPECT_EQ(fake.status, 422);
  EXPECT_NE(fake.body.find("ingen bild"), std::string::npos);
  auto big = post("huge.png", png + std::string(5 * 1024 * 1024, 'x'));
  EXPECT_EQ(big.status, 422);
  EXPECT_EQ(json::parse(Api("GET", "/api/v1/processes/img/proposals", json(), "").body)["proposals"].size(), 0u) << "refused forms create nothing";
  auto ok = post("lekplats.png", png);
  ASSERT_EQ(ok.status, 303) << ok.body;
  auto page = browser.Get(ok.Header("location"));
  auto at = page.body.find("src=\"/uploads/");
  ASSERT_NE(at, std::string::npos);
  std::string src = page.body.substr(at + 5, page.body.find('"', at + 5) - at - 5);
  auto image = browser.Get(src);
  EXPECT_EQ(image.status, 200);
  EXPECT_EQ(image.Header("content-type"), "image/png");
  EXPECT_EQ(image.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(image.body, png);
  EXPECT_EQ(browser.Get("/uploads/..%2Fproposals.db").status, 404);
  // At most five images per proposal, however many edits bring them.
  const std::string edit = ok.Header("location") + "/edit";
  auto edit_with_image = [&] {
    return browser.Request("POST", edit, Multipart(fields, "more.png", png, "XyZ123"), {{"Content-Type", "multipart/form-data; boundary=XyZ123"}});
  };
  for (int i = 2; i <= 5; ++i) EXPECT_EQ(edit_with_image().status, 303) << "image " << i;
  auto sixth = edit_with_image();
  EXPECT_EQ(sixth.status, 422);
  EXPECT_NE(sixth.body.find("fem bilder"), std::string::npos);
  page = browser.Get(ok.Header("location"));
  size_t shown = 0;
  for (size_t at = page.body.find("src=\"/uploads/"); at != std::string::npos; at = page.body.find("src=\"/uploads/", at + 1)) ++shown;
  EXPECT_EQ(shown, 5u);
  // Without the form's CSRF token the upload is refused before anything is read.
  fields[0].second = "forged";
  EXPECT_EQ(post("x.png", png).status, 403);
}

}  // namespace
}  // namespace ting::testing

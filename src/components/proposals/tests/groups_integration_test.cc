// Groups that propose, over real HTTP against the real binary: a school class is started, invites
// by link and by mail, a member joins, the class proposes in its name with a co-author, its page
// lists the proposal, staff verify it (the badge), members are removed or leave, the pages work
// without JavaScript, and another organisation's groups are out of reach.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http_client.h"

namespace ting::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kPassword = "a long test password";
constexpr const char* kHostB = "b.example";

class Groups : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(TempPath("groups.db"));
    std::string out;
    auto ting = [&](std::vector<std::string> args) { ASSERT_EQ(RunTing(args, &out), 0) << out; };
    ting({"user", "add", "--db", *db_, "--email", "manager@example.se", "--password", kPassword, "--role", "manager"});
    ting({"user", "add", "--db", *db_, "--email", "reviewer@example.se", "--password", kPassword, "--role", "reviewer"});
    ting({"org", "add", "--db", *db_, "--slug", "b", "--name", "B kommun", "--host", kHostB});
    ting({"user", "add", "--db", *db_, "--email", "manager-b@example.se", "--password", kPassword, "--role", "manager", "--org", "b"});
    server_ = new ServerProcess(*db_);
    manager_ = new std::string(Token("manager@example.se"));
    reviewer_ = new std::string(Token("reviewer@example.se"));
    manager_b_ = new std::string(Token("manager-b@example.se", kHostB));
    ASSERT_FALSE(manager_->empty() || reviewer_->empty() || manager_b_->empty());
    MakeProcess("p", *manager_, "");
    MakeProcess("pb", *manager_b_, kHostB);
  }
  static void TearDownTestSuite() {
    delete server_;
    for (auto* s : {db_, manager_, reviewer_, manager_b_}) delete s;
  }

  static HttpResponse Api(const std::string& method, const std::string& path, const json& body, const std::string& token,
                          const std::string& host = "") {
    return HttpClient(server_->port()).Api(method, path, body.is_null() ? std::string() : body.dump(), token, host);
  }
  static std::string Token(const std::string& email, const std::string& host = "") {
    auto r = Api("POST", "/api/v1/session", json{{"email", email}, {"password", kPassword}}, "", host);
    return r.status == 200 ? json::parse(r.body)["token"].get<std::string>() : "";
  }
  // A resident's account (handle@example.se, with a display name) and its API token.
  static std::string Resident(const std::string& handle, const std::string& name) {
    auto r = Api("POST", "/api/v1/users", json{{"email", handle + "@example.se"}, {"password", kPassword}, {"name", name}}, "");
    EXPECT_EQ(r.status, 201) << r.body;
    return Token(handle + "@example.se");
  }
  static int64_t AccountId(const std::string& token) {
    auto r = Api("GET", "/api/v1/me", json(), token);
    return r.status == 200 ? json::parse(r.body)["id"].get<int64_t>() : 0;
  }
  static void MakeProcess(const std::string& slug, const std::string& token, const std::string& host) {
    json body = {{"slug", slug}, {"title", "Budget " + slug}, {"phase", "proposals"},
                 {"budgets", {{{"slug", "a"}, {"name", "A"}, {"amount", 1000000}}}}};
    auto r = Api("POST", "/api/v1/processes", body, token, host);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // A group started by token; returns its slug.
  static std::string StartGroup(const std::string& token, const json& body, const std::string& host = "") {
    auto r = Api("POST", "/api/v1/groups", body, token, host);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body)["slug"].get<std::string>() : "";
  }
  // A new invitation link's token (the last part of the link).
  static std::string InvitationToken(const std::string& slug, const std::string& owner, const json& body = json::object(),
                                     const std::string& host = "") {
    auto r = Api("POST", "/api/v1/groups/" + slug + "/invitations", body, owner, host);
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return "";
    std::string link = json::parse(r.body)["link"];
    EXPECT_NE(link.find("/groups/invitations/"), std::string::npos) << link;
    return link.substr(link.rfind('/') + 1);
  }
  static HttpResponse Accept(const std::string& token, const std::string& person, const std::string& host = "") {
    return Api("POST", "/api/v1/groups/invitations/" + token + "/accept", json::object(), person, host);
  }
  static HttpResponse Propose(const std::string& token, const std::string& title, const json& extra, const std::string& process = "p",
                              const std::string& host = "") {
    json body = {{"title", title}, {"body", "Text om " + title}, {"budget", "a"}, {"cost", 5000}};
    for (const auto& [k, v] : extra.items()) body[k] = v;
    return Api("POST", "/api/v1/processes/" + process + "/proposals", body, token, host);
  }
  static json Group(const std::string& slug, const std::string& token = "", const std::string& host = "") {
    auto r = Api("GET", "/api/v1/groups/" + slug, json(), token, host);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body) : json::object();
  }
  static std::string Code(const HttpResponse& r) {
    auto j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("code") ? j["code"].get<std::string>() : "";
  }
  // A browser signed in as handle@example.se.
  static std::unique_ptr<HttpClient> Browser(const std::string& handle) {
    auto c = std::make_unique<HttpClient>(server_->port());
    auto form = c->Get("/sign-in");
    EXPECT_EQ(c->PostForm("/sign-in", {{"csrf", FormValue(form.body, "csrf")}, {"email", handle + "@example.se"}, {"password", kPassword}}).status, 303);
    return c;
  }

  static std::string* db_;
  static ServerProcess* server_;
  static std::string *manager_, *reviewer_, *manager_b_;
};
std::string* Groups::db_ = nullptr;
ServerProcess* Groups::server_ = nullptr;
std::string* Groups::manager_ = nullptr;
std::string* Groups::reviewer_ = nullptr;
std::string* Groups::manager_b_ = nullptr;

TEST_F(Groups, AClassStartsInvitesAndProposesInItsNameWithACoAuthor) {
  std::string anna = Resident("anna", "Anna Ägare"), bosse = Resident("bosse", "Bosse Medlem"), cilla = Resident("cilla", "Cilla Utanför");
  const int64_t bosse_id = AccountId(bosse), cilla_id = AccountId(cilla);

  EXPECT_EQ(Api("POST", "/api/v1/groups", json{{"name", "Klass 8B"}}, "").status, 401);
  auto unnamed = Api("POST", "/api/v1/groups", json{{"name", "  "}}, anna);
  EXPECT_EQ(unnamed.status, 422);
  EXPECT_EQ(Code(unnamed), "proposals.group.problem.name");
  EXPECT_EQ(Code(Api("POST", "/api/v1/groups", json{{"name", "X"}, {"slug", "new"}}, anna)), "proposals.group.problem.slug");
  EXPECT_EQ(Api("POST", "/api/v1/groups", json{{"name", 5}}, anna).status, 422);

  auto created = Api("POST", "/api/v1/groups", json{{"name", "Klass 8B, Solbackaskolan"}, {"description", "Vi är 26 elever."}}, anna);
  ASSERT_EQ(created.status, 201) << created.body;
  json g = json::parse(created.body);
  const std::string slug = g["slug"];
  EXPECT_EQ(slug, "klass-8b-solbackaskolan") << "the slug is made from the name";
  EXPECT_EQ(g["verified"], false);
  EXPECT_EQ(g["member_count"], 1);
  EXPECT_EQ(g["role"], "owner");
  ASSERT_EQ(g["members"].size(), 1u);
  EXPECT_EQ(g["members"][0]["name"], "Anna Ägare");
  EXPECT_EQ(StartGroup(cilla, json{{"name", "Klass 8B, Solbackaskolan"}}), "klass-8b-solbackaskolan-2") << "a second group of that name";
  auto taken = Api("POST", "/api/v1/groups", json{{"name", "Annan"}, {"slug", slug}}, cilla);
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(Code(taken), "proposals.group.slug_taken");

  // Invitations are the owner's; a link works for whoever holds it, once each.
  auto not_owner = Api("POST", "/api/v1/groups/" + slug + "/invitations", json::object(), bosse);
  EXPECT_EQ(not_owner.status, 403);
  EXPECT_EQ(Code(not_owner), "proposals.group.not_owner");
  const std::string token = InvitationToken(slug, anna);
  ASSERT_FALSE(token.empty());
  json anonymous_view = Group(slug);
  EXPECT_EQ(anonymous_view["member_count"], 1);
  EXPECT_FALSE(anonymous_view.contains("members")) << "members' names are for members and staff";
  EXPECT_EQ(Accept(token, "").status, 401);
  auto joined = Accept(token, bosse);
  ASSERT_EQ(joined.status, 200) << joined.body;
  EXPECT_EQ(json::parse(joined.body)["member_count"], 2);
  EXPECT_EQ(json::parse(joined.body)["role"], "member");
  EXPECT_EQ(json::parse(Accept(token, bosse).body)["member_count"], 2) << "joining twice changes nothing";
  auto unknown = Accept("not-a-real-token", bosse);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Code(unknown), "proposals.group.invitation_not_found");
  EXPECT_EQ(Api("GET", "/groups/invitations/not-a-real-token", json(), "").status, 404);

  // Proposals in the group's name: only by its members, co-authors only from the group.
  auto outsider = Propose(cilla, "Utan grupp", json{{"group", slug}});
  EXPECT_EQ(outsider.status, 403) << outsider.body;
  EXPECT_EQ(Code(outsider), "proposals.problem.group_member");
  EXPECT_EQ(Code(Propose(anna, "Fel medförfattare", json{{"group", slug}, {"co_authors", {cilla_id}}})), "proposals.problem.co_author");
  EXPECT_EQ(Code(Propose(anna, "Jag själv", json{{"group", slug}, {"co_authors", {AccountId(anna)}}})), "proposals.problem.co_author");
  EXPECT_EQ(Code(Propose(anna, "Utan grupp", json{{"co_authors", {bosse_id}}})), "proposals.problem.co_authors_need_group");
  EXPECT_EQ(Code(Propose(anna, "Okänd grupp", json{{"group", "finns-inte"}})), "proposals.problem.group");
  auto wrong_type = Propose(anna, "Fel typ", json{{"group", slug}, {"co_authors", "bosse"}});
  EXPECT_EQ(wrong_type.status, 422);
  EXPECT_EQ(json::parse(wrong_type.body)["field"], "co_authors");
  EXPECT_EQ(json::parse(Api("GET", "/api/v1/groups/" + slug, json(), "").body)["proposals"].size(), 0u) << "refused proposals create nothing";

  auto proposed = Propose(anna, "Pingisbord i parken", json{{"group", slug}, {"co_authors", {bosse_id}}});
  ASSERT_EQ(proposed.status, 201) << proposed.body;
  json p = json::parse(proposed.body);
  const std::string id = std::to_string(p["id"].get<int64_t>());
  EXPECT_EQ(p["group"]["slug"], slug);
  EXPECT_EQ(p["group"]["name"], "Klass 8B, Solbackaskolan");
  EXPECT_EQ(p["group"]["verified"], false);
  EXPECT_EQ(p["co_authors"], json::array({"Bosse Medlem"}));
  EXPECT_EQ(p["author"], "Anna Ägare");
  EXPECT_EQ(json::parse(Propose(bosse, "Egen idé", json::object()).body)["group"], nullptr) << "a proposal of one's own has no group";

  // The group lists it, in the API and on its public page.
  json listed = Group(slug);
  ASSERT_EQ(listed["proposals"].size(), 1u);
  EXPECT_EQ(std::to_string(listed["proposals"][0]["id"].get<int64_t>()), id);
  HttpClient visitor(server_->port());
  auto page = visitor.Get("/groups/" + slug);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Pingisbord i parken"), std::string::npos);
  EXPECT_NE(page.body.find("/proposals/" + id), std::string::npos);
  EXPECT_EQ(page.body.find("Bosse Medlem"), std::string::npos) << "no member names for visitors";
  auto shown = visitor.Get("/proposals/" + id);
  EXPECT_NE(shown.body.find("href=\"/groups/" + slug + "\""), std::string::npos);
  EXPECT_NE(shown.body.find("Bosse Medlem"), std::string::npos) << "co-authors are named with the author";

  // Co-authors edit like the author; withdrawing stays the author's; the group is fixed.
  auto edited = Api("PATCH", "/api/v1/proposals/" + id, json{{"title", "Pingisbord och bänkar"}}, bosse);
  EXPECT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(Api("PATCH", "/api/v1/proposals/" + id, json{{"title", "Cillas titel"}}, cilla).status, 403);
  EXPECT_EQ(Api("POST", "/api/v1/proposals/" + id + "/withdraw", json::object(), bosse).status, 403);
  EXPECT_EQ(Code(Api("PATCH", "/api/v1/proposals/" + id, json{{"group", ""}}, anna)), "proposals.problem.group_fixed");

  auto mine = json::parse(Api("GET", "/api/v1/groups", json(), bosse).body)["groups"];
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["slug"], slug);
  EXPECT_EQ(mine[0]["role"], "member");
}

TEST_F(Groups, OnlyStaffVerifyAndTheBadgeShows) {
  std::string owner = Resident("olga", "Olga Ordförande");
  const std::string slug = StartGroup(owner, json{{"name", "Föreningen Grönare Söder"}});
  auto proposed = Propose(owner, "Blomsterängar", json{{"group", slug}});
  ASSERT_EQ(proposed.status, 201);
  const std::string id = std::to_string(json::parse(proposed.body)["id"].get<int64_t>());

  EXPECT_EQ(Api("POST", "/api/v1/groups/" + slug + "/verify", json::object(), owner).status, 403) << "residents do not verify";
  EXPECT_EQ(Api("POST", "/api/v1/groups/" + slug + "/verify", json::object(), *reviewer_).status, 403) << "verifying is a manager's";
  EXPECT_EQ(Api("POST", "/api/v1/groups/" + slug + "/verify", json::object(), "").status, 401);
  EXPECT_EQ(Api("POST", "/api/v1/groups/" + slug + "/verify", json{{"verified", "yes"}}, *manager_).status, 422);
  auto verified = Api("POST", "/api/v1/groups/" + slug + "/verify", json(), *manager_);
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(json::parse(verified.body)["verified"], true);
  EXPECT_TRUE(json::parse(verified.body)["verified_at"].is_number());
  EXPECT_EQ(json::parse(verified.body)["members"].size(), 1u) << "staff see who is in the group";
  EXPECT_EQ(json::parse(Api("GET", "/api/v1/proposals/" + id, json(), "").body)["group"]["verified"], true);
  HttpClient visitor(server_->port());
  EXPECT_NE(visitor.Get("/groups/" + slug).body.find("badge verified"), std::string::npos);
  EXPECT_NE(visitor.Get("/proposals/" + id).body.find("badge verified"), std::string::npos);

  auto unverified = Api("POST", "/api/v1/groups/" + slug + "/verify", json{{"verified", false}}, *manager_);
  ASSERT_EQ(unverified.status, 200);
  EXPECT_EQ(json::parse(unverified.body)["verified"], false);
  EXPECT_EQ(visitor.Get("/groups/" + slug).body.find("badge verified"), std::string::npos);
}

TEST_F(Groups, OwnersRemoveMembersMembersLeaveAndTheOwnerStays) {
  std::string owner = Resident("petra", "Petra Ägare"), rolf = Resident("rolf", "Rolf Medlem"), sara = Resident("sara", "Sara Medlem");
  const int64_t owner_id = AccountId(owner), rolf_id = AccountId(rolf), sara_id = AccountId(sara);
  const std::string slug = StartGroup(owner, json{{"name", "Grannarna på Björkvägen"}});
  const std::string token = InvitationToken(slug, owner);
  ASSERT_EQ(Accept(token, rolf).status, 200);
  ASSERT_EQ(Accept(token, sara).status, 200);
  auto proposed = Propose(owner, "Gatufest", json{{"group", slug}, {"co_authors", {rolf_id}}});
  ASSERT_EQ(proposed.status, 201);
  const std::string id = std::to_string(json::parse(proposed.body)["id"].get<int64_t>());
  auto member = [&](int64_t account) {
    std::string path = "/api/v1/groups/" + slug + "/members/";
    return path.append(std::to_string(account));
  };

  auto by_member = Api("DELETE", member(rolf_id), json(), sara);
  EXPECT_EQ(by_member.status, 403) << "a member does not remove others";
  EXPECT_EQ(Api("DELETE", member(rolf_id), json(), "").status, 401);
  EXPECT_EQ(Api("DELETE", member(rolf_id), json(), owner).status, 204);
  EXPECT_EQ(Group(slug)["member_count"], 2);
  EXPECT_EQ(json::parse(Api("GET", "/api/v1/proposals/" + id, json(), "").body)["co_authors"], json::array())
      << "whoever leaves the group stops being a co-author of its proposals";
  EXPECT_EQ(Api("PATCH", "/api/v1/proposals/" + id, json{{"title", "Rolfs titel"}}, rolf).status, 403);
  EXPECT_EQ(Propose(rolf, "Efter", json{{"group", slug}}).status, 403) << "a former member proposes in nobody's name";
  EXPECT_EQ(Api("DELETE", member(rolf_id), json(), owner).status, 404) << "not a member any more";
  EXPECT_EQ(Api("DELETE", "/api/v1/groups/" + slug + "/members/x", json(), owner).status, 404);

  EXPECT_EQ(Api("DELETE", member(sara_id), json(), sara).status, 204) << "a member leaves";
  auto owner_leaves = Api("DELETE", member(owner_id), json(), owner);
  EXPECT_EQ(owner_leaves.status, 409);
  EXPECT_EQ(Code(owner_leaves), "proposals.group.owner_stays");
  EXPECT_EQ(Group(slug)["member_count"], 1);
}

TEST_F(Groups, MailedInvitationsAreQueuedAndWorkOnce) {
  std::string owner = Resident("tove", "Tove Ägare"), first = Resident("ulf", "Ulf"), second = Resident("vera", "Vera");
  const std::string slug = StartGroup(owner, json{{"name", "Scoutkåren"}});
  EXPECT_EQ(Code(Api("POST", "/api/v1/groups/" + slug + "/invitations", json{{"email", "inte en adress"}}, owner)), "proposals.group.problem.email");
  auto mailed = Api("POST", "/api/v1/groups/" + slug + "/invitations", json{{"email", "Ulf@Example.se"}}, owner);
  ASSERT_EQ(mailed.status, 201) << mailed.body;
  EXPECT_EQ(json::parse(mailed.body)["single_use"], true);
  auto outbox = json::parse(Api("GET", "/api/v1/mail/outbox", json(), *manager_).body);
  bool queued = false;
  for (const auto& m : outbox["pending"])
    queued = queued || (m["to"] == "ulf@example.se" && m["subject"].get<std::string>().find("Scoutkåren") != std::string::npos);
  EXPECT_TRUE(queued) << outbox.dump();
  std::string link = json::parse(mailed.body)["link"];
  const std::string token = link.substr(link.rfind('/') + 1);
  EXPECT_EQ(Accept(token, first).status, 200);
  EXPECT_EQ(Accept(token, second).status, 404) << "a mailed link works once";
  EXPECT_EQ(Group(slug)["member_count"], 2);
}

TEST_F(Groups, AnotherOrganisationsGroupsAreOutOfReach) {
  std::string dora = Resident("dora", "Dora i B"), erik = Resident("erik", "Erik i A"), fia = Resident("fia", "Fia i B");
  const std::string slug_b = StartGroup(dora, json{{"name", "Gruppen i B"}, {"slug", "gb"}}, kHostB);
  ASSERT_EQ(slug_b, "gb");
  const std::string token_b = InvitationToken("gb", dora, json::object(), kHostB);
  const int64_t dora_id = AccountId(dora);

  EXPECT_EQ(Api("GET", "/api/v1/groups/gb", json(), "").status, 404) << "B's group is not on A's host";
  EXPECT_EQ(Api("GET", "/groups/gb", json(), "").status, 404);
  EXPECT_EQ(Api("POST", "/api/v1/groups/gb/invitations", json::object(), dora).status, 404);
  EXPECT_EQ(Accept(token_b, erik).status, 404) << "B's invitation on A's host";
  EXPECT_EQ(Api("DELETE", "/api/v1/groups/gb/members/" + std::to_string(dora_id), json(), dora).status, 404);
  EXPECT_EQ(Api("POST", "/api/v1/groups/gb/verify", json::object(), *manager_).status, 404);
  auto proposed = Propose(dora, "I B:s namn", json{{"group", "gb"}});
  EXPECT_EQ(proposed.status, 422) << proposed.body;
  EXPECT_EQ(Code(proposed), "proposals.problem.group");
  EXPECT_EQ(Api("POST", "/api/v1/groups/gb/verify", json::object(), *manager_b_, kHostB).status, 200) << "B's manager verifies on B";

  // Slugs are per organisation: A may have its own "gb", and neither is the other.
  EXPECT_EQ(StartGroup(erik, json{{"name", "Gruppen i A"}, {"slug", "gb"}}), "gb");
  EXPECT_EQ(Group("gb")["name"], "Gruppen i A");
  EXPECT_EQ(Group("gb", "", kHostB)["name"], "Gruppen i B");
  EXPECT_EQ(Group("gb", "", kHostB)["member_count"], 1);
  EXPECT_EQ(Accept(token_b, fia, kHostB).status, 200) << "on B's own host the link works";
  EXPECT_EQ(Propose(fia, "I B:s namn", json{{"group", "gb"}}, "pb", kHostB).status, 201);
  EXPECT_EQ(Group("gb")["proposals"].size(), 0u) << "A's group lists none of B's";
}

TEST_F(Groups, ThePagesWorkWithoutJavaScript) {
  Resident("gun", "Gun Lärare");
  Resident("hugo", "Hugo <b>Elev</b>");
  auto gun = Browser("gun");
  EXPECT_NE(gun->Get("/account").body.find("href=\"/groups\""), std::string::npos) << "the account page links to my groups";
  auto form = gun->Get("/groups/new");
  ASSERT_EQ(form.status, 200);
  const std::string csrf = FormValue(form.body, "csrf");
  EXPECT_EQ(gun->PostForm("/groups", {{"csrf", "forged"}, {"name", "x"}}).status, 403);
  auto invalid = gun->PostForm("/groups", {{"csrf", csrf}, {"name", ""}});
  EXPECT_EQ(invalid.status, 422);
  auto created = gun->PostForm("/groups", {{"csrf", csrf}, {"name", "Klass 5A <script>alert(1)</script>"}, {"description", "Vi & våra föräldrar"}});
  ASSERT_EQ(created.status, 303) << created.body;
  const std::string path = created.Header("location");
  ASSERT_EQ(path, "/groups/klass-5a-script-alert-1-script");
  auto page = gun->Get(path);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("<script>alert"), std::string::npos) << "names are escaped";
  EXPECT_NE(page.body.find("&lt;script&gt;"), std::string::npos);

  auto invited = gun->PostForm(path + "/invitations", {{"csrf", csrf}});
  ASSERT_EQ(invited.status, 200) << invited.body;
  const size_t at = invited.body.find("/groups/invitations/");
  ASSERT_NE(at, std::string::npos);
  const std::string invitation = invited.body.substr(at, invited.body.find('"', at) - at);

  auto hugo = Browser("hugo");
  auto offer = hugo->Get(invitation);
  ASSERT_EQ(offer.status, 200);
  EXPECT_NE(offer.body.find("action=\"" + invitation + "\""), std::string::npos);
  auto joined = hugo->PostForm(invitation, {{"csrf", FormValue(offer.body, "csrf")}});
  ASSERT_EQ(joined.status, 303);
  EXPECT_EQ(joined.Header("location"), path);
  auto mine = hugo->Get("/groups");
  EXPECT_NE(mine.body.find("href=\"" + path + "\""), std::string::npos);

  // Gun proposes in the class's name with Hugo as co-author, from the form.
  auto new_proposal = gun->Get("/processes/p/proposals/new");
  ASSERT_EQ(new_proposal.status, 200);
  const std::string slug = path.substr(std::string("/groups/").size());
  EXPECT_NE(new_proposal.body.find("name=\"group\""), std::string::npos);
  EXPECT_NE(new_proposal.body.find("<option value=\"" + slug + "\""), std::string::npos);
  EXPECT_NE(new_proposal.body.find("Hugo &lt;b&gt;Elev&lt;/b&gt;"), std::string::npos) << "fellow members are offered as co-authors, escaped";
  const size_t box = new_proposal.body.find("name=\"co_author\" value=\"");
  ASSERT_NE(box, std::string::npos);
  const size_t value_at = box + std::string("name=\"co_author\" value=\"").size();
  const std::string hugo_id = new_proposal.body.substr(value_at, new_proposal.body.find('"', value_at) - value_at);
  auto submitted = gun->PostForm("/processes/p/proposals", {{"csrf", FormValue(new_proposal.body, "csrf")}, {"title", "Fler cykelställ"},
                                                            {"body", "Vid skolan."}, {"budget", "a"}, {"cost", "20000"},
                                                            {"group", slug}, {"co_author", hugo_id}});
  ASSERT_EQ(submitted.status, 303) << submitted.body;
  auto shown = gun->Get(submitted.Header("location"));
  EXPECT_NE(shown.body.find("href=\"" + path + "\""), std::string::npos);
  EXPECT_NE(shown.body.find("Hugo &lt;b&gt;Elev&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(gun->Get(path).body.find("Fler cykelställ"), std::string::npos) << "the group's page lists it";
  auto outsider = gun->PostForm("/processes/p/proposals", {{"csrf", csrf}, {"title", "x"}, {"body", "x"}, {"budget", "a"}, {"cost", "1"},
                                                          {"group", "finns-inte"}});
  EXPECT_EQ(outsider.status, 422) << "the form comes back with the problem";

  // The owner removes Hugo from the page; Hugo is then told he is not a member.
  auto owner_page = gun->Get(path);
  const std::string remove = path + "/members/" + hugo_id + "/remove";
  EXPECT_NE(owner_page.body.find("action=\"" + remove + "\""), std::string::npos);
  EXPECT_EQ(hugo->PostForm(path + "/verify", {{"csrf", FormValue(offer.body, "csrf")}}).status, 403) << "residents do not verify";
  auto removed = gun->PostForm(remove, {{"csrf", csrf}});
  EXPECT_EQ(removed.status, 303);
  EXPECT_EQ(hugo->Get(path).body.find("Lämna gruppen"), std::string::npos);
}

}  // namespace
}  // namespace ting::testing

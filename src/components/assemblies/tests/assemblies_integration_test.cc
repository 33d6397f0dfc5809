// Citizens' assemblies over real HTTP against the real binary: set-up, registration (open and by
// invitation), the freeze and its public files, the draw checked by re-running `ting select` on
// what is published, households, seats and replacements that keep the quotas, sessions, the
// members' recommendations and the organisation's answers, privacy of the public views, and what
// is refused (4xx, never half-applied).

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http_client.h"

namespace ting::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kPassword = "a long test password";
constexpr const char* kHostB = "b.example";
constexpr const char* kSeed = "12 17 23 31 40";

// One volunteer as registered: what the public must never see (name, email, phone) and what the
// quotas count (answers).
struct Volunteer {
  std::string name, email, phone, household;
  json answers;
};

// Volunteers by the id the API gave them.
using Pool = std::map<std::string, Volunteer>;

// A published CSV file as rows of column -> value (the files quote nothing: pseudonyms, values).
using CsvRows = std::vector<std::map<std::string, std::string>>;

std::vector<std::string> SplitLine(const std::string& line) {
  std::vector<std::string> fields(1);
  for (char c : line) {
    if (c == ',') fields.emplace_back();
    else fields.back() += c;
  }
  return fields;
}

CsvRows ParseCsv(const std::string& text, std::vector<std::string>* header = nullptr) {
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> columns;
  CsvRows rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields = SplitLine(line);
    if (columns.empty()) {
      columns = fields;
      continue;
    }
    std::map<std::string, std::string> row;
    for (size_t c = 0; c < columns.size() && c < fields.size(); ++c) row[columns[c]] = fields[c];
    rows.push_back(row);
  }
  if (header) *header = columns;
  return rows;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Digits(const std::string& s) {
  std::string out;
  for (char c : s)
    if (std::isdigit(static_cast<unsigned char>(c))) out += c;
  return out;
}

bool IsHex64(const json& v) {
  if (!v.is_string()) return false;
  const std::string s = v.get<std::string>();
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c) || (c >= 'a' && c <= 'f'); });
}

// An id as the API gives it (a number or a string) as text for paths and maps.
std::string IdText(const json& id) { return id.is_string() ? id.get<std::string>() : id.dump(); }

std::vector<std::string> SortedTexts(const json& array) {
  std::vector<std::string> out;
  if (array.is_array())
    for (const auto& v : array) out.push_back(IdText(v));
  std::sort(out.begin(), out.end());
  return out;
}

json Quota(int min, int max) { return {{"min", min}, {"max", max}}; }

json Answers(const std::string& gender, const std::string& age = "") {
  json a = {{"gender", gender}};
  if (!age.empty()) a["age"] = age;
  return a;
}

// Volunteer n of an assembly: a name, email and phone of their own.
void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
}

Volunteer Person(const std::string& slug, int n, json answers, const std::string& household = "") {
  std::string nn = std::to_string(n);
  if (n < 10) nn.insert(nn.begin(), '0');
  return {"Volunteer Name " + std::to_string(n), "v" + nn + "." + slug + "@example.se", "070-123 45 " + nn, household,
          std::move(answers)};
}

class Assemblies : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(TempPath("assemblies.db"));
    std::string out;
    auto ting = [&](std::vector<std::string> args) { ASSERT_EQ(RunTing(args, &out), 0) << out; };
    ting({"user", "add", "--db", *db_, "--email", "manager@example.se", "--password", kPassword, "--role", "manager"});
    ting({"user", "add", "--db", *db_, "--email", "admin@example.se", "--password", kPassword, "--role", "admin"});
    ting({"user", "add", "--db", *db_, "--email", "resident@example.se", "--password", kPassword});
    ting({"org", "add", "--db", *db_, "--slug", "b", "--name", "B kommun", "--host", kHostB});
    ting({"user", "add", "--db", *db_, "--email", "admin-b@example.se", "--password", kPassword, "--role", "admin", "--org", "b"});
    server_ = new ServerProcess(*db_);
    manager_ = new std::string(Token("manager@example.se"));
    admin_ = new std::string(Token("admin@example.se"));
    resident_ = new std::string(Token("resident@example.se"));
    admin_b_ = new std::string(Token("admin-b@example.se", kHostB));
    ASSERT_FALSE(manager_->empty() || admin_->empty() || resident_->empty() || admin_b_->empty());
  }
  static void TearDownTestSuite() {
    delete server_;
    for (auto* s : {db_, manager_, admin_, resident_, admin_b_}) delete s;
  }

  static HttpResponse Call(const std::string& method, const std::string& path, const std::string& body,
                           std::map<std::string, std::string> headers) {
    return HttpClient(server_->port()).Request(method, path, body, std::move(headers));
  }
  // JSON with a bearer token (empty: none), on organisation A unless host says otherwise.
  static HttpResponse Api(const std::string& method, const std::string& path, const json& body, const std::string& token,
                          const std::string& host = "") {
    std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    if (!host.empty()) headers["Host"] = host;
    return Call(method, path, body.is_null() ? std::string() : body.dump(), headers);
  }
  // JSON as a panel member: the seat key in X-Ting-Seat, no account.
  static HttpResponse AsMember(const std::string& method, const std::string& path, const json& body, const std::string& key) {
    return Call(method, path, body.is_null() ? std::string() : body.dump(),
                {{"Content-Type", "application/json"}, {"X-Ting-Seat", key}});
  }
  static HttpResponse Anonymous(const std::string& path) { return Call("GET", path, "", {}); }
  static HttpResponse CsvImport(const std::string& slug, const std::string& csv, const std::string& token) {
    return Call("POST", A(slug, "/volunteers/import"), csv,
                {{"Content-Type", "text/csv; charset=utf-8"}, {"Authorization", "Bearer " + token}});
  }
  static std::string Token(const std::string& email, const std::string& host = "") {
    auto r = Api("POST", "/api/v1/session", json{{"email", email}, {"password", kPassword}}, "", host);
    return r.status == 200 ? json::parse(r.body)["token"].get<std::string>() : "";
  }
  static json Body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

  static std::string A(const std::string& slug, const std::string& rest = "") { return "/api/v1/assemblies/" + slug + rest; }

  static json AssemblyBody(const std::string& slug, int panel, const json& features, bool households = false,
                           const std::string& registration = "open") {
    return {{"slug", slug},
            {"title", {{"sv", "Medborgarråd " + slug}, {"en", "Citizens' assembly " + slug}}},
            {"question", {{"sv", "Hur når staden klimatmålen?"}, {"en", "How does the city meet its climate goals?"}}},
            {"panel_size", panel},
            {"households", households},
            {"registration", registration},
            {"features", features},
            {"support_threshold", 80}};
  }
  // Creates an assembly as the manager; the answer, or null when it was refused.
  static json Create(const json& body) {
    auto r = Api("POST", "/api/v1/assemblies", body, *manager_);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? Body(r) : json();
  }
  static json Assembly(const std::string& slug) {
    auto r = Anonymous(A(slug));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Body(r) : json();
  }
  static std::string Stage(const std::string& slug) {
    json a = Assembly(slug);
    return a.is_object() && a["stage"].is_string() ? a["stage"].get<std::string>() : "";
  }

  // Registers through the public API; overrides replace fields of the body (null removes one).
  static HttpResponse Register(const std::string& slug, const Volunteer& v, const json& overrides = json::object(),
                               const std::string& host = "") {
    json body = {{"name", v.name}, {"email", v.email}, {"phone", v.phone}, {"answers", v.answers}, {"consent", true}};
    if (!v.household.empty()) body["household"] = v.household;
    for (auto it = overrides.begin(); it != overrides.end(); ++it) {
      if (it.value().is_null()) body.erase(it.key());
      else body[it.key()] = it.value();
    }
    return Api("POST", A(slug, "/volunteers"), body, "", host);
  }
  static std::string Registered(const std::string& slug, const Volunteer& v, const json& overrides = json::object()) {
    auto r = Register(slug, v, overrides);
    EXPECT_EQ(r.status, 201) << v.name << ": " << r.body;
    return r.status == 201 ? IdText(Body(r)["id"]) : "";
  }
  static Pool RegisterAll(const std::string& slug, const std::vector<Volunteer>& people) {
    Pool pool;
    for (const auto& v : people) pool[Registered(slug, v)] = v;
    EXPECT_EQ(pool.size(), people.size()) << "every volunteer got an id of their own";
    return pool;
  }
  static json PoolOf(const std::string& slug) {
    auto r = Api("GET", A(slug, "/pool"), json(), *manager_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Body(r) : json();
  }
  static int64_t PoolSize(const std::string& slug) {
    json p = PoolOf(slug);
    return p.is_object() && p["volunteers"].is_number_integer() ? p["volunteers"].get<int64_t>() : -1;
  }

  static HttpResponse Freeze(const std::string& slug, const json& body = json::object()) {
    return Api("POST", A(slug, "/freeze"), body, *manager_);
  }
  // The manager's draw with kSeed; its answer, or null.
  static json Draw(const std::string& slug) {
    auto r = Api("POST", A(slug, "/draw"), json{{"seed", kSeed}}, *manager_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Body(r) : json();
  }
  static json PublicDraw(const std::string& slug) {
    auto r = Anonymous(A(slug, "/draw"));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Body(r) : json();
  }
  // Created, registered, frozen and drawn; the pool by id.
  static Pool Drawn(const std::string& slug, int panel, const json& features, const std::vector<Volunteer>& people) {
    if (Create(AssemblyBody(slug, panel, features)).is_null()) return {};
    Pool pool = RegisterAll(slug, people);
    auto frozen = Freeze(slug);
    EXPECT_EQ(frozen.status, 200) << frozen.body;
    EXPECT_EQ(SortedTexts(Draw(slug)["panel"]).size(), static_cast<size_t>(panel));
    return pool;
  }

  static json PanelOf(const std::string& slug) {
    auto r = Api("GET", A(slug, "/panel"), json(), *manager_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Body(r) : json();
  }
  static json Member(const json& panel, const std::string& id) {
    for (const auto& m : panel.value("members", json::array()))
      if (IdText(m["id"]) == id) return m;
    return json();
  }
  // The key of a seat link /assemblies/{slug}/seat/{key}.
  static std::string SeatKey(const json& member) {
    const std::string url = member.value("seat_url", std::string());
    return url.substr(url.rfind('/') + 1);
  }
  // Ids of members whose seat is not declined.
  static std::vector<std::string> SeatHolders(const json& panel) {
    std::vector<std::string> ids;
    for (const auto& m : panel.value("members", json::array()))
      if (m.value("seat", std::string()) != "declined") ids.push_back(IdText(m.value("id", json())));
    return ids;
  }
  // Every quota holds for these seat holders, counted from the answers they registered.
  static void ExpectQuotasHold(const json& features, const std::vector<std::string>& holders, const Pool& pool) {
    for (auto f = features.begin(); f != features.end(); ++f) {
      for (auto v = f.value().begin(); v != f.value().end(); ++v) {
        int count = 0;
        for (const auto& id : holders)
          if (pool.count(id) && Lower(pool.at(id).answers.value(f.key(), std::string())) == v.key()) ++count;
        EXPECT_GE(count, v.value()["min"].get<int>()) << f.key() << "=" << v.key();
        EXPECT_LE(count, v.value()["max"].get<int>()) << f.key() << "=" << v.key();
      }
    }
  }

  // `ting select` on the published files, as an auditor runs it.
  static json SelectCli(const std::string& slug, int panel, const std::string& address_columns = "") {
    const std::string people = TempPath(slug + "-people.csv"), categories = TempPath(slug + "-categories.csv");
    WriteFile(people, Anonymous(A(slug, "/draw/people.csv")).body);
    WriteFile(categories, Anonymous(A(slug, "/draw/categories.csv")).body);
    std::vector<std::string> args = {"select", "--people", people, "--categories", categories, "--panel", std::to_string(panel),
                                     "--id-column", "id", "--seed", kSeed, "--json"};
    if (!address_columns.empty()) args.insert(args.end(), {"--address-columns", address_columns});
    std::string out;
    EXPECT_EQ(RunTing(args, &out), 0) << out;
    // Progress lines ("ting select: ...") come first on stderr; the answer is one JSON line.
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line))
      if (!line.empty() && line[0] == '{') return json::parse(line, nullptr, false);
    ADD_FAILURE() << "no JSON from ting select: " << out;
    return json();
  }
  // A record of a draw (by pseudonym) says what `ting select` says on the published files.
  static void ExpectSameAsCli(json record, json cli) {
    ASSERT_TRUE(cli.is_object() && record.is_object());
    EXPECT_EQ(cli["inputs_sha256"], record["inputs_sha256"]);
    EXPECT_EQ(SortedTexts(cli["panel"]), SortedTexts(record["panel"]));
    ASSERT_TRUE(record["probabilities"].is_object()) << record.dump();
    EXPECT_EQ(cli["probabilities"].size(), record["probabilities"].size());
    for (auto p = cli["probabilities"].begin(); p != cli["probabilities"].end(); ++p) {
      ASSERT_TRUE(record["probabilities"].contains(p.key())) << p.key();
      EXPECT_NEAR(record["probabilities"][p.key()].get<double>(), p.value().get<double>(), 1e-9) << p.key();
    }
    EXPECT_NEAR(record["min_probability"].get<double>(), cli["min_probability"].get<double>(), 1e-9);
  }

  static std::string* db_;
  static ServerProcess* server_;
  static std::string *manager_, *admin_, *resident_, *admin_b_;
};
std::string* Assemblies::db_ = nullptr;
ServerProcess* Assemblies::server_ = nullptr;
std::string *Assemblies::manager_ = nullptr, *Assemblies::admin_ = nullptr, *Assemblies::resident_ = nullptr,
            *Assemblies::admin_b_ = nullptr;

TEST_F(Assemblies, FromRegistrationToAPublicDrawThatTingSelectReproduces) {
  const std::string slug = "helhet";
  const json features = {{"gender", {{"female", Quota(1, 3)}, {"male", Quota(1, 3)}}},
                         {"age", {{"young", Quota(1, 3)}, {"old", Quota(1, 3)}}}};
  json created = Create(AssemblyBody(slug, 4, features));
  ASSERT_FALSE(created.is_null());
  EXPECT_EQ(created["slug"], slug);
  EXPECT_EQ(created["panel_size"], 4);
  EXPECT_EQ(created["households"], false);
  EXPECT_EQ(created["registration"], "open");
  EXPECT_EQ(created["features"], features) << "min/max quotas come back as sent";
  EXPECT_EQ(created["stage"], "registration");
  EXPECT_EQ(Assembly(slug)["title"]["sv"], "Medborgarråd " + slug);

  // 14 volunteers: odd numbers female, multiples of three young; the last answers in capitals.
  std::vector<Volunteer> people;
  for (int n = 1; n <= 14; ++n) people.push_back(Person(slug, n, Answers(n % 2 ? "female" : "male", n % 3 ? "old" : "young")));
  people.back().answers = Answers("MALE", "Old");
  Pool pool = RegisterAll(slug, std::vector<Volunteer>(people.begin(), people.end() - 1));
  const std::string needs = "Needs text of volunteer fourteen";
  pool[Registered(slug, people.back(), {{"needs", {{"dietary", needs}}}, {"language", "en"}})] = people.back();
  ASSERT_EQ(pool.size(), 14u);

  json counted = PoolOf(slug);
  EXPECT_EQ(counted["volunteers"], 14);
  EXPECT_EQ(counted["features"]["gender"]["female"]["count"], 7);
  EXPECT_EQ(counted["features"]["gender"]["male"]["count"], 7) << "answers match without case";
  EXPECT_EQ(counted["features"]["age"]["young"]["count"], 4);
  EXPECT_EQ(counted["features"]["age"]["old"]["count"], 10);
  EXPECT_EQ(counted["features"]["age"]["young"]["min"], 1);
  EXPECT_EQ(counted["features"]["age"]["young"]["max"], 3);
  EXPECT_TRUE(counted["warnings"].is_array() && counted["warnings"].empty()) << counted.dump();

  auto frozen = Freeze(slug);
  ASSERT_EQ(frozen.status, 200) << frozen.body;
  const json digest = Body(frozen)["inputs_sha256"];
  EXPECT_TRUE(IsHex64(digest)) << frozen.body;
  EXPECT_TRUE(Body(frozen).contains("draw_at")) << frozen.body;
  EXPECT_EQ(Stage(slug), "frozen");
  EXPECT_EQ(Register(slug, Person(slug, 15, Answers("female", "young"))).status, 409) << "no registration after the freeze";
  EXPECT_EQ(PoolSize(slug), 14);

  // The published inputs: pseudonyms and feature values, sorted by id, LF, no BOM.
  auto people_csv = Anonymous(A(slug, "/draw/people.csv"));
  ASSERT_EQ(people_csv.status, 200) << people_csv.body;
  EXPECT_NE(people_csv.Header("content-type").find("text/csv"), std::string::npos);
  EXPECT_EQ(people_csv.body.find('\r'), std::string::npos);
  EXPECT_NE(people_csv.body.rfind("\xEF\xBB\xBF", 0), 0u) << "no BOM";
  std::vector<std::string> header;
  CsvRows rows = ParseCsv(people_csv.body, &header);
  EXPECT_EQ(std::set<std::string>(header.begin(), header.end()), (std::set<std::string>{"id", "gender", "age"}));
  ASSERT_EQ(rows.size(), 14u);
  std::vector<std::string> ids;
  int female = 0;
  for (const auto& row : rows) {
    ids.push_back(row.at("id"));
    EXPECT_EQ(row.at("id").rfind("P-", 0), 0u) << row.at("id");
    EXPECT_EQ(row.at("id").size(), 12u) << row.at("id");
    female += Lower(row.at("gender")) == "female";
  }
  EXPECT_EQ(female, 7);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 14u) << "one pseudonym each";
  auto categories_csv = Anonymous(A(slug, "/draw/categories.csv"));
  ASSERT_EQ(categories_csv.status, 200) << categories_csv.body;
  std::set<std::string> quotas;
  for (const auto& row : ParseCsv(categories_csv.body, &header))
    quotas.insert(row.at("feature") + "," + row.at("value") + "," + row.at("min") + "," + row.at("max"));
  EXPECT_EQ(header, (std::vector<std::string>{"feature", "value", "min", "max"}));
  EXPECT_EQ(quotas, (std::set<std::string>{"gender,female,1,3", "gender,male,1,3", "age,young,1,3", "age,old,1,3"}));

  json drawn = Draw(slug);
  ASSERT_TRUE(drawn.is_object());
  EXPECT_EQ(drawn["seed"], kSeed);
  EXPECT_EQ(drawn["inputs_sha256"], digest);
  ASSERT_EQ(drawn["panel"].size(), 4u);
  for (const auto& id : drawn["panel"]) EXPECT_EQ(pool.count(IdText(id)), 1u) << "the panel is volunteer ids";
  EXPECT_EQ(drawn["panel_pseudonyms"].size(), 4u);
  EXPECT_EQ(drawn["reserves"].size(), 4u) << "the published reserve list is panel_size long";
  EXPECT_EQ(Stage(slug), "panel");

  json record = PublicDraw(slug);
  EXPECT_EQ(SortedTexts(record["panel"]), SortedTexts(drawn["panel_pseudonyms"])) << "the public panel is pseudonyms";
  EXPECT_EQ(record["reserves"], drawn["reserve_pseudonyms"]) << "in the public reserve order";
  for (const auto& p : record["panel"]) EXPECT_TRUE(std::binary_search(ids.begin(), ids.end(), p.get<std::string>())) << p;
  EXPECT_EQ(record["seed"], kSeed);
  EXPECT_EQ(record["inputs_sha256"], digest);
  EXPECT_TRUE(record["seat_changes"].is_array() && record["seat_changes"].empty());
  EXPECT_TRUE(record.contains("make_up"));
  const json cli = SelectCli(slug, 4);
  ExpectSameAsCli(record, cli);
  json by_pseudonym = drawn;  // the manager's answer too, its panel by pseudonym
  by_pseudonym["panel"] = drawn["panel_pseudonyms"];
  ExpectSameAsCli(by_pseudonym, cli);
  ExpectQuotasHold(features, SortedTexts(drawn["panel"]), pool);

  // The manager sees who was drawn; the public sees pseudonyms and values only.
  json panel = PanelOf(slug);
  ASSERT_EQ(panel["members"].size(), 4u);
  auto panel_csv = Api("GET", A(slug, "/panel?format=csv"), json(), *manager_);
  ASSERT_EQ(panel_csv.status, 200) << panel_csv.body;
  EXPECT_NE(panel_csv.Header("content-type").find("text/csv"), std::string::npos);
  // Contacts and links first, then the language and needs for planning the letters and sessions.
  EXPECT_EQ(panel_csv.body.substr(0, panel_csv.body.find('\n')), "name,email,phone,seat,seat_url,language,access,childcare,interpreter,dietary,other\r");
  for (const auto& id : drawn["panel"]) {
    const Volunteer& v = pool.at(IdText(id));
    EXPECT_EQ(Member(panel, IdText(id))["name"], v.name);
    EXPECT_NE(panel_csv.body.find(v.email), std::string::npos) << v.email;
  }
  auto page = Anonymous("/assemblies/" + slug);
  auto draw_page = Anonymous("/assemblies/" + slug + "/draw");
  ASSERT_EQ(page.status, 200);
  ASSERT_EQ(draw_page.status, 200);
  EXPECT_TRUE(page.body.find("Medborgarråd " + slug) != std::string::npos || page.body.find("assembly " + slug) != std::string::npos)
      << "the page shows the title";
  EXPECT_NE(draw_page.body.find(digest.get<std::string>()), std::string::npos) << "the draw page shows the digest";
  for (const auto& p : record["panel"]) EXPECT_NE(draw_page.body.find(p.get<std::string>()), std::string::npos) << p;
  const std::vector<std::pair<std::string, std::string>> public_views = {
      {"assembly", Anonymous(A(slug)).body},   {"draw", Anonymous(A(slug, "/draw")).body},
      {"people.csv", people_csv.body},         {"categories.csv", categories_csv.body},
      {"page", page.body},                     {"draw page", draw_page.body},
      {"sessions", Anonymous(A(slug, "/sessions")).body}};
  for (const auto& [what, body] : public_views) {
    for (const auto& [id, v] : pool) {
      for (const std::string& secret : {v.name, v.email, v.phone, Digits(v.phone), needs})
        EXPECT_EQ(body.find(secret), std::string::npos) << what << " shows " << secret;
    }
  }

  auto again = Api("POST", A(slug, "/draw"), json{{"seed", "1 2 3 4 5"}}, *manager_);
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(PublicDraw(slug)["panel"], record["panel"]) << "one draw only";
}

TEST_F(Assemblies, OneSeatPerHouseholdAndThePublishedHouseholdColumn) {
  const std::string slug = "hushall";
  const json features = {{"gender", {{"female", Quota(1, 3)}, {"male", Quota(1, 3)}}}};
  ASSERT_FALSE(Create(AssemblyBody(slug, 4, features, true)).is_null());
  // Household "storgatan 1" of three and "lillgatan 5" of two, spelled differently; five alone.
  const std::vector<std::pair<std::string, std::string>> homes = {
      {"Storgatan 1", "storgatan 1"}, {"storgatan  1", "storgatan 1"}, {" STORGATAN 1", "storgatan 1"},
      {"Lillgatan 5", "lillgatan 5"}, {"lillgatan 5 ", "lillgatan 5"}, {"Torget 2", "torget 2"},
      {"Backen 3", "backen 3"},       {"Ängen 4", "ängen 4"},          {"", "alone 9"},
      {"", "alone 10"}};
  std::vector<Volunteer> people;
  std::map<std::string, std::string> home_of_name;
  for (size_t i = 0; i < homes.size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    people.push_back(Person(slug, n, Answers(n % 2 ? "female" : "male"), homes[i].first));
    home_of_name[people.back().name] = homes[i].second;
  }
  Pool pool = RegisterAll(slug, people);
  auto frozen = Freeze(slug);
  ASSERT_EQ(frozen.status, 200) << frozen.body;

  std::vector<std::string> header;
  CsvRows rows = ParseCsv(Anonymous(A(slug, "/draw/people.csv")).body, &header);
  EXPECT_EQ(std::set<std::string>(header.begin(), header.end()), (std::set<std::string>{"id", "household", "gender"}));
  ASSERT_EQ(rows.size(), 10u);
  std::map<std::string, int> household_sizes;
  std::map<std::string, std::string> household_of;
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("household").rfind("H-", 0), 0u) << row.at("household");
    ++household_sizes[row.at("household")];
    household_of[row.at("id")] = row.at("household");
  }
  std::multiset<int> sizes;
  for (const auto& [h, n] : household_sizes) sizes.insert(n);
  EXPECT_EQ(sizes, (std::multiset<int>{1, 1, 1, 1, 1, 2, 3})) << "same pseudonym for one household, unique otherwise";

  json drawn = Draw(slug);
  ASSERT_EQ(drawn["panel"].size(), 4u);
  std::set<std::string> homes_drawn, households_drawn;
  for (const auto& id : drawn["panel"]) homes_drawn.insert(home_of_name[pool[IdText(id)].name]);
  for (const auto& p : drawn["panel_pseudonyms"]) households_drawn.insert(household_of[p.get<std::string>()]);
  EXPECT_EQ(homes_drawn.size(), 4u) << "never two of one household";
  EXPECT_EQ(households_drawn.size(), 4u) << "never two of one published household";

  json cli = SelectCli(slug, 4, "household");
  EXPECT_EQ(cli["inputs_sha256"], Body(frozen)["inputs_sha256"]) << "the digest covers the household column";
  ExpectSameAsCli(PublicDraw(slug), cli);
}

TEST_F(Assemblies, InfeasibleQuotasFreezeNothingUntilTheyAreEdited) {
  const std::string slug = "omojlig";
  json body = AssemblyBody(slug, 4, {{"gender", {{"female", Quota(4, 4)}, {"male", Quota(0, 4)}}}});
  ASSERT_FALSE(Create(body).is_null());
  std::vector<Volunteer> people;
  for (int n = 1; n <= 8; ++n) people.push_back(Person(slug, n, Answers(n <= 2 ? "female" : "male")));
  RegisterAll(slug, people);
  json counted = PoolOf(slug);
  EXPECT_EQ(counted["features"]["gender"]["female"]["count"], 2);
  EXPECT_FALSE(counted["warnings"].empty()) << "fewer women than the minimum: " << counted.dump();

  auto refused = Freeze(slug);
  ASSERT_EQ(refused.status, 422) << refused.body;
  json error = Body(refused);
  EXPECT_EQ(error["code"], "assemblies.infeasible");
  EXPECT_TRUE(error["conflicts"].is_array() && !error["conflicts"].empty()) << refused.body;
  EXPECT_TRUE(error.contains("error"));
  EXPECT_EQ(Stage(slug), "registration") << "nothing is frozen";
  EXPECT_NE(Anonymous(A(slug, "/draw/people.csv")).status, 200) << "no published inputs";
  EXPECT_FALSE(Registered(slug, Person(slug, 9, Answers("female"))).empty()) << "registration is still open";

  body.erase("slug");
  body["features"] = {{"gender", {{"female", Quota(1, 3)}, {"male", Quota(1, 3)}}}};
  auto edited = Api("PUT", A(slug), body, *manager_);
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(Assembly(slug)["features"], body["features"]);
  auto frozen = Freeze(slug);
  ASSERT_EQ(frozen.status, 200) << frozen.body;
  EXPECT_TRUE(IsHex64(Body(frozen)["inputs_sha256"]));
  EXPECT_EQ(Stage(slug), "frozen");

  json late = body;
  late["features"] = {{"gender", {{"female", Quota(0, 4)}, {"male", Quota(0, 4)}}}};
  auto too_late = Api("PUT", A(slug), late, *manager_);
  EXPECT_GE(too_late.status, 400) << too_late.body;
  EXPECT_LT(too_late.status, 500) << too_late.body;
  EXPECT_EQ(Assembly(slug)["features"], body["features"]) << "frozen quotas stay";
}

TEST_F(Assemblies, ADeclinedSeatGoesToSomeoneWhoKeepsEveryQuota) {
  const std::string slug = "ersattare";
  const json features = {{"gender", {{"female", Quota(2, 2)}, {"male", Quota(2, 2)}}},
                         {"age", {{"young", Quota(1, 3)}, {"old", Quota(1, 3)}}}};
  std::vector<Volunteer> people;
  for (int n = 1; n <= 10; ++n) people.push_back(Person(slug, n, Answers(n % 2 ? "female" : "male", n % 3 ? "old" : "young")));
  Pool pool = Drawn(slug, 4, features, people);
  ASSERT_EQ(pool.size(), 10u);
  json before = PanelOf(slug);
  ASSERT_EQ(before["members"].size(), 4u);
  const std::vector<std::string> drawn = SeatHolders(before);
  const std::string out = drawn[0];

  auto declined = Api("POST", A(slug, "/panel/" + out), json{{"answer", "decline"}}, *manager_);
  ASSERT_EQ(declined.status, 200) << declined.body;
  EXPECT_EQ(Body(declined)["seat"], "declined");
  const json replacement = Body(declined)["replacement"];
  ASSERT_FALSE(replacement.is_null()) << "the pool has people who keep the quotas";
  const std::string in = IdText(replacement);
  EXPECT_EQ(std::count(drawn.begin(), drawn.end(), in), 0) << "someone new";
  EXPECT_EQ(pool.at(in).answers["gender"], pool.at(out).answers["gender"]) << "gender is bound 2/2";

  json after = PanelOf(slug);
  std::vector<std::string> holders = SeatHolders(after);
  EXPECT_EQ(holders.size(), 4u);
  EXPECT_EQ(std::count(holders.begin(), holders.end(), out), 0);
  EXPECT_EQ(std::count(holders.begin(), holders.end(), in), 1);
  EXPECT_EQ(Member(after, in)["seat"], "invited");
  ExpectQuotasHold(features, holders, pool);

  json changes = PublicDraw(slug)["seat_changes"];
  ASSERT_EQ(changes.size(), 1u) << changes.dump();
  EXPECT_EQ(changes[0]["out"], Member(before, out)["pseudonym"]);
  EXPECT_EQ(changes[0]["in"], Member(after, in)["pseudonym"]);
  EXPECT_TRUE(changes[0]["source"] == "reserve" || changes[0]["source"] == "redraw") << changes.dump();

  // Someone who holds no seat cannot be declined.
  std::string outsider;
  for (const auto& [id, v] : pool)
    if (Member(after, id).is_null()) outsider = id;
  ASSERT_FALSE(outsider.empty());
  auto not_seated = Api("POST", A(slug, "/panel/" + outsider), json{{"answer", "decline"}}, *manager_);
  EXPECT_GE(not_seated.status, 400) << not_seated.body;
  EXPECT_LT(not_seated.status, 500) << not_seated.body;
  EXPECT_EQ(PublicDraw(slug)["seat_changes"].size(), 1u);

  // When it has ended, the personal data goes and the public record stays as it was.
  const json record = PublicDraw(slug);
  EXPECT_EQ(Api("POST", A(slug, "/erase"), json::object(), *resident_).status, 403);
  auto erased = Api("POST", A(slug, "/erase"), json::object(), *manager_);
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(Body(erased)["erased"], 10);
  auto listed = Api("GET", A(slug, "/volunteers"), json(), *manager_);
  const json volunteers = Body(listed)["volunteers"];  // a named copy: a temporary's element would dangle in the loop
  ASSERT_EQ(volunteers.size(), 10u);
  for (const auto& v : volunteers) {
    EXPECT_EQ(v["name"], "");
    EXPECT_EQ(v["email"], "");
    EXPECT_EQ(v["phone"], "");
    EXPECT_FALSE(v["pseudonym"].get<std::string>().empty());
  }
  for (const auto& [id, v] : pool) EXPECT_EQ(listed.body.find(v.email), std::string::npos);
  EXPECT_EQ(PublicDraw(slug), record);
  EXPECT_EQ(Body(Api("POST", A(slug, "/erase"), json::object(), *manager_))["erased"], 0);
}

TEST_F(Assemblies, ASeatNobodyCanTakeWithinTheQuotasStaysEmptyOnRecord) {
  const std::string slug = "tomplats";
  const json features = {{"gender", {{"female", Quota(1, 1)}, {"male", Quota(1, 1)}}}};
  Pool pool = Drawn(slug, 2, features, {Person(slug, 1, Answers("female")), Person(slug, 2, Answers("male")), Person(slug, 3, Answers("male"))});
  std::string woman;
  for (const auto& [id, v] : pool)
    if (v.answers["gender"] == "female") woman = id;
  auto declined = Api("POST", A(slug, "/panel/" + woman), json{{"answer", "decline"}}, *manager_);
  ASSERT_EQ(declined.status, 200) << declined.body;
  EXPECT_TRUE(Body(declined)["replacement"].is_null()) << "no other woman: nobody keeps the quota";
  json changes = PublicDraw(slug)["seat_changes"];
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0]["source"], "none");
  EXPECT_TRUE(changes[0]["in"].is_null());
  EXPECT_EQ(SeatHolders(PanelOf(slug)).size(), 1u);
}

TEST_F(Assemblies, OnlyConfirmedMembersDraftAndVoteAndTheOrganisationAnswers) {
  const std::string slug = "rosta";
  std::vector<Volunteer> people;
  for (int n = 1; n <= 8; ++n) people.push_back(Person(slug, n, Answers(n % 2 ? "female" : "male")));
  Pool pool = Drawn(slug, 4, {{"gender", {{"female", Quota(1, 3)}, {"male", Quota(1, 3)}}}}, people);
  json panel = PanelOf(slug);
  ASSERT_EQ(panel["members"].size(), 4u);
  std::vector<std::string> keys, ids;
  for (const auto& m : panel["members"]) {
    keys.push_back(SeatKey(m));
    ids.push_back(IdText(m["id"]));
  }
  const std::string member_a = keys[0], member_b = keys[1], declined = keys[2], invited = keys[3];
  const std::string made_up = "not-a-seat-key-0123456789";

  // Two confirm, one declines, one has not answered.
  for (const auto& [key, answer] : std::vector<std::pair<std::string, std::string>>{
           {member_a, "confirm"}, {member_b, "confirm"}, {declined, "decline"}}) {
    auto r = AsMember("POST", A(slug, "/seat"), json{{"answer", answer}}, key);
    EXPECT_EQ(r.status, 200) << answer << ": " << r.body;
  }
  auto forged = AsMember("POST", A(slug, "/seat"), json{{"answer", "confirm"}}, made_up);
  EXPECT_GE(forged.status, 400);
  EXPECT_LT(forged.status, 500);
  panel = PanelOf(slug);
  EXPECT_EQ(Member(panel, ids[0])["seat"], "confirmed");
  EXPECT_EQ(Member(panel, ids[1])["seat"], "confirmed");
  EXPECT_EQ(Member(panel, ids[2])["seat"], "declined");
  EXPECT_EQ(Member(panel, ids[3])["seat"], "invited");

  // Sessions: public, the video link only for members and staff.
  const std::string video = "https://video.example/secret-room-rosta";
  auto session = Api("POST", A(slug, "/sessions"),
                     json{{"title", {{"sv", "Första mötet"}, {"en", "First meeting"}}}, {"starts_at", "2099-03-01T18:00"},
                          {"place", "Stadshuset"}, {"video_url", video}, {"agenda", {{"sv", "Välkomna"}}}},
                     *manager_);
  ASSERT_EQ(session.status, 201) << session.body;
  const std::string session_id = IdText(Body(session)["id"]);
  auto sessions = Anonymous(A(slug, "/sessions"));
  ASSERT_EQ(sessions.status, 200) << sessions.body;
  ASSERT_EQ(Body(sessions)["sessions"].size(), 1u);
  EXPECT_EQ(Body(sessions)["sessions"][0]["place"], "Stadshuset");
  EXPECT_EQ(sessions.body.find("secret-room"), std::string::npos) << "no video link for the public";
  EXPECT_EQ(Body(AsMember("GET", A(slug, "/sessions"), json(), member_a))["sessions"][0]["video_url"], video);
  EXPECT_EQ(Body(Api("GET", A(slug, "/sessions"), json(), *manager_))["sessions"][0]["video_url"], video);
  EXPECT_EQ(Stage(slug), "sessions");
  const json present = json::array({Member(panel, ids[0])["id"], Member(panel, ids[1])["id"]});
  EXPECT_EQ(Api("PUT", A(slug, "/sessions/" + session_id + "/attendance"), json{{"present", present}}, *manager_).status, 200);
  EXPECT_EQ(Api("PUT", A(slug, "/sessions/" + session_id + "/attendance"), json{{"present", present}}, *resident_).status, 403);

  // Drafting: members only.
  const json draft = {{"title", "Solceller på skolor"}, {"body", "Alla skoltak får solceller."}};
  auto no_one = Api("POST", A(slug, "/recommendations"), draft, "");
  EXPECT_TRUE(no_one.status == 401 || no_one.status == 403) << no_one.status;
  EXPECT_EQ(Api("POST", A(slug, "/recommendations"), draft, *resident_).status, 403);
  for (const auto& key : {declined, invited, made_up}) EXPECT_EQ(AsMember("POST", A(slug, "/recommendations"), draft, key).status, 403);
  auto drafted = AsMember("POST", A(slug, "/recommendations"), draft, member_a);
  ASSERT_EQ(drafted.status, 201) << drafted.body;
  const json rec = Body(drafted)["id"];
  auto listed = [&](const HttpResponse& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    json list = Body(r);
    for (const auto& x : list["recommendations"])
      if (x.contains("id") && x["id"] == rec) return json(x);
    return json();
  };
  EXPECT_TRUE(listed(Anonymous(A(slug, "/recommendations"))).is_null()) << "a draft is not public";
  EXPECT_EQ(listed(AsMember("GET", A(slug, "/recommendations"), json(), member_b))["title"], draft["title"]);
  EXPECT_FALSE(listed(Api("GET", A(slug, "/recommendations"), json(), *manager_)).is_null());

  // Voting: one changeable vote per confirmed member; anyone else is refused.
  const std::string votes = A(slug, "/recommendations/" + IdText(rec) + "/votes");
  EXPECT_EQ(AsMember("POST", votes, json{{"vote", "no"}}, member_a).status, 200);
  EXPECT_EQ(AsMember("POST", votes, json{{"vote", "yes"}}, member_a).status, 200) << "changed while a draft";
  EXPECT_EQ(AsMember("POST", votes, json{{"vote", "yes"}}, member_b).status, 200);
  auto anonymous_vote = Api("POST", votes, json{{"vote", "no"}}, "");
  EXPECT_TRUE(anonymous_vote.status == 401 || anonymous_vote.status == 403) << anonymous_vote.status;
  EXPECT_EQ(Api("POST", votes, json{{"vote", "no"}}, *resident_).status, 403);
  EXPECT_EQ(Api("POST", votes, json{{"vote", "no"}}, *manager_).status, 403) << "staff are no members";
  for (const auto& key : {declined, invited, made_up}) EXPECT_EQ(AsMember("POST", votes, json{{"vote", "no"}}, key).status, 403);

  const std::string close = A(slug, "/recommendations/" + IdText(rec) + "/close");
  EXPECT_EQ(Api("POST", close, json::object(), *resident_).status, 403);
  // A seat key is no account: closing the vote needs a manager's sign-in (401 without one).
  EXPECT_EQ(AsMember("POST", close, json::object(), member_a).status, 401) << "members do not close the vote";
  auto closed = Api("POST", close, json::object(), *manager_);
  ASSERT_EQ(closed.status, 200) << closed.body;
  const json support = {{"yes", 2}, {"no", 0}, {"abstain", 0}, {"members", 2}};
  EXPECT_EQ(Body(closed)["status"], "adopted") << "2 × 100 ≥ 80 × 2";
  EXPECT_EQ(Body(closed)["support"], support);
  auto late_vote = AsMember("POST", votes, json{{"vote", "no"}}, member_b);
  EXPECT_GE(late_vote.status, 400) << "no votes after the close";
  EXPECT_LT(late_vote.status, 500);
  json adopted = listed(Anonymous(A(slug, "/recommendations")));
  EXPECT_EQ(adopted["status"], "adopted");
  EXPECT_EQ(adopted["support"], support);
  EXPECT_EQ(adopted["body"], draft["body"]);
  EXPECT_EQ(Stage(slug), "recommendations");

  // A split vote is not adopted and gets no answer.
  auto second = AsMember("POST", A(slug, "/recommendations"), json{{"title", "Bilfri stad"}, {"body", "Inga bilar."}}, member_b);
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string second_path = A(slug, "/recommendations/" + IdText(Body(second)["id"]));
  EXPECT_EQ(AsMember("POST", second_path + "/votes", json{{"vote", "yes"}}, member_a).status, 200);
  EXPECT_EQ(AsMember("POST", second_path + "/votes", json{{"vote", "no"}}, member_b).status, 200);
  auto split = Api("POST", second_path + "/close", json::object(), *manager_);
  ASSERT_EQ(split.status, 200) << split.body;
  EXPECT_EQ(Body(split)["status"], "not_adopted") << "1 × 100 < 80 × 2";
  EXPECT_EQ(Body(split)["support"], (json{{"yes", 1}, {"no", 1}, {"abstain", 0}, {"members", 2}}));
  const json answer = {{"decision", "accepted"}, {"answer", {{"sv", "Kommunen sätter solceller på alla skolor 2027."}}}};
  auto unadopted_answer = Api("POST", second_path + "/answer", answer, *manager_);
  EXPECT_GE(unadopted_answer.status, 400) << "adopted recommendations only";
  EXPECT_LT(unadopted_answer.status, 500);

  const std::string answer_path = A(slug, "/recommendations/" + IdText(rec) + "/answer");
  EXPECT_EQ(Api("POST", answer_path, answer, *resident_).status, 403);
  auto answered = Api("POST", answer_path, answer, *manager_);
  ASSERT_EQ(answered.status, 200) << answered.body;
  json shown = listed(Anonymous(A(slug, "/recommendations")));
  EXPECT_EQ(shown["decision"], "accepted");
  EXPECT_NE(shown["answer"].dump().find("solceller på alla skolor"), std::string::npos) << shown.dump();
  EXPECT_EQ(Stage(slug), "answers");
  auto page = Anonymous("/assemblies/" + slug);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Solceller på skolor"), std::string::npos) << "the public page shows the adopted recommendation";
}

TEST_F(Assemblies, InvitationOnlyRegistrationNeedsAnUnusedCode) {
  const std::string slug = "inbjudan";
  auto imported = Call("POST", "/api/v1/register",
                       "person_id;name;district;household\n1001;Inbjuden Ett;norr;Ängsvägen 1\n1002;Inbjuden Två;norr;Ängsvägen 2\n"
                       "1003;Inbjuden Tre;söder;Ängsvägen 3\n1004;Inbjuden Fyra;söder;Ängsvägen 4\n",
                       {{"Content-Type", "text/csv; charset=utf-8"}, {"Authorization", "Bearer " + *admin_}});
  ASSERT_EQ(imported.status, 200) << imported.body;
  ASSERT_FALSE(Create(AssemblyBody(slug, 2, {{"gender", {{"female", Quota(0, 2)}, {"male", Quota(0, 2)}}}}, false, "invitation"))
                   .is_null());
  EXPECT_EQ(Assembly(slug)["registration"], "invitation");

  EXPECT_EQ(Register(slug, Person(slug, 1, Answers("female"))).status, 422) << "no code";
  EXPECT_EQ(Register(slug, Person(slug, 1, Answers("female")), {{"code", "AAAA-BBBB-CCCC"}}).status, 422) << "unknown code";
  EXPECT_EQ(Api("POST", A(slug, "/invitations"), json{{"count", 3}, {"format", "json"}}, *resident_).status, 403);

  auto invited = Api("POST", A(slug, "/invitations"), json{{"count", 3}, {"format", "json"}}, *manager_);
  ASSERT_EQ(invited.status, 201) << invited.body;
  json codes = Body(invited)["codes"];
  ASSERT_EQ(codes.size(), 3u) << invited.body;
  std::set<std::string> distinct;
  for (const auto& c : codes) {
    EXPECT_NE(std::string("Inbjuden Ett|Inbjuden Två|Inbjuden Tre|Inbjuden Fyra").find(c["name"].get<std::string>()),
              std::string::npos)
        << c.dump();
    EXPECT_TRUE(c["district"] == "norr" || c["district"] == "söder") << c.dump();
    distinct.insert(c["code"].get<std::string>());
  }
  EXPECT_EQ(distinct.size(), 3u);
  const std::string code = codes[0]["code"].get<std::string>();
  EXPECT_EQ(Register(slug, Person(slug, 2, Answers("male")), {{"code", code}}).status, 201);
  EXPECT_EQ(Register(slug, Person(slug, 3, Answers("female")), {{"code", code}}).status, 409) << "a code registers one";
  EXPECT_EQ(Register(slug, Person(slug, 4, Answers("female")), {{"code", codes[1]["code"]}}).status, 201);
  EXPECT_EQ(PoolSize(slug), 2);

  // The last person not yet invited gets a printed letter; then nobody is left to invite.
  auto letters = Api("POST", A(slug, "/invitations"), json{{"count", 5}, {"format", "pdf"}}, *manager_);
  ASSERT_EQ(letters.status, 201) << letters.body;
  EXPECT_EQ(letters.Header("content-type"), "application/pdf");
  EXPECT_EQ(letters.body.substr(0, 5), "%PDF-");
  EXPECT_EQ(Api("POST", A(slug, "/invitations"), json{{"count", 1}, {"format", "csv"}}, *manager_).status, 422) << "everyone is invited";
}

TEST_F(Assemblies, VolunteersHearByMailAndStaffRecordWhoCameWithTheMaterial) {
  const std::string slug = "verktyg";
  const json features = {{"gender", {{"female", Quota(1, 1)}, {"male", Quota(1, 1)}}}};
  std::vector<Volunteer> people;
  for (int n = 1; n <= 4; ++n) people.push_back(Person(slug, n, Answers(n % 2 ? "female" : "male")));
  Pool pool = Drawn(slug, 2, features, people);
  ASSERT_EQ(pool.size(), 4u);
  auto outbox = [&] {
    auto r = Api("GET", "/api/v1/mail/outbox", json(), *manager_);
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r)["pending"];
  };
  auto count_to = [&](const json& pending, const std::string& to, const std::string& subject_part) {
    int n = 0;
    for (const auto& m : pending)
      if (m["to"] == to && m["subject"].get<std::string>().find(subject_part) != std::string::npos) ++n;
    return n;
  };
  json pending = outbox();
  json panel = PanelOf(slug);
  for (const auto& [id, v] : pool) {
    EXPECT_EQ(count_to(pending, v.email, "anmäld"), 1) << "a confirmation for " << v.email;
    const bool drawn = !Member(panel, id).is_null();
    EXPECT_EQ(count_to(pending, v.email, "lottats"), drawn ? 1 : 0) << "the seat link for the drawn only: " << v.email;
  }

  // A session with material; attendance names drawn members only, and only staff see it.
  auto session = Api("POST", A(slug, "/sessions"),
                     json{{"title", "Första mötet"}, {"starts_at", "2099-02-01T18:00"}, {"video_url", "https://video.example.se/rum"}}, *manager_);
  ASSERT_EQ(session.status, 201) << session.body;
  const std::string sessions = A(slug, "/sessions/" + IdText(Body(session)["id"]));
  auto doc = Call("POST", sessions + "/documents?name=underlag.pdf", "%PDF-1.4 underlag",
                  {{"Content-Type", "application/pdf"}, {"Authorization", "Bearer " + *manager_}});
  ASSERT_EQ(doc.status, 201) << doc.body;
  auto downloaded = Anonymous(Body(doc)["url"].get<std::string>());
  EXPECT_EQ(downloaded.status, 200);
  EXPECT_EQ(downloaded.body, "%PDF-1.4 underlag");
  const std::vector<std::string> seated = SeatHolders(panel);
  std::string outsider;
  for (const auto& [id, v] : pool)
    if (Member(panel, id).is_null()) outsider = id;
  EXPECT_EQ(Api("PUT", sessions + "/attendance", json{{"present", json::array({std::stoll(outsider)})}}, *manager_).status, 422)
      << "only drawn members attend";
  EXPECT_EQ(Api("PUT", sessions + "/attendance", json{{"present", json::array({"x"})}}, *manager_).status, 422);
  ASSERT_EQ(Api("PUT", sessions + "/attendance", json{{"present", json::array({std::stoll(seated[0])})}}, *manager_).status, 200);
  json staff_view = Body(Api("GET", A(slug, "/sessions"), json(), *manager_))["sessions"][0];
  EXPECT_EQ(staff_view["present"], json::array({std::stoll(seated[0])}));
  EXPECT_EQ(staff_view["documents"][0]["name"], "underlag.pdf");
  json public_view = Body(Anonymous(A(slug, "/sessions")))["sessions"][0];
  EXPECT_FALSE(public_view.contains("present"));
  EXPECT_FALSE(public_view.contains("video_url"));
  EXPECT_EQ(public_view["documents"][0]["url"], Body(doc)["url"]);
  auto page = Anonymous("/assemblies/" + slug);
  EXPECT_NE(page.body.find("underlag.pdf"), std::string::npos) << "the material is on the public page";
}

TEST_F(Assemblies, BadInputAndStrangersAreRefusedAndChangeNothing) {
  // Creating: staff only, well-typed, sensible sizes and names.
  const json good = AssemblyBody("bad7", 4, {{"gender", {{"female", Quota(1, 3)}, {"male", Quota(1, 3)}}}});
  EXPECT_EQ(Api("POST", "/api/v1/assemblies", good, *resident_).status, 403);
  EXPECT_EQ(Api("POST", "/api/v1/assemblies", good, "").status, 401);
  const std::vector<std::pair<std::string, json>> bad_fields = {
      {"panel_size", "4"},
      {"panel_size", 0},
      {"panel_size", -1},
      {"panel_size", 2.5},
      {"panel_size", 9223372036854775807LL},
      {"features", "gender"},
      {"features", json::array()},
      {"features", {{"gender", json::array({"female", "male"})}}},
      {"features", {{"id", {{"a", Quota(0, 4)}}}}},
      {"features", {{"household", {{"a", Quota(0, 4)}}}}},
      {"features", {{"gender", {{"female", Quota(3, 1)}}}}},
      {"features", {{"gender", {{"female", {{"min", "1"}, {"max", 2}}}}}}},
      {"registration", "sometimes"},
      {"households", "yes"},
  };
  for (const auto& [field, value] : bad_fields) {
    json body = good;
    body[field] = value;
    auto r = Api("POST", "/api/v1/assemblies", body, *manager_);
    EXPECT_EQ(r.status, 422) << field << "=" << value.dump() << ": " << r.body;
  }
  EXPECT_EQ(Anonymous(A("bad7")).status, 404) << "nothing was created";
  EXPECT_EQ(Anonymous(A("nowhere")).status, 404);

  // A share becomes min and max: floor/ceil of share × panel, widened by the tolerance.
  json shared = Create(AssemblyBody("andel7", 4, {{"gender", {{"female", {{"share", 0.5}}}, {"male", {{"share", 0.5}, {"tolerance", 0}}}}}}));
  ASSERT_FALSE(shared.is_null());
  EXPECT_EQ(shared["features"]["gender"]["female"]["min"], 1);
  EXPECT_EQ(shared["features"]["gender"]["female"]["max"], 3);
  EXPECT_EQ(shared["features"]["gender"]["male"]["min"], 2);
  EXPECT_EQ(shared["features"]["gender"]["male"]["max"], 2);

  // Registering: an answer for every feature among its values, and consent.
  const std::string slug = "valid7";
  ASSERT_FALSE(Create(AssemblyBody(slug, 4, {{"gender", {{"female", Quota(1, 3)}, {"male", Quota(1, 3)}}},
                                             {"age", {{"young", Quota(1, 3)}, {"old", Quota(1, 3)}}}}))
                   .is_null());
  const Volunteer v = Person(slug, 1, Answers("female", "young"));
  const std::vector<std::pair<std::string, json>> bad_registrations = {
      {"answer outside the values", {{"answers", Answers("robot", "young")}}},
      {"a feature unanswered", {{"answers", Answers("female")}}},
      {"answers not an object", {{"answers", "female"}}},
      {"consent false", {{"consent", false}}},
      {"consent missing", {{"consent", nullptr}}},
      {"consent as text", {{"consent", "true"}}},
  };
  for (const auto& [why, overrides] : bad_registrations) EXPECT_EQ(Register(slug, v, overrides).status, 422) << why;
  EXPECT_EQ(PoolSize(slug), 0) << "nothing registered";
  EXPECT_FALSE(Registered(slug, v).empty());

  // Importing: all rows or none.
  auto import = CsvImport(slug,
                          "name,email,phone,household,gender,age,consent\n"
                          "Importerad Ett,i1@example.se,070-111 22 33,,female,old,yes\nImporterad Två,,,Gatan 2,male,young,yes\n",
                          *manager_);
  ASSERT_EQ(import.status, 200) << import.body;
  EXPECT_EQ(Body(import)["imported"], 2);
  EXPECT_EQ(SortedTexts(Body(import)["ids"]).size(), 2u);
  EXPECT_EQ(PoolSize(slug), 3);
  auto bad_import = CsvImport(slug,
                              "name,email,phone,household,gender,age,consent\n"
                              "Importerad Tre,,,,female,old,yes\nImporterad Fyra,,,,robot,old,yes\nImporterad Fem,,,,male,old,no\n",
                              *manager_);
  EXPECT_EQ(bad_import.status, 422) << bad_import.body;
  EXPECT_EQ(PoolSize(slug), 3) << "a bad row imports nothing";
  EXPECT_EQ(CsvImport(slug, "name,gender,age,consent\nX,female,old,yes\n", *resident_).status, 403);

  // Residents and other organisations see no pool and change nothing.
  EXPECT_EQ(Api("GET", A(slug, "/pool"), json(), *resident_).status, 403);
  EXPECT_EQ(Api("GET", A(slug, "/pool"), json(), "").status, 401);
  EXPECT_EQ(Api("POST", A(slug, "/freeze"), json::object(), *resident_).status, 403);
  EXPECT_EQ(Api("GET", A(slug, "/pool"), json(), *admin_b_, kHostB).status, 404);
  EXPECT_EQ(Api("POST", A(slug, "/freeze"), json::object(), *admin_b_, kHostB).status, 404);
  EXPECT_EQ(Api("POST", A(slug, "/draw"), json{{"seed", kSeed}}, *admin_b_, kHostB).status, 404);
  EXPECT_EQ(Api("GET", A(slug), json(), "", kHostB).status, 404) << "A's assembly is not on B's host";
  EXPECT_EQ(Register(slug, Person(slug, 9, Answers("male", "old")), json::object(), kHostB).status, 404);
  EXPECT_EQ(Stage(slug), "registration");
  EXPECT_EQ(PoolSize(slug), 3);
}

}  // namespace
}  // namespace ting::testing

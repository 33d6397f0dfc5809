// The assemblies' model without a server: quotas from min/max and from population shares, the
// registration's answers, households, and the published inputs read back as `ting select`
// reads them.

#include <gtest/gtest.h>

#include "../assemblies_internal.h"
#include "ting/sortition/selection.h"

namespace ting::components::assemblies {
namespace {

const std::vector<std::string> kLangs = {"sv", "en"};

json Body() {
  return {{"slug", "rad"},
          {"title", {{"sv", "Rådet"}, {"en", "The assembly"}}},
          {"question", "Vad ska vi göra?"},
          {"panel_size", 10},
          {"households", true},
          {"features", {{"kön", {{"kvinna", {{"share", 0.51}}}, {"man", {{"share", 0.49}, {"tolerance", 0}}}}},
                        {"ålder", {{"ung", {{"min", 2}, {"max", 5}, {"label", {{"en", "young"}}}}}, {"äldre", {{"min", 5}, {"max", 8}}}}}}},
          {"questions", {{"kön", {{"sv", "Kön?"}}}}}};
}

TEST(AssemblyModel, QuotasFromSharesAreRoundedDownAndUpWithTheTolerance) {
  auto a = AssemblyFromJson(Body(), kLangs);
  ASSERT_TRUE(a.ok()) << a.error().message;
  const Feature* gender = a->FindFeature("kön");
  ASSERT_NE(gender, nullptr);
  const Quota* f = gender->Find("KVINNA");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->min, 4);  // floor(5.1) - 1
  EXPECT_EQ(f->max, 7);  // ceil(5.1) + 1
  const Quota* m = gender->Find("man");
  EXPECT_EQ(m->min, 4);  // floor(4.9) - 0
  EXPECT_EQ(m->max, 5);
  EXPECT_EQ(a->FindFeature("ålder")->Find("ung")->Label("en", "sv"), "young");
  EXPECT_EQ(a->FindFeature("ålder")->Find("ung")->Label("sv", "sv"), "ung");
  EXPECT_EQ(CategoriesCsv(*a), "feature,value,min,max\nkön,kvinna,4,7\nkön,man,4,5\nålder,ung,2,5\nålder,äldre,5,8\n");
}

TEST(AssemblyModel, RefusesWhatCannotBeAQuota) {
  for (const auto& [path, value] : std::vector<std::pair<std::string, json>>{
           {"/panel_size", 0}, {"/panel_size", "10"}, {"/panel_size", 9223372036854775807LL}, {"/features", json::array()},
           {"/features/kön/kvinna", json{{"min", 3}, {"max", 2}}}, {"/features/kön/kvinna", json{{"min", "1"}, {"max", 2}}},
           {"/features/kön/kvinna", json{{"share", 1.5}}}, {"/features/id", json{{"x", {{"min", 0}, {"max", 1}}}}},
           {"/registration", "sometimes"}, {"/questions/okänd", json{{"sv", "?"}}}, {"/title", json{{"fr", "x"}}}}) {
    json body = Body();
    body[json::json_pointer(path)] = value;
    EXPECT_FALSE(AssemblyFromJson(body, kLangs).ok()) << path << " = " << value.dump();
  }
}

TEST(AssemblyModel, AnswersMatchWithoutCaseAndConsentIsNeeded) {
  auto a = AssemblyFromJson(Body(), kLangs);
  ASSERT_TRUE(a.ok());
  auto v = VolunteerFromFields(*a, {{"name", " Ada "}, {"email", "ada@example.se"}}, {{"kön", "Kvinna"}, {"ålder", "ÄLDRE"}}, true);
  ASSERT_TRUE(v.ok()) << v.error().key;
  EXPECT_EQ(v->name, "Ada");
  EXPECT_EQ(v->answers.at("kön"), "kvinna");
  EXPECT_EQ(v->answers.at("ålder"), "äldre");
  EXPECT_EQ(VolunteerFromFields(*a, {{"name", "Ada"}, {"phone", "1"}}, {{"kön", "kvinna"}, {"ålder", "äldre"}}, false).error().key,
            "assemblies.problem.consent");
  EXPECT_EQ(VolunteerFromFields(*a, {{"name", "Ada"}, {"phone", "1"}}, {{"kön", "annat"}, {"ålder", "äldre"}}, true).error().key,
            "assemblies.problem.answer");
  EXPECT_EQ(VolunteerFromFields(*a, {{"name", "Ada"}, {"phone", "1"}}, {{"kön", "man"}}, true).error().key, "assemblies.problem.answer");
  EXPECT_EQ(VolunteerFromFields(*a, {{"name", "Ada"}}, {{"kön", "man"}, {"ålder", "ung"}}, true).error().key, "assemblies.problem.contact");
}

TEST(AssemblyModel, HouseholdsCompareWithoutCaseAndSpacing) {
  EXPECT_EQ(HouseholdKey("Storgatan  1"), HouseholdKey(" storgatan 1 "));
  EXPECT_EQ(HouseholdKey("STORGATAN 1, Solbacka"), HouseholdKey("storgatan 1 solbacka"));
  EXPECT_NE(HouseholdKey("Storgatan 1"), HouseholdKey("Storgatan 11"));
  EXPECT_EQ(HouseholdKey("   "), "");
}

TEST(AssemblyModel, PublishedInputsReadBackWithTheirHouseholds) {
  auto a = AssemblyFromJson(Body(), kLangs);
  ASSERT_TRUE(a.ok());
  std::vector<Volunteer> pool;
  for (int i = 0; i < 16; ++i) {
    Volunteer v;
    v.id = i + 1;
    v.pseudonym = "P-" + std::string(1, static_cast<char>('Z' - i));
    v.household_pseudonym = i < 2 ? "H-SAME" : "H-" + std::to_string(i);
    v.answers = {{"kön", i % 2 ? "man" : "kvinna"}, {"ålder", i % 3 ? "äldre" : "ung"}};
    pool.push_back(v);
  }
  const std::string people = PeopleCsv(*a, pool);
  EXPECT_EQ(people.substr(0, people.find('\n')), "id,household,kön,ålder");
  EXPECT_EQ(people.find('\r'), std::string::npos);
  auto in = ParseInputs(*a, people, CategoriesCsv(*a));
  ASSERT_TRUE(in.ok()) << in.error().message;
  EXPECT_EQ(in->pool.people.size(), 16u);
  EXPECT_EQ(in->pool.num_households, 1);
  EXPECT_EQ(in->pool.people.front().id, "P-K");  // sorted by id
  EXPECT_EQ(in->digest.size(), 64u);
  // The same people in another order give the same digest.
  std::reverse(pool.begin(), pool.end());
  EXPECT_EQ(ParseInputs(*a, PeopleCsv(*a, pool), CategoriesCsv(*a))->digest, in->digest);
}

TEST(AssemblyModel, StoredQuotasSurviveALanguageTheOrganisationNoLongerHas) {
  auto a = AssemblyFromJson(Body(), kLangs);  // labels and questions in sv and en
  ASSERT_TRUE(a.ok());
  const std::string features = json{{"features", FeaturesToJson(a->features)}, {"questions", QuestionsToJson(a->features)}}.dump();
  db::Row row(std::vector<db::Value>{int64_t{1}, int64_t{1}, std::string("rad"), std::string("{\"sv\":\"Rådet\"}"), std::string("{\"sv\":\"?\"}"),
                                     int64_t{10}, int64_t{1}, std::string("open"), int64_t{1}, int64_t{80}, features, std::string("{}"),
                                     int64_t{0}, std::string(), std::string(), std::string(), std::string(), int64_t{0}, std::string(), std::string()});
  core::Organisation org;
  org.languages = {"sv"};  // English was removed after the assembly was set up
  Assembly back = AssemblyFromRow(row, org);
  ASSERT_EQ(back.features.size(), 2u);
  EXPECT_EQ(back.FindFeature("ålder")->Find("ung")->Label("en", "sv"), "young");
  EXPECT_EQ(CategoriesCsv(back), CategoriesCsv(*a));
}

}  // namespace
}  // namespace ting::components::assemblies

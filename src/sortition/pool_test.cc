#include "ting/sortition/pool.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ting::sortition {
namespace {

constexpr const char* kCats =
    "feature,value,min,max\n"
    "kon,Man,1,2\n"
    "kon,Kvinna,1,2\n"
    "ort,Malmö,0,3\n"
    "ort,Åre,0,3\n";

TEST(PoolTest, ReadsCategoriesWithEitherHeader) {
  auto a = ParseCategories(kCats, "c.csv");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->features, (std::vector<std::string>{"kon", "ort"}));
  ASSERT_EQ(a->quotas.size(), 4u);
  EXPECT_EQ(a->quotas[3].value, "Åre");
  EXPECT_EQ(a->quotas[3].line, 5);
  auto b = ParseCategories("category,name,min,max\nkon,Man,1,2\n", "c.csv");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->quotas[0].max, 2);
  EXPECT_FALSE(b->has_flex);
}

TEST(PoolTest, ReadsFlexColumns) {
  auto c = ParseCategories("feature,value,min,max,min_flex,max_flex\ng,a,2,3,1,5\n", "c.csv");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->has_flex);
  EXPECT_EQ(c->quotas[0].min_flex, 1);
  EXPECT_EQ(c->quotas[0].max_flex, 5);
  auto bad = ParseCategories("feature,value,min,max,min_flex,max_flex\ng,a,2,3,3,5\n", "c.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind("c.csv:2:", 0), 0u) << bad.error().message;
}

TEST(PoolTest, MatchesValuesCaseInsensitivelyIncludingSwedishLetters) {
  auto cats = ParseCategories(kCats, "c.csv");
  ASSERT_TRUE(cats.ok());
  auto pool = ParsePeople("id,kon,ort\n1,MAN,MALMÖ\n2,kvinna,åre\n3,\"Man\",\"malmö\"\n", "p.csv", *cats, "id", {});
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  ASSERT_EQ(pool->people.size(), 3u);
  EXPECT_EQ(pool->people[0].quota, (std::vector<int>{0, 2}));
  EXPECT_EQ(pool->people[1].quota, (std::vector<int>{1, 3}));
  EXPECT_EQ(FoldCase("ÅÄÖ Straße"), "åäö straße");
}

TEST(PoolTest, UnknownValueNamesFileAndLine) {
  auto cats = ParseCategories(kCats, "c.csv");
  auto pool = ParsePeople("id,kon,ort\n1,Man,Malmö\n2,Kvinna,Lund\n", "p.csv", *cats, "id", {});
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.error().message.rfind("p.csv:3: unknown value 'Lund' for feature 'ort'", 0), 0u)
      << pool.error().message;
}

TEST(PoolTest, DuplicateIdNamesBothLines) {
  auto cats = ParseCategories(kCats, "c.csv");
  auto pool = ParsePeople("id,kon,ort\n1,Man,Malmö\n1,Kvinna,Åre\n", "p.csv", *cats, "id", {});
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.error().message, "p.csv:3: duplicate id '1' (first on line 2)");
}

TEST(PoolTest, QuotasThatCannotSumToThePanelSize) {
  auto cats = ParseCategories(kCats, "c.csv");
  auto pool = ParsePeople("id,kon,ort\n1,Man,Malmö\n2,Kvinna,Åre\n3,Man,Åre\n4,Man,Åre\n5,Kvinna,Åre\n", "p.csv",
                          *cats, "id", {});
  ASSERT_TRUE(pool.ok());
  EXPECT_TRUE(CheckQuotas(*cats, *pool, 4).ok());
  Status too_big = CheckQuotas(*cats, *pool, 5);  // kon maxes sum to 4
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().message.rfind("c.csv:2: quotas of feature 'kon' cannot sum to the panel size 5", 0), 0u)
      << too_big.error().message;
  Status too_small = CheckQuotas(*cats, *pool, 1);  // kon mins sum to 2
  ASSERT_FALSE(too_small.ok());
}

TEST(PoolTest, ValueNobodyHasWithPositiveMin) {
  auto cats = ParseCategories("feature,value,min,max\nkon,Man,1,2\nkon,Kvinna,1,2\n", "c.csv");
  auto pool = ParsePeople("id,kon\n1,Man\n2,Man\n", "p.csv", *cats, "id", {});
  ASSERT_TRUE(pool.ok());
  Status st = CheckQuotas(*cats, *pool, 2);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message.rfind("c.csv:3: nobody in p.csv has value 'Kvinna'", 0), 0u) << st.error().message;
}

TEST(PoolTest, HouseholdsShareAllAddressColumns) {
  auto cats = ParseCategories(kCats, "c.csv");
  auto pool = ParsePeople(
      "id,kon,ort,gata,post\n"
      "a,Man,Malmö,Storg 1,211\n"
      "b,Kvinna,Malmö,storg 1,211\n"  // same household (case-insensitive)
      "c,Man,Malmö,Storg 1,212\n"     // other zip: alone
      "d,Kvinna,Åre,Byv 2,830\n",
      "p.csv", *cats, "id", {"gata", "post"});
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  EXPECT_EQ(pool->num_households, 1);
  EXPECT_EQ(pool->people[0].household, 0);
  EXPECT_EQ(pool->people[1].household, 0);
  EXPECT_EQ(pool->people[2].household, -1);
  EXPECT_EQ(pool->people[3].household, -1);
}

TEST(PoolTest, MissingColumnsAreErrors) {
  auto cats = ParseCategories(kCats, "c.csv");
  EXPECT_FALSE(ParsePeople("nr,kon,ort\n1,Man,Åre\n", "p.csv", *cats, "id", {}).ok());
  EXPECT_FALSE(ParsePeople("id,kon\n1,Man\n", "p.csv", *cats, "id", {}).ok());
  EXPECT_FALSE(ParsePeople("id,kon,ort\n1,Man,Åre\n", "p.csv", *cats, "id", {"adress"}).ok());
  EXPECT_FALSE(ParsePeople("id,kon,ort\n1,Man\n", "p.csv", *cats, "id", {}).ok());
}

TEST(PoolTest, DigestIgnoresRowOrderAndCaseButNotContent) {
  auto cats = ParseCategories(kCats, "c.csv");
  auto a = ParsePeople("id,kon,ort\n1,Man,Malmö\n2,Kvinna,Åre\n", "p.csv", *cats, "id", {});
  auto b = ParsePeople("id,kon,ort\n2,kvinna,åre\n1,Man,Malmö\n", "p.csv", *cats, "id", {});
  auto c = ParsePeople("id,kon,ort\n1,Man,Åre\n2,Kvinna,Åre\n", "p.csv", *cats, "id", {});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  const std::string da = InputsDigest(*cats, *a, 2, "id", {});
  EXPECT_EQ(da.size(), 64u);
  EXPECT_EQ(da, InputsDigest(*cats, *b, 2, "id", {}));
  EXPECT_NE(da, InputsDigest(*cats, *c, 2, "id", {}));
  EXPECT_NE(da, InputsDigest(*cats, *a, 1, "id", {}));
}

TEST(PoolTest, CsvQuotingAndCrlf) {
  auto rows = ParseCsv("a,\"b,c\",\"d\"\"e\"\r\n\r\nx,y,z\r\n", "f.csv");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].fields, (std::vector<std::string>{"a", "b,c", "d\"e"}));
  EXPECT_EQ((*rows)[1].line, 3);
  EXPECT_FALSE(ParseCsv("a,\"b\n", "f.csv").ok());
}

}  // namespace
}  // namespace ting::sortition

// The register: reading CSV files (separators, quotes, BOM, every problem with its line) and
// replacing a register by re-import, with person ids only as keyed hashes.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "../residents_internal.h"
#include "fresh_database.h"
#include "ting/core/accounts.h"

namespace ting::components {
namespace {

const std::string kToday = "2026-11-30";

TEST(RegisterCsv, SemicolonsQuotesAndABomAreRead) {
  auto f = ReadRegisterCsv("\xEF\xBB\xBFperson_id;name;district;birth_date\r\n"
                           "19900101-1234;\"Ahmed; Sara\";norr;1990-01-01\r\n"
                           "200801012345;\"Lars \"\"Lasse\"\" Svensson\";söder;\r\n",
                           kToday);
  ASSERT_TRUE(f.problems.empty()) << f.problems[0].error;
  ASSERT_EQ(f.rows.size(), 2u);
  EXPECT_EQ(f.rows[0].name, "Ahmed; Sara");
  EXPECT_EQ(f.rows[1].name, "Lars \"Lasse\" Svensson");
  EXPECT_EQ(f.rows[1].district, "söder");
  EXPECT_EQ(f.rows[1].line, 3);
  EXPECT_EQ(f.columns, std::vector<std::string>{"birth_date"});
}

TEST(RegisterCsv, CommasAndAnyColumnOrder) {
  auto f = ReadRegisterCsv("district,name,person_id,language\nnorr,Amina,T-12,SO\n", kToday);
  ASSERT_TRUE(f.problems.empty());
  EXPECT_EQ(f.rows[0].person_id, "T-12");
  EXPECT_EQ(f.rows[0].language, "so");
}

TEST(RegisterCsv, EveryBadRowIsListedAndNothingIsKept) {
  auto f = ReadRegisterCsv("person_id;name;district;birth_date;email\n"
                           "1;Ett;norr;1990-02-30;a@b.se\n"      // line 2: no such date
                           ";Två;norr;;\n"                        // line 3: no person id
                           "3;;norr;2030-01-01;x\n"               // line 4: no name, future date, bad email
                           "1;Fyra;norr;;\n"                      // line 5: the same person as line 2
                           "5;Fem;norr\n",                        // line 6: too few fields
                           kToday);
  EXPECT_TRUE(f.rows.empty()) << "a file with any bad row imports nothing";
  std::vector<std::pair<int, std::string>> got;
  for (const auto& p : f.problems) got.emplace_back(p.line, p.column + ":" + p.error);
  std::vector<std::pair<int, std::string>> want = {
      {2, "birth_date:residents.problem.birth_date"}, {3, "person_id:residents.problem.person_id_missing"},
      {4, "name:residents.problem.name_missing"},     {4, "birth_date:residents.problem.birth_date"},
      {4, "email:residents.problem.email"},           {5, "person_id:residents.problem.person_id_twice"},
      {6, ":residents.problem.field_count"}};
  EXPECT_EQ(got, want);
}

TEST(RegisterCsv, LinesCountInsideQuotedLineBreaks) {
  auto f = ReadRegisterCsv("person_id;name;district\n1;\"Två\nrader\";norr\n;Tre;norr\n", kToday);
  ASSERT_EQ(f.problems.size(), 1u);
  EXPECT_EQ(f.problems[0].line, 4) << "the quoted name spans lines 2-3";
}

TEST(RegisterCsv, HeaderAndTextProblems) {
  auto missing = ReadRegisterCsv("person_id;namn\n1;A\n", kToday);
  ASSERT_FALSE(missing.problems.empty());
  EXPECT_EQ(missing.problems[0].error, "residents.problem.unknown_column");
  auto utf8 = ReadRegisterCsv("person_id;name;district\n1;A\xC0\xAF;norr\n", kToday);
  ASSERT_EQ(utf8.problems.size(), 1u);
  EXPECT_EQ(utf8.problems[0].line, 2);
  EXPECT_EQ(ReadRegisterCsv("", kToday).problems[0].error, "residents.problem.empty");
  EXPECT_EQ(ReadRegisterCsv("person_id;name;district\n1;\"A;norr\n", kToday).problems[0].error, "residents.problem.unclosed_quote");
}

TEST(RegisterCsv, PersonIdsNormaliseToOneForm) {
  EXPECT_EQ(NormalisePersonId(" 19900101-1234 "), "199001011234");
  EXPECT_EQ(NormalisePersonId("t-12 b"), "T12B");
  EXPECT_EQ(NormalisePersonId("900101+1234"), "9001011234");
}

class RegisterStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto migrations = core::CoreMigrations();
    for (auto& m : RegisterMigrations()) migrations.push_back(m);
    db_ = test_support::FreshDatabase(migrations, &path_);
    ASSERT_TRUE(db_);
    org_ = core::Organisations(*db_, env_).Create("a", "A", "")->id;
    other_ = core::Organisations(*db_, env_).Create("b", "B", "b.example")->id;
  }
  void TearDown() override { std::filesystem::remove(path_); }

  Result<ImportCounts> Import(int64_t org, const std::string& csv, std::vector<std::string> keep = {}) {
    auto f = ReadRegisterCsv(csv, kToday);
    EXPECT_TRUE(f.problems.empty());
    return ReplaceRegister(*db_, env_, org, f.rows, keep);
  }

  FakeEnv env_;
  std::string path_;
  std::unique_ptr<db::Database> db_;
  int64_t org_ = 0, other_ = 0;
};

TEST_F(RegisterStoreTest, ReImportReplacesUpdatesAndRemoves) {
  auto first = Import(org_, "person_id;name;district;email\n19900101-1234;Sara;norr;sara@example.se\n200801012345;Lars;söder;\n");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->imported, 2);
  auto second = Import(org_, "person_id;name;district\n199001011234;Sara Ahmed;centrum\n201001019999;Maja;norr\n");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->imported, 1);
  EXPECT_EQ(second->updated, 1) << "19900101-1234 and 199001011234 are the same person";
  EXPECT_EQ(second->removed, 1) << "Lars is no longer in the file";
  RegisterStore store(*db_, env_);
  auto sara = store.FindByPersonId(org_, "19900101-1234");
  ASSERT_TRUE(sara.ok() && sara->has_value());
  EXPECT_EQ((*sara)->name, "Sara Ahmed");
  EXPECT_EQ((*sara)->district, "centrum");
  EXPECT_FALSE(store.FindByPersonId(org_, "200801012345")->has_value());
  EXPECT_FALSE(store.FindByPersonId(other_, "19900101-1234")->has_value()) << "registers belong to their organisation";
  auto summary = store.Summarise(org_);
  EXPECT_EQ(summary->people, 2);
  EXPECT_EQ(summary->districts.at("norr"), 1);
}

TEST_F(RegisterStoreTest, PersonIdsAndUnkeptColumnsAreNeverStored) {
  ASSERT_TRUE(Import(org_, "person_id;name;district;email;phone\n19900101-1234;Sara;norr;sara@example.se;0701234567\n").ok());
  std::string dump;
  ASSERT_TRUE(db_->Read([&](db::Connection& c) -> Status {
                  TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT person_key, name, email, phone FROM residents"));
                  for (const auto& r : rows) dump += r.Str(0) + "|" + r.Str(1) + "|" + r.Str(2) + "|" + r.Str(3);
                  return {};
                }).ok());
  EXPECT_EQ(dump.find("1234"), std::string::npos) << dump;
  EXPECT_EQ(dump.find("sara@example.se"), std::string::npos) << "email is stored only when asked for";
  EXPECT_EQ(dump.find("0701234567"), std::string::npos);
  ASSERT_TRUE(Import(org_, "person_id;name;district;email\n19900101-1234;Sara;norr;sara@example.se\n", {"email"}).ok());
  EXPECT_EQ((*RegisterStore(*db_, env_).FindByPersonId(org_, "199001011234"))->email, "sara@example.se");
}

TEST_F(RegisterStoreTest, DeletingEmptiesOnlyThisOrganisationsRegister) {
  ASSERT_TRUE(Import(org_, "person_id;name;district\n1;A;norr\n2;B;norr\n").ok());
  ASSERT_TRUE(Import(other_, "person_id;name;district\n1;A;x\n").ok());
  RegisterStore store(*db_, env_);
  EXPECT_EQ(*store.Delete(org_), 2);
  EXPECT_EQ(store.Summarise(org_)->people, 0);
  EXPECT_EQ(store.Summarise(other_)->people, 1);
}

// Codes: 12 symbols of an alphabet without look-alikes, in groups of four; typed any way.
TEST(VotingCodes, UnambiguousAndTypedAnyWay) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string code = NewVotingCode();
    ASSERT_EQ(code.size(), 14u);
    EXPECT_EQ(code[4], '-');
    EXPECT_EQ(code[9], '-');
    EXPECT_EQ(code.find_first_of("01OIl"), std::string::npos) << code;
    EXPECT_EQ(NormaliseVotingCode(code).size(), 12u);
    seen.insert(code);
  }
  EXPECT_EQ(seen.size(), 2000u) << "59 random bits: no repeats in 2000";
  EXPECT_EQ(kCodeAlphabet.size(), 31u);
  EXPECT_EQ(NormaliseVotingCode("k7qf m2xp-9rta"), "K7QFM2XP9RTA");
  EXPECT_EQ(NormaliseVotingCode("K7QF-M2XP-9RT"), "") << "too short";
  EXPECT_EQ(NormaliseVotingCode("K7QF-M2XP-9RTAA"), "") << "too long";
  EXPECT_EQ(NormaliseVotingCode("K7QF-M2XP-9RT0"), "") << "0 is not in the alphabet";
  EXPECT_EQ(NormaliseVotingCode("K7QF-M2XP-9RTÅ"), "");
}

}  // namespace
}  // namespace ting::components

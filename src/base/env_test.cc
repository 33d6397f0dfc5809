#include "ting/base/env.h"

#include <gtest/gtest.h>

#include "ting/base/translated.h"
#include "ting/base/ttl_cache.h"

namespace ting {
namespace {

// 2026-03-28 23:30 UTC is already 2026-03-29 00:30 in Stockholm (UTC+1 before summer time).
TEST(EnvTest, TodayIsTheLocalDateInStockholmNotUtc) {
  int64_t t = 1774740600;  // 2026-03-28T23:30:00Z
  EXPECT_EQ(Env::LocalDate(t, "UTC"), "2026-03-28");
  EXPECT_EQ(Env::LocalDate(t, "Europe/Stockholm"), "2026-03-29");
  EXPECT_EQ(Env::LocalDate(t), "2026-03-29");  // the default zone
}

TEST(EnvTest, SummerTimeMovesMidnightAnHourEarlier) {
  // 2026-06-30T22:30Z is 00:30 on 1 July in Stockholm (UTC+2), but 23:30 on 30 June at UTC+1.
  int64_t t = 1782858600;
  EXPECT_EQ(Env::LocalDate(t, "Europe/Stockholm"), "2026-07-01");
  EXPECT_EQ(Env::LocalDate(t - 3600, "Europe/Stockholm"), "2026-06-30");
  EXPECT_EQ(Env::LocalDate(t, "America/New_York"), "2026-06-30");
}

TEST(EnvTest, UnknownZoneCountsAsTheDefault) {
  EXPECT_FALSE(Env::KnownTimeZone("Mars/Olympus_Mons"));
  EXPECT_TRUE(Env::KnownTimeZone("Asia/Tehran"));
  EXPECT_EQ(Env::LocalDate(1774740600, "Mars/Olympus_Mons"), "2026-03-29");
}

TEST(EnvTest, FakeClockMovesOnlyWhenTold) {
  FakeEnv env(1774740600 - 3600);  // 22:30 UTC, 23:30 Stockholm
  EXPECT_EQ(env.Today(), "2026-03-28");
  auto before = env.Monotonic();
  env.Advance(std::chrono::hours(1));
  EXPECT_EQ(env.Today(), "2026-03-29");
  EXPECT_EQ(env.Monotonic() - before, std::chrono::hours(1));
  EXPECT_NE(env.RandomSeed(), env.RandomSeed());
}

TEST(EnvTest, MemoryFilesKeepWhatIsPut) {
  FakeEnv env;
  ASSERT_TRUE(env.Files().Put("a.png", std::string("\x89PNG\0x", 6)).ok());
  auto got = env.Files().Get("a.png");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 6u);
  EXPECT_EQ(env.Files().Get("b.png").error().code, ErrorCode::kNotFound);
}

TEST(EnvTest, DiskFilesWithoutFolderAreDisabled) {
  auto files = DiskFileStore("");
  EXPECT_FALSE(files->enabled());
  EXPECT_FALSE(files->Put("x", "y").ok());
}

TEST(TtlCacheTest, EntriesExpireOnTheEnvClock) {
  FakeEnv env;
  TtlCache<std::string, int> cache(env, std::chrono::seconds(5));
  cache.Put("a", 1);
  ASSERT_NE(cache.Get("a"), nullptr);
  EXPECT_EQ(*cache.Get("a"), 1);
  env.Advance(std::chrono::seconds(4));
  EXPECT_NE(cache.Get("a"), nullptr);
  env.Advance(std::chrono::seconds(1));
  EXPECT_EQ(cache.Get("a"), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TtlCacheTest, AFullCacheStartsOver) {
  FakeEnv env;
  TtlCache<int, int> cache(env, std::chrono::seconds(5), 3);
  for (int i = 0; i < 3; ++i) cache.Put(i, i);
  EXPECT_EQ(cache.size(), 3u);
  cache.Put(3, 3);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Get(0), nullptr);
  EXPECT_NE(cache.Get(3), nullptr);
}

TEST(TtlCacheTest, AReaderKeepsItsValueWhenTheEntryIsReplaced) {
  FakeEnv env;
  TtlCache<int, std::string> cache(env, std::chrono::seconds(5));
  cache.Put(1, "old");
  auto held = cache.Get(1);
  cache.Put(1, "new");
  EXPECT_EQ(*held, "old");
  EXPECT_EQ(*cache.Get(1), "new");
}

TEST(TranslatedTest, FallsBackToTheDefaultLanguageThenAny) {
  Translated t("sv", "Medborgarbudget");
  t.Set("ar", "\u0645\u064a\u0632\u0627\u0646\u064a\u0629");
  EXPECT_EQ(t.Get("ar", "sv"), "\u0645\u064a\u0632\u0627\u0646\u064a\u0629");
  EXPECT_EQ(t.Get("en", "sv"), "Medborgarbudget") << "requested, then the organisation's default";
  EXPECT_EQ(t.Get("en", "fi"), "\u0645\u064a\u0632\u0627\u0646\u064a\u0629") << "then any (first by code: ar)";
  t.Set("ar", "");
  EXPECT_FALSE(t.Has("ar")) << "an empty text is no text";
  EXPECT_EQ(Translated().Get("sv", "sv"), "");
}

TEST(TranslatedTest, StoredAsAJsonObjectOrAPlainOldString) {
  Translated t("sv", "Norr");
  t.Set("en", "North");
  EXPECT_EQ(t.ToJson().dump(), R"({"en":"North","sv":"Norr"})");
  EXPECT_EQ(Translated::FromStored(t.ToJson().dump(), "sv"), t);
  EXPECT_EQ(Translated::FromStored("Norr", "sv").Get("en", "sv"), "Norr");
  EXPECT_TRUE(Translated::FromStored(R"({"sv": 5, "en": ""})", "sv").empty()) << "wrong types and empty texts are skipped";
}

}  // namespace
}  // namespace ting

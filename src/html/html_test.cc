#include <gtest/gtest.h>

#include "ting/html/catalog.h"
#include "ting/html/markdown.h"
#include "ting/html/resources.h"
#include "ting/html/templates.h"

namespace ting::html {
namespace {

TEST(Catalog, EmbeddedCataloguesAreCompleteInEveryLanguage) {
  auto c = Catalog::LoadEmbedded();
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_GE(c->languages().size(), 2u);
  EXPECT_EQ(c->languages().front().code, "sv");
  for (const auto& lang : c->languages())
    for (const auto& key : c->Keys()) EXPECT_TRUE(c->HasKey(lang.code, key)) << lang.code << " lacks " << key;
}

TEST(Catalog, FallsBackAndNegotiates) {
  auto c = Catalog::FromJson({{"sv", R"({"_meta":{"name":"Svenska"},"a":"Hej {{name}}","b":"B"})"},
                              {"ar", R"({"_meta":{"name":"العربية","dir":"rtl"},"a":"مرحبا {{name}}"})"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->Get("ar", "b"), "B");
  EXPECT_EQ(c->Format("ar", "a", {{"name", "Sara"}}), "مرحبا Sara");
  EXPECT_EQ(c->Lang("ar").dir, "rtl");
  EXPECT_EQ(c->Negotiate("", "en-GB,ar;q=0.8"), "ar");
  EXPECT_EQ(c->Negotiate("xx", "de"), "sv");
  EXPECT_FALSE(Catalog::FromJson({{"en", R"({"a":"A"})"}}).ok()) << "default language is required";
  EXPECT_FALSE(Catalog::FromJson({{"sv", "[1]"}}).ok());
}

TEST(Templates, EscapeByDefaultAndLocalisePerLanguage) {
  auto c = Catalog::FromJson({{"sv", R"({"greet":"Hej & välkommen, {{name}}"})"}, {"en", R"({"greet":"Hi, {{name}}"})"}});
  ASSERT_TRUE(c.ok());
  auto t = Templates::FromSources(*c, {{"page", "<p>[[greet]]</p>{{{raw}}}"}});
  ASSERT_TRUE(t.ok()) << t.error().message;
  Data d;
  d.set("name", "<script>x</script>");
  d.set("raw", "<b>ok</b>");
  EXPECT_EQ(*(*t)->Render("page", "sv", d), "<p>Hej &amp; välkommen, &lt;script&gt;x&lt;/script&gt;</p><b>ok</b>");
  EXPECT_EQ(*(*t)->Render("page", "en", d), "<p>Hi, &lt;script&gt;x&lt;/script&gt;</p><b>ok</b>");
  EXPECT_FALSE((*t)->Render("nope", "sv", d).ok());
}

TEST(Templates, IncludesExpandAtLoad) {
  auto c = Catalog::FromJson({{"sv", R"({"a":"A"})"}});
  ASSERT_TRUE(c.ok());
  auto t = Templates::FromSources(*c, {{"outer", "<div>{{> inner}}</div>"}, {"inner", "[[a]]={{v}}"}});
  ASSERT_TRUE(t.ok()) << t.error().message;
  Data d;
  d.set("v", "<1>");
  EXPECT_EQ(*(*t)->Render("outer", "sv", d), "<div>A=&lt;1&gt;</div>");
  EXPECT_FALSE(Templates::FromSources(*c, {{"p", "{{> nope}}"}}).ok());
  EXPECT_FALSE(Templates::FromSources(*c, {{"p", "{{> p}}"}}).ok()) << "self-inclusion is caught";
}

TEST(Templates, UnknownKeyOrBadSyntaxFailsAtLoad) {
  auto c = Catalog::FromJson({{"sv", R"({"a":"A"})"}});
  ASSERT_TRUE(c.ok());
  auto unknown = Templates::FromSources(*c, {{"p", "[[missing]]"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("missing"), std::string::npos);
  EXPECT_FALSE(Templates::FromSources(*c, {{"p", "{{#open}}"}}).ok());
}

TEST(Templates, EmbeddedTemplatesCompile) {
  auto c = Catalog::LoadEmbedded();
  ASSERT_TRUE(c.ok());
  auto t = Templates::LoadEmbedded(*c);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_TRUE((*t)->Has("layout"));
  EXPECT_TRUE(FindResource("static/ting.css").has_value());
}

TEST(Markdown, RendersSafely) {
  EXPECT_EQ(RenderMarkdown("**Ny** lekplats"), "<p><strong>Ny</strong> lekplats</p>\n");
  std::string evil = RenderMarkdown("<script>alert(1)</script>\n\n[klick](javascript:alert(1)) <img src=x onerror=alert(1)>");
  EXPECT_EQ(evil.find("<script"), std::string::npos);
  EXPECT_EQ(evil.find("javascript:"), std::string::npos);
  EXPECT_EQ(evil.find("<img"), std::string::npos);
}

}  // namespace
}  // namespace ting::html

// The web layer's input boundary, without a server: redirects, the UTF-8 gate, JSON fields.

#include <gtest/gtest.h>

#include "ting/web/site.h"

namespace ting::web {
namespace {

using json = nlohmann::json;

TEST(SafeLocalPath, KeepsLocalPathsOnly) {
  EXPECT_EQ(SafeLocalPath("/processes/x?a=1"), "/processes/x?a=1");
  EXPECT_EQ(SafeLocalPath("/"), "/");
  for (std::string bad : {std::string(""), std::string("//evil.example"), std::string("/\\evil.example"), std::string("/\t/evil.example"),
                          std::string("/\n/evil.example"), std::string("/\r/evil"), std::string("https://evil.example"),
                          std::string("evil"), std::string("/a b"), std::string("/x\x7f"), std::string("/\xC0\xAF"),
                          std::string("/ok\\..\\x"), std::string("/\0/evil", 7)})
    EXPECT_EQ(SafeLocalPath(bad), "/") << bad;
}

http::Request Req(std::string path, std::string query, std::string type, std::string body) {
  http::Request r;
  r.method = "POST";
  r.path = std::move(path);
  r.query = std::move(query);
  if (!type.empty()) r.headers.emplace("Content-Type", type);
  r.body = std::move(body);
  return r;
}

TEST(RequestTextIsUtf8, ChecksPathQueryFormAndMultipart) {
  EXPECT_TRUE(RequestTextIsUtf8(Req("/p/å", "q=%C3%A5", "application/x-www-form-urlencoded", "title=%C3%A5&x=1")));
  EXPECT_FALSE(RequestTextIsUtf8(Req("/p/\xC0\xAF", "", "", "")));
  EXPECT_FALSE(RequestTextIsUtf8(Req("/p", "q=%C0%AF", "", "")));
  EXPECT_FALSE(RequestTextIsUtf8(Req("/p", "", "application/x-www-form-urlencoded; charset=UTF-8", "title=bad%C0%AF")));
  EXPECT_FALSE(RequestTextIsUtf8(Req("/p", "", "application/x-www-form-urlencoded", "bad%ED%A0%80=1"))) << "field names too";
  std::string field = "--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nbad\xC0\xAF\r\n--b--\r\n";
  EXPECT_FALSE(RequestTextIsUtf8(Req("/p", "", "multipart/form-data; boundary=b", field)));
  std::string file = "--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\xC0\xAF\r\n--b--\r\n";
  EXPECT_TRUE(RequestTextIsUtf8(Req("/p", "", "multipart/form-data; boundary=b", file))) << "files are bytes, not text";
  std::string name = "--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"\xC0\xAF.png\"\r\n\r\nx\r\n--b--\r\n";
  EXPECT_FALSE(RequestTextIsUtf8(Req("/p", "", "multipart/form-data; boundary=b", name)));
}

TEST(JsonFields, WrongTypesAreRememberedNotThrown) {
  json body = json::parse(R"({"title": 5, "cost": "12", "ok": true, "n": 18446744073709551615, "m": -3, "s": "x", "nothing": null})");
  JsonFields f(body);
  EXPECT_EQ(f.Text("s"), "x");
  EXPECT_EQ(f.Text("absent", "fallback"), "fallback");
  EXPECT_EQ(f.Text("nothing", "fallback"), "fallback") << "null is absent";
  EXPECT_EQ(f.Int("m"), -3);
  EXPECT_EQ(f.Bool("ok"), true);
  EXPECT_TRUE(f.wrong_field().empty());
  EXPECT_EQ(f.Text("title"), "");
  EXPECT_EQ(f.wrong_field(), "title");
  EXPECT_EQ(f.expected(), "string");
  EXPECT_EQ(f.Int("cost"), std::nullopt);
  EXPECT_EQ(f.wrong_field(), "title") << "the first wrong field is the one reported";
  JsonFields g(body);
  EXPECT_EQ(g.Int("n"), std::nullopt) << "past int64 is the wrong type, never a wrapped number";
  EXPECT_EQ(g.wrong_field(), "n");
  json array = json::array({1, 2});
  JsonFields h(array);
  EXPECT_EQ(h.Text("x", "d"), "d");
}

}  // namespace
}  // namespace ting::web

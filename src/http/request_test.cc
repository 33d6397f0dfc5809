// Request/Response helpers and URL coding.

#include <gtest/gtest.h>

#include "ting/http/http.h"

namespace ting::http {
namespace {

TEST(Request, HeadersAreCaseInsensitive) {
  Request r;
  r.headers.emplace("Content-Type", "text/html");
  EXPECT_EQ(r.Header("content-type"), "text/html");
  EXPECT_EQ(r.Header("CONTENT-TYPE"), "text/html");
  EXPECT_EQ(r.Header("Accept"), "");
}

TEST(Request, QueryParamsAreDecoded) {
  Request r;
  r.query = "q=a%20b+c&empty=&flag&x=%C3%A5";
  EXPECT_EQ(r.QueryParam("q"), "a b c");
  EXPECT_EQ(r.QueryParam("empty"), "");
  EXPECT_EQ(r.QueryParam("flag"), "");
  EXPECT_EQ(r.QueryParam("x"), "\xC3\xA5");
  EXPECT_EQ(r.QueryParam("missing"), std::nullopt);
}

TEST(Request, Cookies) {
  Request r;
  r.headers.emplace("Cookie", "a=1; session=abc=def;  lang=sv");
  EXPECT_EQ(r.Cookie("session"), "abc=def");
  EXPECT_EQ(r.Cookie("lang"), "sv");
  EXPECT_EQ(r.Cookie("sess"), std::nullopt);
}

TEST(Request, FormFieldsKeepRepeatedKeysInOrder) {
  Request r;
  r.headers.emplace("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
  r.body = "project=1&project=3&name=Anna+Berg&note=50%25";
  auto f = r.FormFields();
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0], (std::pair<std::string, std::string>("project", "1")));
  EXPECT_EQ(f[1], (std::pair<std::string, std::string>("project", "3")));
  EXPECT_EQ(f[2].second, "Anna Berg");
  EXPECT_EQ(f[3].second, "50%");
  Request json;
  json.headers.emplace("Content-Type", "application/json");
  json.body = "a=1";
  EXPECT_TRUE(json.FormFields().empty()) << "only form bodies are parsed";
}

TEST(Request, HostWithoutPortInLowerCase) {
  Request r;
  r.headers.emplace("Host", "Budget.Example.SE:8080");
  EXPECT_EQ(r.Host(), "budget.example.se");
  Request v6;
  v6.headers.emplace("Host", "[::1]:8080");
  EXPECT_EQ(v6.Host(), "[::1]");
  EXPECT_EQ(Request().Host(), "");
}

TEST(Response, SetReplacesAndAddAppends) {
  Response r = Response::Html(201, "<p>x</p>");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.headers.find("Content-Type")->second, "text/html; charset=utf-8");
  r.Add("Set-Cookie", "a=1");
  r.Add("Set-Cookie", "b=2");
  EXPECT_EQ(r.headers.count("set-cookie"), 2u);
  r.Set("set-cookie", "c=3");
  EXPECT_EQ(r.headers.count("Set-Cookie"), 1u);
  Response redirect = Response::Redirect("/done");
  EXPECT_EQ(redirect.status, 303);
  EXPECT_EQ(redirect.headers.find("Location")->second, "/done");
  EXPECT_EQ(Response::Json(200, "{}").headers.find("Content-Type")->second, "application/json");
}

TEST(Url, DecodeAndEncode) {
  EXPECT_EQ(UrlDecode("a+b%2Fc", true), "a b/c");
  EXPECT_EQ(UrlDecode("a+b%2fc", false), "a+b/c");
  EXPECT_EQ(UrlDecode("100%", false), "100%") << "a broken escape stays as it is";
  EXPECT_EQ(UrlEncode("å ä/ö?&=x-_.~"), "%C3%A5%20%C3%A4%2F%C3%B6%3F%26%3Dx-_.~");
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  EXPECT_EQ(UrlDecode(UrlEncode(all), true), all);
}

}  // namespace
}  // namespace ting::http

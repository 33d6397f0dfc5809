// The Router alone, without sockets.

#include <gtest/gtest.h>

#include "ting/http/router.h"

namespace ting::http {
namespace {

Request Req(const std::string& method, const std::string& path) {
  Request r;
  r.method = method;
  r.path = path;
  r.target = path;
  return r;
}

Handler Say(const std::string& what) {
  return [what](Request& r) {
    std::string body = what;
    for (const auto& [k, v] : r.params) body += " " + k + "=" + v;
    return Response::Text(200, body);
  };
}

TEST(Router, ParamsAndLiteralsWinOverParams) {
  Router router;
  router.Add("GET", "/processes/{slug}", Say("show"));
  router.Add("GET", "/processes/new", Say("new"));
  router.Add("GET", "/processes/{slug}/budgets/{budget}", Say("budget"));
  Request a = Req("GET", "/processes/new");
  EXPECT_EQ(router.Dispatch(a).body, "new");
  Request b = Req("GET", "/processes/park");
  EXPECT_EQ(router.Dispatch(b).body, "show slug=park");
  EXPECT_EQ(b.Param("slug"), "park");
  EXPECT_EQ(b.Param("missing"), "");
  Request c = Req("GET", "/processes/park/budgets/centrum");
  EXPECT_EQ(router.Dispatch(c).body, "budget budget=centrum slug=park");
  Request d = Req("GET", "/processes/park/");  // a trailing slash does not make another path
  EXPECT_EQ(router.Dispatch(d).body, "show slug=park");
}

TEST(Router, TheFirstDifferingSegmentDecides) {
  Router router;
  router.Add("GET", "/a/{x}/c", Say("param-first"));
  router.Add("GET", "/a/b/{y}", Say("literal-first"));
  Request r = Req("GET", "/a/b/c");
  EXPECT_EQ(router.Dispatch(r).body, "literal-first y=c");
}

TEST(Router, RestMatchesTheRemainingPath) {
  Router router;
  router.Add("GET", "/static/{path...}", Say("file"));
  router.Add("GET", "/static/special.css", Say("special"));
  Request a = Req("GET", "/static/css/site.css");
  EXPECT_EQ(router.Dispatch(a).body, "file path=css/site.css");
  Request b = Req("GET", "/static/special.css");
  EXPECT_EQ(router.Dispatch(b).body, "special");
  Request c = Req("GET", "/static");
  EXPECT_EQ(router.Dispatch(c).status, 404) << "the rest must not be empty";
}

TEST(Router, WrongMethodIs405WithAllow) {
  Router router;
  router.Add("GET", "/items/{id}", Say("get"));
  router.Add("POST", "/items/{id}", Say("post"));
  router.Add("DELETE", "/items/{id}", Say("delete"));
  Request r = Req("PUT", "/items/3");
  Response res = router.Dispatch(r);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.headers.find("Allow")->second, "DELETE, GET, HEAD, POST");
  Request post_only_path = Req("GET", "/nothing/here");
  EXPECT_EQ(router.Dispatch(post_only_path).status, 404);
}

TEST(Router, HeadRunsGetWithoutBodyUnlessAHeadRouteExists) {
  Router router;
  router.Add("GET", "/page", Say("page body"));
  router.Add("GET", "/other", Say("other"));
  router.Add("HEAD", "/other", [](Request&) {
    Response r;
    r.Set("X-Head", "yes");
    return r;
  });
  Request a = Req("HEAD", "/page");
  Response res = router.Dispatch(a);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "");
  EXPECT_EQ(res.headers.find("Content-Length")->second, "9");
  EXPECT_EQ(res.headers.find("Content-Type")->second, "text/plain; charset=utf-8");
  Request b = Req("HEAD", "/other");
  EXPECT_EQ(router.Dispatch(b).headers.count("X-Head"), 1u);
}

TEST(Router, NotFoundHandlerIsReplaceable) {
  Router router;
  Request a = Req("GET", "/x");
  EXPECT_EQ(router.Dispatch(a).status, 404);
  router.SetNotFound([](Request& r) { return Response::Html(404, "<p>no " + r.path + "</p>"); });
  Request b = Req("GET", "/x");
  Response res = router.Dispatch(b);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, "<p>no /x</p>");
}

TEST(Router, MovedRouterKeepsItsRoutes) {
  Router a;
  a.Add("GET", "/x", Say("x"));
  Router b = std::move(a);
  Request r = Req("GET", "/x");
  EXPECT_EQ(b.Dispatch(r).body, "x");
}

}  // namespace
}  // namespace ting::http

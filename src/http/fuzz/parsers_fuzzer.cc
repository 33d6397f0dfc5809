// libFuzzer target for the request helpers every handler relies on: percent-decoding, query
// parameters, cookies, urlencoded forms, Host, and the Router on arbitrary paths.
//
// The input is lines: 1 a method selector and path, 2 a query string, 3 a Cookie header,
// 4 a Host header, the rest a form body. Properties, beyond "does not crash":
//  - UrlDecode never lengthens its input, is the identity without '%' (and '+' in forms), and
//    undoes UrlEncode exactly; UrlEncode writes only unreserved bytes and "%XX" escapes;
//  - QueryParam finds every key the query holds, with the value of its first occurrence;
//  - Cookie finds every "name=value" pair of the header (the first of duplicates), and the value
//    is the header's text up to the next ';' without surrounding spaces;
//  - FormFields has one field per non-empty '&'-separated piece and re-encodes to the same
//    fields; a body that is not urlencoded gives none;
//  - Host() is lower-case and has no port;
//  - the Router runs the route whose literal segments are the path's, fills parameters that are
//    whole non-empty segments (the rest-parameter the remaining segments), prefers literals,
//    answers 405 with an Allow that names the method of a matching route, and HEAD like GET
//    without the body.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ting/base/strings.h"
#include "ting/http/http.h"
#include "ting/http/router.h"

namespace {

using namespace ting;
using namespace ting::http;

void Check(bool ok, const char* what, std::string_view input = {}) {
  if (ok) return;
  std::fprintf(stderr, "property violated: %s [%.*s]\n", what, static_cast<int>(std::min<size_t>(input.size(), 300)), input.data());
  std::abort();
}

bool Unreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~'; }

void CheckUrlCoding(std::string_view s) {
  for (bool form : {false, true}) {
    std::string d = UrlDecode(s, form);
    Check(d.size() <= s.size(), "decoded longer than its input", s);
    if (s.find('%') == std::string_view::npos) {
      std::string expected(s);
      if (form)
        for (char& c : expected)
          if (c == '+') c = ' ';
      Check(d == expected, "decoding changed text without escapes", s);
    }
    Check(UrlDecode(UrlEncode(s), form) == s, "decode(encode(s)) != s", s);
  }
  std::string e = UrlEncode(s);
  size_t escaped = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    if (e[i] == '%') {
      Check(i + 2 < e.size() && std::isxdigit(static_cast<unsigned char>(e[i + 1])) &&
                std::isxdigit(static_cast<unsigned char>(e[i + 2])) && !std::islower(static_cast<unsigned char>(e[i + 1])) &&
                !std::islower(static_cast<unsigned char>(e[i + 2])),
            "an escape that is not %XX", e);
      ++escaped;
      i += 2;
    } else {
      Check(Unreserved(static_cast<unsigned char>(e[i])), "a reserved byte left unescaped", e);
    }
  }
  Check(e.size() == s.size() + 2 * escaped, "encoding length", s);
}

void CheckQuery(const std::string& query) {
  Request r;
  r.query = query;
  std::vector<std::string> seen;
  for (auto part : Split(query, '&')) {
    if (seen.size() == 64) break;  // each lookup scans the whole query: keep it linear-ish
    auto eq = part.find('=');
    std::string key = UrlDecode(part.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : UrlDecode(part.substr(eq + 1), true);
    auto got = r.QueryParam(key);
    Check(got.has_value(), "a key of the query not found", query);
    bool first = std::find(seen.begin(), seen.end(), key) == seen.end();
    if (first) Check(*got == value, "not the first occurrence's value", query);
    seen.push_back(key);
  }
  // A name no piece of the query can decode to (longer than the query) is absent.
  Check(!r.QueryParam(std::string(query.size() + 1, 'k')).has_value(), "an absent key found", query);
}

void CheckCookies(const std::string& header) {
  Request r;
  r.headers.emplace("Cookie", header);
  std::vector<std::string> seen;
  for (auto part : Split(header, ';')) {
    if (seen.size() == 64) break;
    part = Trim(part);
    auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(part.substr(0, eq));
    auto got = r.Cookie(name);
    Check(got.has_value(), "a cookie of the header not found", header);
    Check(got->find(';') == std::string::npos, "a cookie value holds ';'", header);
    Check(got->empty() || std::string_view(" \t\r\n\f\v").find(got->back()) == std::string_view::npos,
          "a cookie value ends with white space", header);
    Check(header.find(name + "=" + *got) != std::string::npos, "a cookie value that is not the header's text", header);
    if (std::find(seen.begin(), seen.end(), name) == seen.end()) Check(*got == part.substr(eq + 1), "not the first cookie of that name", header);
    seen.push_back(name);
  }
  // Two Cookie fields: the first field's cookies win, the second's are found too.
  r.headers.emplace("Cookie", "zz_second=2");
  if (header.find("zz_second") == std::string::npos) Check(r.Cookie("zz_second") == "2", "a cookie of a second Cookie field lost", header);
}

void CheckForm(const std::string& body) {
  Request r;
  r.body = body;
  r.headers.emplace("Content-Type", "text/plain");
  Check(r.FormFields().empty(), "a non-form body parsed as a form", body);
  r.headers.clear();
  r.headers.emplace("Content-Type", "Application/X-WWW-Form-Urlencoded; charset=UTF-8");
  auto fields = r.FormFields();
  size_t pieces = 0;
  for (auto part : Split(body, '&'))
    if (!part.empty()) ++pieces;
  Check(fields.size() == pieces, "one field per non-empty piece", body);
  std::string encoded;
  for (const auto& [k, v] : fields) {
    Check(k.size() + v.size() <= body.size(), "a field longer than the body", body);
    if (!encoded.empty()) encoded += '&';
    encoded += UrlEncode(k) + "=" + UrlEncode(v);
  }
  Request again;
  again.headers = r.headers;
  again.body = encoded;
  auto back = again.FormFields();
  // A piece "=" (empty key and value) encodes to "=", which is kept; only an empty piece is
  // dropped, and encoding never makes one.
  Check(back == fields, "fields do not survive encoding", body);
}

void CheckHost(const std::string& host) {
  Request r;
  r.headers.emplace("Host", host);
  std::string h = r.Host();
  Check(h == AsciiLower(h), "Host() not lower-case", host);
  Check(h.size() <= host.size(), "Host() longer than the field", host);
  if (h.empty() || h.front() != '[') Check(h.find(':') == std::string::npos, "Host() keeps the port", host);
}

// The handlers record which route ran.
struct RouteTable {
  Router router;
  std::string ran;
  RouteTable() {
    auto handler = [this](const char* name) {
      return [this, name](Request& req) {
        ran = name;
        return Response::Text(200, std::string(name) + " body");
      };
    };
    router.Add("GET", "/", handler("home"));
    router.Add("GET", "/processes/{slug}", handler("process"));
    router.Add("GET", "/processes/new", handler("new"));
    router.Add("POST", "/processes/{slug}/followup/{id}", handler("followup"));
    router.Add("GET", "/processes/{slug}/results/{budget}", handler("results"));
    router.Add("GET", "/static/{path...}", handler("static"));
    router.Add("GET", "/static/app.css", handler("css"));
    router.Add("PUT", "/api/v1/processes/{slug}/budgets/{budget}/ballot", handler("ballot"));
    router.Add("DELETE", "/api/v1/processes/{slug}/budgets/{budget}/ballot", handler("unballot"));
  }
};

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  for (auto s : Split(path, '/'))
    if (!s.empty()) out.push_back(s);
  return out;
}

void CheckRouter(const std::string& method, const std::string& path) {
  static RouteTable* table = new RouteTable();
  Request req;
  req.method = method;
  req.path = path;
  table->ran.clear();
  Response res = table->router.Dispatch(req);
  auto seg = Segments(path);
  auto segments_are = [&](std::vector<std::string> want) {
    if (want.size() != seg.size()) return false;
    for (size_t i = 0; i < want.size(); ++i)
      if (want[i] != "*" && want[i] != seg[i]) return false;
    return true;
  };
  auto param_ok = [&](const std::string& name) {
    std::string v = req.Param(name);
    return !v.empty() && v.find('/') == std::string::npos;
  };
  const std::string& ran = table->ran;
  if (res.status == 200) {
    Check(!ran.empty(), "200 without a handler", path);
    if (ran == "home") Check(seg.empty(), "home on a longer path", path);
    if (ran == "process") Check(segments_are({"processes", "*"}) && seg[1] != "new" && param_ok("slug") && req.Param("slug") == seg[1],
                                "process route", path);
    if (ran == "new") Check(segments_are({"processes", "new"}), "new route", path);
    if (ran == "followup") Check(segments_are({"processes", "*", "followup", "*"}) && param_ok("slug") && param_ok("id"), "followup route", path);
    if (ran == "results") Check(segments_are({"processes", "*", "results", "*"}) && req.Param("budget") == seg[3], "results route", path);
    if (ran == "css") Check(segments_are({"static", "app.css"}), "literal static route", path);
    if (ran == "static") {
      Check(seg.size() >= 2 && seg[0] == "static" && !segments_are({"static", "app.css"}), "rest route", path);
      std::vector<std::string> rest(seg.begin() + 1, seg.end());
      Check(req.Param("path") == Join(rest, "/"), "rest parameter is not the remaining segments", path);
    }
    if (ran == "ballot" || ran == "unballot")
      Check(segments_are({"api", "v1", "processes", "*", "budgets", "*", "ballot"}) && param_ok("slug") && param_ok("budget"), "ballot route", path);
    if (method == "HEAD") {
      Check(res.body.empty(), "HEAD with a body", path);
      Check(res.headers.find("Content-Length") != res.headers.end() &&
                res.headers.find("Content-Length")->second == std::to_string(ran.size() + 5),
            "HEAD without the GET body's length", path);
    }
  } else if (res.status == 405) {
    Check(ran.empty(), "405 after a handler ran", path);
    auto allow = res.headers.find("Allow");
    Check(allow != res.headers.end() && !allow->second.empty(), "405 without Allow", path);
    Check(allow->second.find(method) == std::string::npos || method.empty(), "405 that allows the method used", path);
  } else {
    Check(res.status == 404 && ran.empty(), "neither a route, 405 nor 404", path);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  size_t pos = 0;
  while (lines.size() < 4) {
    size_t nl = input.find('\n', pos);
    if (nl == std::string_view::npos) break;
    lines.emplace_back(input.substr(pos, nl - pos));
    pos = nl + 1;
  }
  std::string body(input.substr(std::min(pos, input.size())));
  lines.resize(4);
  static const char* kMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", ""};
  std::string method = lines[0].empty() ? "GET" : kMethods[static_cast<unsigned char>(lines[0][0]) % 8];
  std::string path = lines[0].empty() ? "/" : lines[0].substr(1);

  CheckUrlCoding(input);
  CheckQuery(lines[1]);
  CheckCookies(lines[2]);
  CheckHost(lines[3]);
  CheckForm(body);
  CheckRouter(method, path);
  CheckRouter(method, UrlDecode(path, false));
  return 0;
}

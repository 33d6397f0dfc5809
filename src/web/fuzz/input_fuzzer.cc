// libFuzzer target for the web layer's input gate: SafeLocalPath (redirects after a form),
// RequestTextIsUtf8 (the UTF-8 check before any handler), FormField, and JsonFields/JsonInt64
// (reading JSON bodies without exceptions).
//
// The first byte picks the function; the rest is its input. Properties, beyond "does not crash":
//  - SafeLocalPath returns its input or "/", always starts with '/', never with "//" or "/\",
//    and never holds a control character, space, DEL, backslash or ill-formed UTF-8; a local
//    path without those is kept;
//  - RequestTextIsUtf8 (input lines: path, query, Content-Type, then the body) is true exactly
//    when the path, the decoded query, the decoded urlencoded body, and the multipart fields'
//    names, file names and plain values are all well-formed UTF-8;
//  - FormField gives the first urlencoded value of a name, else the first plain multipart field;
//  - JsonFields never throws; Text/Int/Bool give a value exactly when the field has that type
//    (Int: a whole number within int64), nothing for absent or null fields, and remember the
//    first field read with another type.

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "ting/base/strings.h"
#include "ting/http/http.h"
#include "ting/web/json_fields.h"
#include "ting/web/multipart.h"

// Declared in ting/web/site.h, which brings the whole site's headers with it; the fuzzer is
// linked with the web library's archive and needs only these three (see run_fuzz.sh's caller).
namespace ting::web {
std::string FormField(const http::Request& req, const std::string& name);
bool RequestTextIsUtf8(const http::Request& req);
std::string SafeLocalPath(const std::string& next);
}  // namespace ting::web

namespace {

using namespace ting;
using json = nlohmann::json;

void Check(bool ok, const char* what, std::string_view input = {}) {
  if (ok) return;
  std::fprintf(stderr, "property violated: %s [%.*s]\n", what, static_cast<int>(std::min<size_t>(input.size(), 400)), input.data());
  std::abort();
}

void CheckSafeLocalPath(const std::string& next) {
  std::string safe = web::SafeLocalPath(next);
  Check(safe == next || safe == "/", "neither the input nor \"/\"", next);
  Check(!safe.empty() && safe[0] == '/', "does not start with '/'", next);
  Check(safe.size() < 2 || (safe[1] != '/' && safe[1] != '\\'), "scheme-relative", next);
  bool clean = true;
  for (unsigned char c : safe) clean = clean && c > 0x20 && c != 0x7f && c != '\\';
  Check(clean, "a control character, space, DEL or backslash", next);
  Check(IsValidUtf8(safe), "ill-formed UTF-8", next);
  bool local = !next.empty() && next[0] == '/' && (next.size() < 2 || next[1] != '/') && IsValidUtf8(next);
  for (unsigned char c : next) local = local && c > 0x20 && c != 0x7f && c != '\\';
  if (local) Check(safe == next, "a local path refused", next);
}

http::Request RequestFrom(std::string_view input) {
  std::string lines[3];
  size_t pos = 0;
  for (auto& line : lines) {
    size_t nl = input.find('\n', pos);
    if (nl == std::string_view::npos) break;
    line = std::string(input.substr(pos, nl - pos));
    pos = nl + 1;
  }
  http::Request req;
  req.method = "POST";
  req.path = lines[0];
  req.query = lines[1];
  if (!lines[2].empty()) req.headers.emplace("Content-Type", lines[2]);
  req.body = std::string(input.substr(std::min(pos, input.size())));
  return req;
}

void CheckUtf8Gate(std::string_view input) {
  http::Request req = RequestFrom(input);
  bool expected = IsValidUtf8(req.path) && IsValidUtf8(http::UrlDecode(req.query, true));
  std::string type = AsciiLower(req.Header("Content-Type"));
  if (StartsWith(type, "application/x-www-form-urlencoded")) expected = expected && IsValidUtf8(http::UrlDecode(req.body, true));
  if (StartsWith(type, "multipart/form-data"))
    for (const auto& p : web::MultipartParts(req))
      expected = expected && IsValidUtf8(p.name) && IsValidUtf8(p.filename) && (!p.filename.empty() || IsValidUtf8(p.data));
  Check(web::RequestTextIsUtf8(req) == expected, "the UTF-8 gate disagrees with its contract", input);
  // Each urlencoded field of a request that passed is well-formed text.
  if (expected)
    for (const auto& [k, v] : req.FormFields()) Check(IsValidUtf8(k) && IsValidUtf8(v), "a field of a passed form is not UTF-8", input);

  // FormField: the first urlencoded value, else the first plain multipart field, else "".
  for (const char* name : {"csrf", "next", "title", ""}) {
    std::optional<std::string> want;
    for (const auto& [k, v] : req.FormFields())
      if (!want && k == name) want = v;
    for (const auto& p : web::MultipartParts(req))
      if (!want && p.name == name && p.filename.empty()) want = p.data;
    Check(web::FormField(req, name) == want.value_or(""), "FormField is not the first value", input);
  }
}

void CheckJsonFields(std::string_view input) {
  json body = json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return;
  try {
    web::JsonFields f(body);
    std::string first_wrong;
    auto wrong = [&](const char* key) {
      if (first_wrong.empty()) first_wrong = key;
    };
    for (const char* key : {"a", "b", "c", "d", "e", ""}) {
      const json* v = body.is_object() && body.contains(key) && !body[key].is_null() ? &body[key] : nullptr;
      std::string text = f.Text(key, "\x01" "fallback");
      if (v && v->is_string()) Check(text == v->get<std::string>(), "Text lost the string", input);
      else Check(text == "\x01" "fallback", "Text of a non-string is not the fallback", input);
      if (v && !v->is_string()) wrong(key);

      auto n = f.Int(key);
      bool whole = v && (v->is_number_integer() && (!v->is_number_unsigned() || v->get<uint64_t>() <= uint64_t{INT64_MAX}));
      Check(n.has_value() == whole, "Int has a value exactly for whole numbers within int64", input);
      if (whole) Check(*n == (v->is_number_unsigned() ? static_cast<int64_t>(v->get<uint64_t>()) : v->get<int64_t>()), "Int changed the number", input);
      if (v) Check(web::JsonInt64(*v) == n, "JsonInt64 and Int disagree", input);
      if (v && !whole) wrong(key);

      auto b = f.Bool(key);
      Check(b.has_value() == (v && v->is_boolean()), "Bool has a value exactly for booleans", input);
      if (b) Check(*b == v->get<bool>(), "Bool changed the value", input);
      if (v && !v->is_boolean()) wrong(key);
      Check(f.wrong_field() == first_wrong, "not the first wrongly typed field", input);
    }
    // Fractions and numbers past int64 are never whole numbers for JsonInt64.
    for (const json& n : {json(0.5), json(uint64_t{INT64_MAX} + 1), json(-1.0)}) Check(!web::JsonInt64(n), "JsonInt64 took a non-int64", input);
  } catch (const std::exception& e) {
    Check(false, "JsonFields threw", e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: CheckSafeLocalPath(std::string(input)); break;
    case 1: CheckUtf8Gate(input); break;
    case 2: CheckJsonFields(input); break;
  }
  return 0;
}

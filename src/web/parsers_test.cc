// The parsers at the web layer's edge, one case per rule: multipart/form-data bodies,
// urlencoded forms, cookies, percent-decoding and query parameters.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ting/http/http.h"
#include "ting/web/multipart.h"

namespace ting::web {
namespace {

using http::Request;
using http::UrlDecode;

Request Multipart(const std::string& content_type, const std::string& body) {
  Request r;
  r.method = "POST";
  r.headers.emplace("Content-Type", content_type);
  r.body = body;
  return r;
}

std::vector<Part> Parts(const std::string& body, const std::string& content_type = "multipart/form-data; boundary=XyZ") {
  return MultipartParts(Multipart(content_type, body));
}

const std::string kField = "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nA park\r\n";
const std::string kEnd = "--XyZ--\r\n";

// --- multipart/form-data ---

TEST(MultipartParts, FieldAndFileWithBinaryData) {
  std::string png("\x89PNG\r\n\x1a\n\0\r\n-", 12);
  auto parts = Parts(kField +
                     "--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"park.png\"\r\nContent-Type: image/png\r\n\r\n" +
                     png + "\r\n" + kEnd);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "title");
  EXPECT_EQ(parts[0].filename, "") << "a plain field has no file name";
  EXPECT_EQ(parts[0].content_type, "");
  EXPECT_EQ(parts[0].data, "A park");
  EXPECT_EQ(parts[1].name, "image");
  EXPECT_EQ(parts[1].filename, "park.png");
  EXPECT_EQ(parts[1].content_type, "image/png");
  EXPECT_EQ(parts[1].data, png) << "bytes kept exactly: NUL, CR LF and '-' inside the data";
  EXPECT_EQ(SniffImageType(parts[1].data), "image/png");
}

TEST(MultipartParts, BoundaryParameterQuotedAnyCaseAmongOthers) {
  std::string body = "--a b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--a b--";
  auto parts = Parts(body, "Multipart/Form-Data; charset=UTF-8; BOUNDARY=\"a b\"");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].data, "1");
  EXPECT_EQ(Parts(kField + kEnd, "multipart/form-data;boundary=XyZ;charset=utf-8").size(), 1u) << "no spaces, later parameter";
  EXPECT_EQ(Parts(kField + kEnd, "multipart/form-data; boundary=\"XyZ\"").size(), 1u);
}

TEST(MultipartParts, QuotedNamesMayHoldSemicolonsAndEquals) {
  // Browsers escape only '"', CR and LF in names; ';' and '=' arrive as they are. These were
  // once cut at the ';' (name "\"a", file name "\"report").
  auto parts = Parts("--XyZ\r\nContent-Disposition: form-data; name=\"a;b=c\"; filename=\"report; name=x.png\"\r\n\r\nd\r\n" + kEnd);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "a;b=c");
  EXPECT_EQ(parts[0].filename, "report; name=x.png");
  auto boundary = Parts("--x;y\r\nContent-Disposition: form-data; name=\"z\"\r\n\r\n1\r\n--x;y--", "multipart/form-data; boundary=\"x;y\"");
  ASSERT_EQ(boundary.size(), 1u) << "a quoted boundary with ';'";
  EXPECT_EQ(boundary[0].data, "1");
}

TEST(MultipartParts, UnquotedNamesAndHeaderNamesInAnyCase) {
  auto parts = Parts("--XyZ\r\ncontent-disposition: form-data; NAME=title\r\nCONTENT-TYPE: text/plain\r\n\r\nx\r\n" + kEnd);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "title");
  EXPECT_EQ(parts[0].content_type, "text/plain");
}

TEST(MultipartParts, FilenameIsNotTakenForName) {
  auto parts = Parts("--XyZ\r\nContent-Disposition: form-data; filename=\"f.png\"; name=\"image\"\r\n\r\nx\r\n" + kEnd);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "image");
  EXPECT_EQ(parts[0].filename, "f.png");
}

TEST(MultipartParts, PreambleEpilogueAndEmptyValues) {
  auto parts = Parts("This is a preamble.\r\n" + kField + "--XyZ\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n" + kEnd +
                     "epilogue --XyZ\r\n");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].data, "A park");
  EXPECT_EQ(parts[1].name, "empty");
  EXPECT_EQ(parts[1].data, "");
}

TEST(MultipartParts, BoundaryTextInsideDataThatIsNotADelimiter) {
  auto parts = Parts("--XyZ\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nsee --XyZ and\n--XyZ here\r\n" + kEnd);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].data, "see --XyZ and\n--XyZ here") << "only CR LF + delimiter ends the data";
}

TEST(MultipartParts, MalformedBodiesGiveNoPartsAtAll) {
  EXPECT_TRUE(Parts(kField).empty()) << "no closing delimiter";
  EXPECT_TRUE(Parts(kField + "--XyZ").empty()) << "delimiter cut short";
  EXPECT_TRUE(Parts(kField + "--XyZ\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nunfinished").empty())
      << "the last part is never closed: the first is not kept either";
  EXPECT_TRUE(Parts("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nno blank line\r\n--XyZ--").empty());
  EXPECT_TRUE(Parts("--XyZjunk\r\n" + kField + kEnd).empty()) << "a delimiter followed by neither CR LF nor --";
  EXPECT_TRUE(Parts("--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nx\n--XyZ--\n").empty()) << "LF instead of CR LF";
  EXPECT_TRUE(Parts("").empty());
  EXPECT_TRUE(Parts("no delimiter at all").empty());
}

TEST(MultipartParts, OnlyMultipartWithAUsableBoundary) {
  std::string body = kField + kEnd;
  EXPECT_EQ(Parts(body).size(), 1u);
  EXPECT_TRUE(Parts(body, "application/x-www-form-urlencoded; boundary=XyZ").empty());
  EXPECT_TRUE(Parts(body, "multipart/mixed; boundary=XyZ").empty());
  EXPECT_TRUE(Parts(body, "multipart/form-data").empty()) << "no boundary";
  EXPECT_TRUE(Parts(body, "multipart/form-data; boundary=").empty()) << "empty boundary";
  EXPECT_TRUE(Parts(body, "multipart/form-data; boundary=\"\"").empty()) << "empty quoted boundary";
  EXPECT_TRUE(MultipartParts(Request()).empty()) << "no Content-Type";
  std::string long_boundary(200, 'b');
  std::string long_body = "--" + long_boundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--" + long_boundary + "--";
  EXPECT_EQ(Parts(long_body, "multipart/form-data; boundary=" + long_boundary).size(), 1u) << "200 characters are allowed";
  std::string too_long(201, 'b');
  EXPECT_TRUE(Parts("--" + too_long + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--" + too_long + "--",
                    "multipart/form-data; boundary=" + too_long)
                  .empty())
      << "longer than RFC 2046's 70 by far: refused";
}

TEST(MultipartParts, PartWithoutDispositionHasNoName) {
  auto parts = Parts("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n" + kEnd);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "");
  EXPECT_EQ(parts[0].data, "x");
}

TEST(SniffImageType, SignaturesOnly) {
  EXPECT_EQ(SniffImageType(std::string("\xFF\xD8\xFF\xE0", 4)), "image/jpeg");
  EXPECT_EQ(SniffImageType(std::string("RIFF\0\0\0\0WEBPVP8 ", 16)), "image/webp");
  EXPECT_EQ(SniffImageType("GIF87a...."), "image/gif");
  EXPECT_EQ(SniffImageType("GIF89a"), "image/gif");
  EXPECT_EQ(SniffImageType("\x89PNG\r\n\x1a"), "") << "one byte short";
  EXPECT_EQ(SniffImageType("RIFF....WAVE"), "") << "RIFF that is not WebP";
  EXPECT_EQ(SniffImageType("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), "") << "SVG can carry script: never an image here";
  EXPECT_EQ(SniffImageType(""), "");
}

// --- application/x-www-form-urlencoded ---

std::vector<std::pair<std::string, std::string>> Form(const std::string& body,
                                                      const std::string& type = "application/x-www-form-urlencoded") {
  Request r;
  r.headers.emplace("Content-Type", type);
  r.body = body;
  return r.FormFields();
}
using Fields = std::vector<std::pair<std::string, std::string>>;

TEST(FormFields, PlusAndPercentEscapes) {
  EXPECT_EQ(Form("name=Anna+Berg&city=G%C3%B6teborg&sum=1%2B1%3D2&amp=a%26b"),
            (Fields{{"name", "Anna Berg"}, {"city", "G\xC3\xB6teborg"}, {"sum", "1+1=2"}, {"amp", "a&b"}}));
  EXPECT_EQ(Form("x=%c3%a5"), (Fields{{"x", "\xC3\xA5"}})) << "lower-case hex";
  EXPECT_EQ(Form("a+b=c+d"), (Fields{{"a b", "c d"}})) << "keys are decoded too";
}

TEST(FormFields, BrokenEscapesStayAsText) {
  EXPECT_EQ(Form("a=100%&b=%G1&c=%4&d=%%41&e=%"), (Fields{{"a", "100%"}, {"b", "%G1"}, {"c", "%4"}, {"d", "%A"}, {"e", "%"}}));
}

TEST(FormFields, RepeatedKeysKeepEveryValueInOrder) {
  EXPECT_EQ(Form("project=3&x=1&project=1&project=3"), (Fields{{"project", "3"}, {"x", "1"}, {"project", "1"}, {"project", "3"}}));
}

TEST(FormFields, EmptyPiecesKeysAndValues) {
  EXPECT_EQ(Form("&a=1&&b=&c&=d&e==f&"), (Fields{{"a", "1"}, {"b", ""}, {"c", ""}, {"", "d"}, {"e", "=f"}}));
  EXPECT_TRUE(Form("").empty());
  EXPECT_TRUE(Form("&&&").empty());
}

TEST(FormFields, OnlyForUrlencodedBodies) {
  EXPECT_EQ(Form("a=1", "Application/X-WWW-Form-Urlencoded; charset=UTF-8").size(), 1u) << "type in any case, with parameters";
  EXPECT_TRUE(Form("a=1", "multipart/form-data; boundary=a").empty());
  EXPECT_TRUE(Form("a=1", "application/json").empty());
  EXPECT_TRUE(Form("a=1", "text/plain").empty());
  Request none;
  none.body = "a=1";
  EXPECT_TRUE(none.FormFields().empty()) << "no Content-Type";
}

// --- cookies ---

Request WithCookies(std::vector<std::string> fields) {
  Request r;
  for (auto& f : fields) r.headers.emplace("Cookie", f);
  return r;
}

TEST(Cookie, SpacesAroundPairsAreIgnored) {
  Request r = WithCookies({"  a=1 ;b=2  ;\tc=three words\t"});
  EXPECT_EQ(r.Cookie("a"), "1");
  EXPECT_EQ(r.Cookie("b"), "2");
  EXPECT_EQ(r.Cookie("c"), "three words") << "inner spaces kept, outer ones dropped";
}

TEST(Cookie, QuotedValuesAreReturnedAsSent) {
  // RFC 6265 §4.1.1: the quotes belong to the cookie-value; Ting's own cookies never use them.
  Request r = WithCookies({"q=\"abc\"; e=\"\""});
  EXPECT_EQ(r.Cookie("q"), "\"abc\"");
  EXPECT_EQ(r.Cookie("e"), "\"\"");
}

TEST(Cookie, FirstOfDuplicatesWinsAcrossFields) {
  // Browsers send the cookie with the longest path first.
  Request r = WithCookies({"ting_session=first; x=1; ting_session=second", "ting_session=third; y=2"});
  EXPECT_EQ(r.Cookie("ting_session"), "first");
  EXPECT_EQ(r.Cookie("y"), "2") << "a second Cookie field is read too";
}

TEST(Cookie, EmptyAndMissing) {
  Request r = WithCookies({"empty=; flag; ;;=orphan; a=b=c"});
  EXPECT_EQ(r.Cookie("empty"), "") << "present with an empty value";
  EXPECT_EQ(r.Cookie("flag"), std::nullopt) << "a name without '=' is no cookie";
  EXPECT_EQ(r.Cookie("a"), "b=c");
  EXPECT_EQ(r.Cookie("missing"), std::nullopt);
  EXPECT_EQ(r.Cookie("A"), std::nullopt) << "names are case-sensitive";
  EXPECT_EQ(r.Cookie("orphan"), std::nullopt);
  EXPECT_EQ(WithCookies({}).Cookie("a"), std::nullopt);
  EXPECT_EQ(WithCookies({""}).Cookie("a"), std::nullopt);
}

TEST(Cookie, NoPrefixOrSuffixMatches) {
  Request r = WithCookies({"xting_session=1; ting_sessionx=2"});
  EXPECT_EQ(r.Cookie("ting_session"), std::nullopt);
}

// --- percent-decoding and query parameters ---

TEST(UrlDecode, EdgesOfEscapes) {
  EXPECT_EQ(UrlDecode("%41", false), "A") << "an escape that ends the input";
  EXPECT_EQ(UrlDecode("a%4", false), "a%4") << "one hex digit short at the end";
  EXPECT_EQ(UrlDecode("%", true), "%");
  EXPECT_EQ(UrlDecode("%%", true), "%%");
  EXPECT_EQ(UrlDecode("%41%", false), "A%");
  EXPECT_EQ(UrlDecode("%zz%4g", false), "%zz%4g");
  EXPECT_EQ(UrlDecode("%00", false), std::string("\0", 1)) << "forms may decode NUL; paths refuse it in the server";
  EXPECT_EQ(UrlDecode("%FF%fe", false), "\xFF\xFE") << "any byte, even ill-formed UTF-8 (the UTF-8 gate refuses it later)";
  EXPECT_EQ(UrlDecode("%252F", false), "%2F") << "decoded once, never twice";
}

TEST(UrlDecode, PlusIsASpaceOnlyInForms) {
  EXPECT_EQ(UrlDecode("a+b", true), "a b");
  EXPECT_EQ(UrlDecode("a+b", false), "a+b");
  EXPECT_EQ(UrlDecode("a%2Bb", true), "a+b") << "an escaped plus stays a plus";
  EXPECT_EQ(UrlDecode("a%20b", false), "a b");
}

TEST(QueryParam, DecodedKeysFirstOccurrenceAndFlags) {
  Request r;
  r.query = "%6Eext=%2Fa&next=%2Fb&a+b=1&flag&=empty&x=1=2";
  EXPECT_EQ(r.QueryParam("next"), "/a") << "an escaped key matches; the first occurrence wins";
  EXPECT_EQ(r.QueryParam("a b"), "1");
  EXPECT_EQ(r.QueryParam("flag"), "");
  EXPECT_EQ(r.QueryParam(""), "empty");
  EXPECT_EQ(r.QueryParam("x"), "1=2");
  EXPECT_EQ(r.QueryParam("nex"), std::nullopt);
  Request empty;
  EXPECT_EQ(empty.QueryParam("a"), std::nullopt);
}

}  // namespace
}  // namespace ting::web

// Static files from a folder, with ETag/304 and Cache-Control; never outside the folder.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ting/base/digest.h"
#include "ting/base/strings.h"
#include "ting/http/server.h"

namespace ting::http {

namespace fs = std::filesystem;

// If-None-Match: "*" or a list of entity tags, weak ones (W/"...") compared by their value.
static bool NoneMatchHits(std::string_view header, const std::string& etag) {
  for (auto item : Split(header, ',')) {
    item = Trim(item);
    if (item == "*") return true;
    if (StartsWith(item, "W/")) item.remove_prefix(2);
    if (item == etag) return true;
  }
  return false;
}

std::string ContentTypeFor(std::string_view path) {
  static const std::vector<std::pair<std::string, std::string>> kTypes = {
      {".css", "text/css; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"}, {".svg", "image/svg+xml"},
      {".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".webp", "image/webp"}, {".gif", "image/gif"},
      {".ico", "image/x-icon"}, {".woff2", "font/woff2"}, {".txt", "text/plain; charset=utf-8"},
      {".html", "text/html; charset=utf-8"}, {".json", "application/json"}, {".mjs", "text/javascript; charset=utf-8"},
      {".map", "application/json"}, {".woff", "font/woff"}, {".avif", "image/avif"}, {".pdf", "application/pdf"},
      {".csv", "text/csv; charset=utf-8"}, {".xml", "application/xml"}};
  std::string lower = AsciiLower(path);
  for (const auto& [ext, type] : kTypes)
    if (EndsWith(lower, ext)) return type;
  return "application/octet-stream";
}

Handler StaticFiles(std::string root, std::string prefix, std::string cache_control) {
  std::error_code ec;
  fs::path base = fs::weakly_canonical(fs::path(root), ec);
  return [base, prefix, cache_control](Request& req) -> Response {
    if (!StartsWith(req.path, prefix)) return Response::Text(404, "not found");
    std::string rel = req.path.substr(prefix.size());
    if (rel.empty() || rel.front() == '/' || rel.find("..") != std::string::npos || rel.find('\\') != std::string::npos)
      return Response::Text(404, "not found");
    std::error_code ec;
    fs::path file = fs::weakly_canonical(base / rel, ec);
    // Also catches symbolic links that point out of the folder.
    auto [b, f] = std::mismatch(base.begin(), base.end(), file.begin(), file.end());
    if (ec || b != base.end() || !fs::is_regular_file(file, ec)) return Response::Text(404, "not found");
    auto size = fs::file_size(file, ec);
    auto mtime = fs::last_write_time(file, ec).time_since_epoch().count();
    std::string etag = "\"" + std::to_string(size) + "-" + std::to_string(mtime) + "\"";
    Response r;
    r.Set("ETag", etag);
    r.Set("Cache-Control", cache_control);
    if (NoneMatchHits(req.Header("If-None-Match"), etag)) {
      r.status = 304;
      return r;
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream ss;
    if (!in || !(ss << in.rdbuf())) return Response::Text(404, "not found");
    r.body = ss.str();
    r.Set("Content-Type", ContentTypeFor(file.string()));
    return r;
  };
}

Handler EmbeddedFiles(const std::vector<std::pair<std::string, std::string_view>>& files, std::string prefix,
                      std::string cache_control) {
  struct File {
    std::string_view content;
    std::string etag, type;
  };
  auto table = std::make_shared<std::map<std::string, File, std::less<>>>();
  for (const auto& [name, content] : files)
    (*table)[name] = {content, "\"" + Sha256Hex(content).substr(0, 20) + "\"", ContentTypeFor(name)};
  return [table, prefix, cache_control](Request& req) -> Response {
    if (!StartsWith(req.path, prefix)) return Response::Text(404, "not found");
    auto it = table->find(std::string_view(req.path).substr(prefix.size()));
    if (it == table->end()) return Response::Text(404, "not found");
    Response r;
    r.Set("ETag", it->second.etag);
    r.Set("Cache-Control", cache_control);
    if (NoneMatchHits(req.Header("If-None-Match"), it->second.etag)) {
      r.status = 304;
      return r;
    }
    r.Set("Content-Type", it->second.type);
    r.body = std::string(it->second.content);
    return r;
  };
}

}  // namespace ting::http

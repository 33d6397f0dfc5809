#pragma once
// multipart/form-data bodies (RFC 7578), for forms that upload files and work without JavaScript.

#include <string>
#include <string_view>
#include <vector>

#include "ting/http/http.h"

namespace ting::web {

struct Part {
  std::string name;
  std::string filename;      // empty for plain fields
  std::string content_type;  // as the browser sent it; never trusted for files
  std::string data;
};

// The parts of a multipart/form-data request; empty when the request is not one or is malformed.
std::vector<Part> MultipartParts(const http::Request& req);

// What an uploaded image really is, by its first bytes: "image/png", "image/jpeg",
// "image/webp", "image/gif", or "" when it is none of these.
std::string SniffImageType(std::string_view data);

}  // namespace ting::web

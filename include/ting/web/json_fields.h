#pragma once
// Reading JSON request bodies without exceptions: a field of the wrong type is a 422 naming the
// field, never a 500.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ting/base/result.h"
#include "ting/http/http.h"

namespace ting::web {

// A JSON number that is a whole number fitting int64, or nullopt (fractions, strings, and
// numbers past int64, which nlohmann would otherwise wrap, are not).
std::optional<int64_t> JsonInt64(const nlohmann::json& v);

// The body of a request as a JSON object; kInvalidArgument (api.bad_json, api.bad_utf8) if not.
Result<nlohmann::json> JsonBody(const http::Request& req);

// Reads fields of a JSON object. A field present with the wrong type reads as absent and is
// remembered; Check() then returns the error naming the first one (api.wrong_type, 422).
class JsonFields {
 public:
  // Keeps a reference: body must outlive this reader (a temporary cannot be passed).
  explicit JsonFields(const nlohmann::json& body) : body_(body) {}
  explicit JsonFields(const nlohmann::json&&) = delete;
  std::string Text(const char* field, std::string fallback = "");
  std::optional<std::string> OptionalText(const char* field);
  std::optional<int64_t> Int(const char* field);
  std::optional<bool> Bool(const char* field);
  // A required text field: absent is api.missing_field, wrong type api.wrong_type.
  Result<std::string> Required(const char* field);
  // The first field read with the wrong type ("" when none) and the type it should have had.
  const std::string& wrong_field() const { return wrong_field_; }
  const std::string& expected() const { return expected_; }
  // OK, or the kInvalidArgument error for the first field of the wrong type.
  Status Check() const;

 private:
  const nlohmann::json* Find(const char* field) const;
  void Wrong(const char* field, const char* expected);
  const nlohmann::json& body_;
  std::string wrong_field_, expected_;
};

}  // namespace ting::web

#include "ting/web/json_fields.h"
#include "ting/base/keys.h"

#include "ting/base/strings.h"

namespace ting::web {

using json = nlohmann::json;

std::optional<int64_t> JsonInt64(const json& v) {
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v.get<uint64_t>());
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  return std::nullopt;
}

Result<json> JsonBody(const http::Request& req) {
  auto body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    // nlohmann's parser refuses ill-formed UTF-8 in strings; say so when that was the problem.
    if (!IsValidUtf8(req.body)) return Error::Say(ErrorCode::kMalformed, TING_KEY("api.bad_utf8"));
    return Error::Say(ErrorCode::kMalformed, TING_KEY("api.bad_json"));
  }
  return body;
}

const json* JsonFields::Find(const char* field) const {
  if (!body_.is_object()) return nullptr;
  auto it = body_.find(field);
  if (it == body_.end() || it->is_null()) return nullptr;
  return &*it;
}

void JsonFields::Wrong(const char* field, const char* expected) {
  if (!wrong_field_.empty()) return;
  wrong_field_ = field;
  expected_ = expected;
}

std::string JsonFields::Text(const char* field, std::string fallback) {
  return OptionalText(field).value_or(std::move(fallback));
}

std::optional<std::string> JsonFields::OptionalText(const char* field) {
  const json* v = Find(field);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    Wrong(field, "string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<int64_t> JsonFields::Int(const char* field) {
  const json* v = Find(field);
  if (!v) return std::nullopt;
  if (auto n = JsonInt64(*v)) return n;
  Wrong(field, "integer");
  return std::nullopt;
}

std::optional<bool> JsonFields::Bool(const char* field) {
  const json* v = Find(field);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    Wrong(field, "boolean");
    return std::nullopt;
  }
  return v->get<bool>();
}

Result<std::string> JsonFields::Required(const char* field) {
  auto text = OptionalText(field);
  TING_RETURN_IF_ERROR(Check());
  if (!text) return Error::Say(ErrorCode::kMalformed, TING_KEY("api.missing_field"), {{"field", field}});
  return *text;
}

Status JsonFields::Check() const {
  if (wrong_field_.empty()) return {};
  return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("api.wrong_type"), {{"field", wrong_field_}, {"expected", expected_}});
}

}  // namespace ting::web

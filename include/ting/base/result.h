#pragma once
// Errors are values. A Result<T> holds either a T or an Error. No exception crosses a library
// boundary. An Error has
//   code     what kind of failure (the web layer maps it to an HTTP status),
//   message  a detail for logs and command-line users (English; may name a file and line),
//   key      the catalogue key of what a person using the platform is told, with its values in
//            args ("" for errors no person on the web sees: the web then says what the code
//            means, in their language). Code never branches on message or key text.

#include <cassert>
#include <map>
#include <string>
#include <utility>
#include <variant>

namespace ting {

enum class ErrorCode {
  kInvalidArgument,   // the caller's input is wrong (bad file, bad form field, bad flag)
  kMalformed,         // the request cannot be read at all (not JSON, not UTF-8, a field missing)
  kConflict,          // the request clashes with the current state (a frozen ballot)
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kUnauthenticated,
  kFailedPrecondition,  // the request is fine but the state does not allow it (wrong phase)
  kResourceExhausted,   // rate limits, size limits
  kGone,               // it was there and is no more: a used or expired link
  kInfeasible,          // a problem with no solution (quotas no panel can meet)
  kIoError,
  kInternal,
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  using Args = std::map<std::string, std::string>;
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string key;
  Args args;

  // An error a person on the web is told about: a catalogue key and its values. The key is also
  // the detail for logs.
  static Error Say(ErrorCode code, std::string key, Args args = {}) {
    Error e = Of(code, key);
    e.key = std::move(key);
    e.args = std::move(args);
    return e;
  }
  static Error Of(ErrorCode code, std::string message) {
    Error e;
    e.code = code;
    e.message = std::move(message);
    return e;
  }

  static Error Invalid(std::string m) { return Of(ErrorCode::kInvalidArgument, std::move(m)); }
  static Error NotFound(std::string m) { return Of(ErrorCode::kNotFound, std::move(m)); }
  static Error Exists(std::string m) { return Of(ErrorCode::kAlreadyExists, std::move(m)); }
  static Error Denied(std::string m) { return Of(ErrorCode::kPermissionDenied, std::move(m)); }
  static Error Unauthenticated(std::string m) { return Of(ErrorCode::kUnauthenticated, std::move(m)); }
  static Error Conflict(std::string m) { return Of(ErrorCode::kConflict, std::move(m)); }
  static Error Precondition(std::string m) { return Of(ErrorCode::kFailedPrecondition, std::move(m)); }
  static Error Exhausted(std::string m) { return Of(ErrorCode::kResourceExhausted, std::move(m)); }
  static Error Infeasible(std::string m) { return Of(ErrorCode::kInfeasible, std::move(m)); }
  static Error Io(std::string m) { return Of(ErrorCode::kIoError, std::move(m)); }
  static Error Internal(std::string m) { return Of(ErrorCode::kInternal, std::move(m)); }

  // "file.pb:12: message" style prefixing, for errors that must point at their source.
  Error At(const std::string& where) const {
    Error e = *this;
    e.message = where + ": " + message;
    return e;
  }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}        // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !ok()
  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design
  static Status Ok() { return {}; }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

// The Status of a Result, dropping its value.
template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.ok() ? Status() : Status(r.error());
}

}  // namespace ting

// Returns early with the error of a failed Status/Result expression.
#define TING_RETURN_IF_ERROR(expr)                   \
  do {                                               \
    auto&& ting_status_ = (expr);                    \
    if (!ting_status_.ok()) return ting_status_.error(); \
  } while (0)

#define TING_CONCAT_INNER_(a, b) a##b
#define TING_CONCAT_(a, b) TING_CONCAT_INNER_(a, b)
// TING_ASSIGN_OR_RETURN(auto x, MakeX()); declares x from a Result or returns its error.
#define TING_ASSIGN_OR_RETURN(decl, expr)                                 \
  auto TING_CONCAT_(ting_result_, __LINE__) = (expr);                     \
  if (!TING_CONCAT_(ting_result_, __LINE__).ok())                         \
    return TING_CONCAT_(ting_result_, __LINE__).error();                  \
  decl = std::move(TING_CONCAT_(ting_result_, __LINE__)).value()

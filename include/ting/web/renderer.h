#pragma once
// Pages and texts in the request's language: a template inside the layout, catalogue strings,
// amounts as the language writes them, error pages, redirects with a one-time message. Owns the
// compiled templates and the catalogue; the Site holds one and forwards to it.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ting/base/money.h"
#include "ting/html/catalog.h"
#include "ting/html/templates.h"
#include "ting/http/http.h"
#include "ting/web/context.h"

namespace ting::web {

// The one cookie writer: HttpOnly, SameSite=Lax, and Secure whenever the request is secure
// (TLS, a trusted proxy, or cookies_secure).
void SetCookie(Context& ctx, const std::string& name, const std::string& value, int64_t max_age);

class Renderer {
 public:
  Renderer(html::Catalog catalog, std::unique_ptr<html::Templates> templates)
      : catalog_(std::move(catalog)), templates_(std::move(templates)) {}

  std::string T(const Context& ctx, const std::string& key, const std::map<std::string, std::string>& vars = {}) const;
  std::string FormatMoney(const Context& ctx, const Money& money) const;
  // Renders template inside the layout with a title that is a catalogue key, or plain text.
  http::Response Page(const http::Request& req, Context& ctx, const std::string& name, const std::string& title_key,
                      html::Data data, int status = 200) const;
  http::Response PageTitled(const http::Request& req, Context& ctx, const std::string& name, const std::string& title,
                            html::Data data, int status = 200) const;
  // A template without the layout (a start-page section).
  std::string Fragment(const Context& ctx, const std::string& name, const html::Data& data) const;
  http::Response ErrorPage(const http::Request& req, Context& ctx, int status, const std::string& title_key,
                           const std::string& message_key, const std::map<std::string, std::string>& vars = {}) const;
  // 303 to location with a one-time flash message (catalogue key).
  static http::Response RedirectWithFlash(Context& ctx, const std::string& location, const std::string& flash_key);
  static http::Response Json(int status, const nlohmann::json& body);

  const html::Catalog& catalog() const { return catalog_; }
  // Adds values to every page's layout data (set up while components mount, before serving).
  void AddLayoutData(std::function<void(const Context&, html::Data&)> fill) { layout_fills_.push_back(std::move(fill)); }
  const html::Templates& templates() const { return *templates_; }

 private:
  html::Catalog catalog_;
  std::vector<std::function<void(const Context&, html::Data&)>> layout_fills_;
  std::unique_ptr<html::Templates> templates_;
};

}  // namespace ting::web

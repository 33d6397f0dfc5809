// The renderer: pages in the layout, in the request's language; catalogue strings; money.

#include "ting/web/renderer.h"

#include "ting/base/keys.h"
#include "ting/base/translated.h"

namespace ting::web {

using http::Request;
using http::Response;
using json = nlohmann::json;

namespace {
constexpr const char* kFlashCookie = "ting_flash";
html::Data Bool(bool b) { return html::Data(b ? html::Data::type::bool_true : html::Data::type::bool_false); }
}  // namespace

std::string Renderer::T(const Context& ctx, const std::string& key, const std::map<std::string, std::string>& vars) const {
  return catalog_.Format(ctx.lang, key, vars);
}

std::string Renderer::FormatMoney(const Context& ctx, const Money& money) const {
  return ::ting::FormatMoney(money, catalog_.Lang(ctx.lang).money);
}

Response Renderer::Page(const Request& req, Context& ctx, const std::string& name, const std::string& title_key,
                        html::Data data, int status) const {
  return PageTitled(req, ctx, name, T(ctx, title_key), std::move(data), status);
}

Response Renderer::PageTitled(const Request& req, Context& ctx, const std::string& name, const std::string& title,
                              html::Data data, int status) const {
  const auto& lang = catalog_.Lang(ctx.lang);
  data.set("lang", lang.code);
  data.set("dir", lang.dir);
  data.set("title", title);
  data.set("org_name", ctx.org.name);
  data.set("csrf", ctx.csrf);
  data.set("path", req.target);
  html::List languages;
  for (const auto& l : catalog_.Enabled(ctx.org.languages)) {
    html::Object o{{"code", l.code}, {"name", l.name}};
    o["current"] = Bool(l.code == lang.code);
    languages.push_back(o);
  }
  data.set("languages", languages);
  if (const auto* watch = FallbackWatch::Current(); watch && !watch->shown().empty() && watch->lang() == lang.code) {
    const std::string& shown = watch->shown();
    data.set("content_note", T(ctx, TING_KEY("layout.content_fallback"), {{"language", lang.name}, {"shown", catalog_.Has(shown) ? catalog_.Lang(shown).name : shown}}));
    data.set("content_lang", shown);
  }
  if (ctx.user) {
    html::Object u{{"name", ctx.user->name}};
    u["is_staff"] = Bool(ctx.Can(core::Action::kViewAdmin));
    data.set("user", u);
  } else {
    data.set("user", Bool(false));
  }
  for (const auto& fill : layout_fills_) fill(ctx, data);
  if (!ctx.flash.empty()) {
    data.set("flash", T(ctx, ctx.flash));
    SetCookie(ctx, kFlashCookie, "", 0);
  }
  auto content = templates_->Render(name, lang.code, data);
  if (!content.ok()) return Response::Text(500, content.error().message);
  data.set("content", *content);
  auto page = templates_->Render("layout", lang.code, data);
  if (!page.ok()) return Response::Text(500, page.error().message);
  return Response::Html(status, std::move(*page));
}

std::string Renderer::Fragment(const Context& ctx, const std::string& name, const html::Data& data) const {
  auto out = templates_->Render(name, ctx.lang, data);
  return out.ok() ? *out : std::string();
}

Response Renderer::ErrorPage(const Request& req, Context& ctx, int status, const std::string& title_key,
                             const std::string& message_key, const std::map<std::string, std::string>& vars) const {
  html::Data d;
  d.set("heading", T(ctx, title_key));
  d.set("message", T(ctx, message_key, vars));
  return Page(req, ctx, "error", title_key, d, status);
}

Response Renderer::RedirectWithFlash(Context& ctx, const std::string& location, const std::string& flash_key) {
  SetCookie(ctx, kFlashCookie, flash_key, 60);
  return Response::Redirect(location);
}

Response Renderer::Json(int status, const json& body) { return Response::Json(status, body.dump()); }

}  // namespace ting::web

// Mail from the catalogue: absolute links, the subject and body in the recipient's language, and
// the same body as simple HTML.

#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/html/templates.h"
#include "ting/web/site.h"

namespace ting::web {
namespace {

// Escaped text with http(s) links made clickable.
std::string LinkedHtml(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t at = std::min(text.find("https://", i), text.find("http://", i));
    if (at == std::string_view::npos) {
      out += html::EscapeHtml(text.substr(i));
      break;
    }
    out += html::EscapeHtml(text.substr(i, at - i));
    size_t end = text.find_first_of(" \t\n<>\"", at);
    if (end == std::string_view::npos) end = text.size();
    std::string url = html::EscapeHtml(text.substr(at, end - at));
    out += "<a href=\"" + url + "\">" + url + "</a>";
    i = end;
  }
  return out;
}

// Paragraphs separated by blank lines; single newlines become <br>.
std::string Paragraphs(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t end = text.find("\n\n", i);
    if (end == std::string::npos) end = text.size();
    std::string_view para = Trim(std::string_view(text).substr(i, end - i));
    if (!para.empty()) {
      std::string html = LinkedHtml(para);
      std::string with_breaks;
      for (char ch : html) with_breaks += ch == '\n' ? std::string("<br>\n") : std::string(1, ch);
      out += "<p>" + with_breaks + "</p>\n";
    }
    i = end + 2;
  }
  return out;
}

}  // namespace

std::string Site::Url(const core::Organisation& org, const std::string& path) const {
  std::string base;
  if (org.host.empty()) {
    std::lock_guard lock(public_url_mu_);
    base = options_.public_url;
  } else {
    base = "https://" + org.host;
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + path;
}

outbox::Message Site::ComposeMail(const core::Organisation& org, const std::string& lang_in, const std::string& to,
                                  const MailWords& words) const {
  const auto& catalog = renderer_.catalog();
  const std::string lang = catalog.Lang(lang_in).code;
  auto vars = words.vars;
  vars["org"] = org.name;
  outbox::Message m;
  m.organisation_id = org.id;
  m.to = to;
  m.kind = words.kind;
  m.unsubscribe_url = words.unsubscribe_url;
  m.subject = catalog.Format(lang, words.key + ".subject", vars);
  std::string body = catalog.Format(lang, words.key + ".body", vars);
  std::string footer = words.kind == outbox::Kind::kTransactional
                           ? catalog.Format(lang, TING_KEY("mail.footer_transactional"), {{"org", org.name}, {"site", Url(org, "/")}})
                           : catalog.Format(lang, TING_KEY("mail.footer_unsubscribe"),
                                            {{"org", org.name}, {"unsubscribe", words.unsubscribe_url}, {"settings", Url(org, "/account")}});
  m.text = body + "\n\n-- \n" + footer + "\n";
  const auto& language = catalog.Lang(lang);
  m.html = "<!doctype html>\n<html lang=\"" + html::EscapeHtml(language.code) + "\" dir=\"" + html::EscapeHtml(language.dir) +
           "\"><head><meta charset=\"utf-8\"><title>" + html::EscapeHtml(m.subject) +
           "</title></head>\n<body style=\"font-family: sans-serif; line-height: 1.5; max-width: 40em\">\n<p><strong>" +
           html::EscapeHtml(org.name) + "</strong></p>\n" + Paragraphs(body) + "<hr>\n<div style=\"font-size: 0.9em; color: #444\">" +
           Paragraphs(footer) + "</div>\n</body></html>\n";
  return m;
}

}  // namespace ting::web

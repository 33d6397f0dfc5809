#pragma once
// Letters with voting codes, to print and post: one A4 page per person, as a PDF.
//
// The page is laid out for a window envelope (DIN 5008 / C5 and DL windows): the address block
// sits 25 mm from the left and 50 mm from the top. The QR code of the voting link is at the top
// right with the link printed under it; below come the heading, the code in a box, the
// paragraphs on how to vote and, at the foot of the page, the footer.
//
// Thread safety: LettersPdf keeps no state between calls (each call has its own Cairo surface
// and Pango font map), so several threads may call it at once.

#include <functional>
#include <string>
#include <vector>

#include "ting/base/result.h"
#include "ting/components/residents.h"
#include "ting/web/site.h"

namespace ting::components {

struct Letter {
  std::string name;       // the person's name; empty for an anonymous code
  std::string address;    // one line (may be empty)
  std::string district;   // may be empty
  std::string code;       // as printed, e.g. "K7QF-M2XP-9RTA"
  std::string url;        // the voting link carrying the code; drawn as a QR code and printed under it
  bool right_to_left = false;  // Arabic, Persian...: paragraphs set right to left
  // Texts already translated into the person's language:
  std::string heading;                  // e.g. "Your voting code: Medborgarbudget 2026"
  std::string code_label;               // e.g. "Your code"
  std::vector<std::string> paragraphs;  // how to vote (2-6 short paragraphs)
  std::string footer;                   // e.g. the organisation's name
};

// One A4 page per letter (in order). Error (kInternal) if Cairo or qrencode fail.
// Texts are UTF-8 (Swedish å ä ö, Arabic, etc. must render; use Pango with a sans font).
// Error (kInvalidArgument) when letters is empty, a text is not UTF-8, a letter has no url, or
// its paragraphs do not fit on the page even in the smallest type (8 pt).
Result<std::string> LettersPdf(const std::vector<Letter>& letters);

// The texts of one letter, in the language of the Context given (the person's).
struct LetterWords {
  std::string heading, code_label;
  std::vector<std::string> paragraphs;
};
// The letters for issued codes as a PDF download (201, no-store): each in the person's language
// when the catalogue has it, else the organisation's default, right to left where that language
// is; url(code) is the link its QR code carries; words(in) the texts in that language.
Result<http::Response> LettersDownload(const web::Site& site, const web::Context& ctx, const std::vector<IssuedCode>& codes,
                                       const std::function<std::string(const std::string& code)>& url,
                                       const std::function<LetterWords(const web::Context& in)>& words, const std::string& filename);

}  // namespace ting::components

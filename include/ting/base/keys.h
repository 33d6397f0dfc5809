#pragma once
// Catalogue keys used from C++, checked at start-up like the [[keys]] of templates. Write a key
// as TING_KEY("proposals.not_found"): the key registers itself before main(), and the site
// refuses to start when the default language's catalogue lacks any registered key (see
// web::Site::Create). Keys built at run time (a prefix and a name: "phase." + PhaseName(p))
// are registered with ExpectKey() by the code that builds them.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ting {

// Registers a key; returns true (for static initialisers).
bool ExpectKey(std::string_view key);
// Every key registered so far, sorted, without repeats.
std::vector<std::string> ExpectedKeys();

template <size_t N>
struct KeyLiteral {
  char text[N];
  constexpr KeyLiteral(const char (&s)[N]) { std::copy_n(s, N, text); }  // NOLINT: implicit by design
};

template <KeyLiteral K>
struct KeyUse {
  static inline const bool registered = ExpectKey(K.text);
};

template <KeyLiteral K>
inline const char* Key() {
  (void)KeyUse<K>::registered;
  return K.text;
}

}  // namespace ting

#define TING_KEY(literal) (::ting::Key<literal>())
// A mail's key: its "<key>.subject" and "<key>.body" are registered (web::Site::ComposeMail).
#define TING_MAIL_KEY(literal) ((void)::ting::Key<literal ".subject">(), (void)::ting::Key<literal ".body">(), literal)

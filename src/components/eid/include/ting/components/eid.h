#pragma once
// eID sign-in: an organisation's OpenID Connect provider (a broker for BankID or Freja such as
// Idura, formerly Criipto), set by its admins, and the sign-in through it. A person signing in
// gets an account of their own, found again by a keyed hash of their personal identity number
// (never stored in clear), and is verified as the register person with that number when there
// is one. See docs/eid.md.

#include "ting/web/component.h"

namespace ting::components {

web::Manifest EidManifest();

}  // namespace ting::components

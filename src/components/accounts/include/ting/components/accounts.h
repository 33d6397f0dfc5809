#pragma once
// Accounts: register, sign in and out, the account page (password, language), the admin shell
// (members and roles), and the API's sessions, /me and user registration. The people and
// sessions themselves are core (ting/core/accounts.h): every request needs them.

#include "ting/web/component.h"

namespace ting::components {

web::Manifest AccountsManifest();

}  // namespace ting::components

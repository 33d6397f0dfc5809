#pragma once
// Mail to residents beyond the account's own links: notifications by email (each kind on or off,
// or a daily digest), one-click unsubscribe, the notifications bell, and the outbox's admin page.

#include "ting/web/component.h"

namespace ting::components {

web::Manifest MailManifest();

}  // namespace ting::components

// ting migrate, ting user add.

#include <iostream>

#include "commands.h"
#include "components.h"
#include "database.h"
#include "flags.h"
#include "ting/base/strings.h"
#include "ting/core/accounts.h"
#include "ting/html/catalog.h"
#include "ting/web/site.h"

namespace ting::app {

int RunMigrate(const Args& args) {
  auto flags = Flags::Parse(args, {{"db"}, {"help"}});
  if (!flags.ok()) return UsageError("migrate", flags.error().message);
  if (flags->Has("help")) {
    std::cout << "usage: ting migrate --db PATH\n\nCreates the database if needed and applies every pending schema migration.\n";
    return 0;
  }
  auto path = flags->Require("db");
  if (!path.ok()) return UsageError("migrate", path.error().message);
  auto db = OpenDatabase(*path, /*print_migrations=*/true);
  if (!db.ok()) {
    std::cerr << "ting migrate: " << db.error().message << "\n";
    return 1;
  }
  return 0;
}

int RunUser(const Args& args) {
  const char* usage =
      "usage: ting user add --db PATH --email E --password P [--name N] [--role admin|manager|reviewer|moderator|staff]\n"
      "                    [--org SLUG]\n\n"
      "Creates an account (or, when it exists, checks nothing and only grants the role) in the\n"
      "organisation SLUG (default: the first organisation).\n";
  if (args.empty() || args[0] == "--help") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "add") return UsageError("user", "unknown subcommand '" + args[0] + "' (try: ting user add --help)");
  auto flags = Flags::Parse(Args(args.begin() + 1, args.end()), {{"db", "email", "password", "name", "role", "org"}, {"help"}});
  if (!flags.ok()) return UsageError("user add", flags.error().message);
  if (flags->Has("help")) {
    std::cout << usage;
    return 0;
  }
  for (const char* required : {"db", "email", "password"})
    if (!flags->Get(required)) return UsageError("user add", std::string("missing required flag --") + required);
  std::optional<core::Role> role;
  if (auto r = flags->Get("role")) {
    role = core::ParseRole(*r);
    if (!role) return UsageError("user add", "unknown role '" + *r + "' (admin, manager, reviewer, moderator or staff)");
  }
  auto db = OpenDatabase(*flags->Get("db"));
  if (!db.ok()) {
    std::cerr << "ting user add: " << db.error().message << "\n";
    return 1;
  }
  auto catalog = html::Catalog::LoadEmbedded();
  core::Accounts accounts(**db);
  std::string email = *flags->Get("email");
  std::string name = flags->GetOr("name", email.substr(0, email.find('@')));
  auto user = accounts.Register(email, *flags->Get("password"), name, "sv");
  if (!user.ok()) {
    std::string message = user.error().message;
    if (catalog.ok() && !user.error().key.empty()) message = catalog->Format("en", user.error().key, user.error().args);
    std::cerr << "ting user add: " << message << "\n";
    return 1;
  }
  if (role) {
    core::Organisations orgs(**db);
    Result<core::Organisation> org = Error::NotFound("");
    if (auto slug = flags->Get("org")) {
      auto all = orgs.All();
      org = Error::NotFound("no organisation with slug '" + *slug + "'");
      if (all.ok())
        for (const auto& o : *all)
          if (o.slug == *slug) org = o;
    } else {
      org = orgs.ForHost("");
      if (!org.ok()) org = orgs.Create("default", "Ting", "", html::CatalogueLanguages());
    }
    if (!org.ok()) {
      std::cerr << "ting user add: " << org.error().message << "\n";
      return 1;
    }
    if (auto st = accounts.Grant(org->id, user->id, *role); !st.ok()) {
      std::cerr << "ting user add: " << st.error().message << "\n";
      return 1;
    }
  }
  std::cout << "created user " << user->id << " <" << user->email << ">" << (role ? std::string(" as ") + core::RoleName(*role) : "")
            << "\n";
  return 0;
}

int RunOrg(const Args& args) {
  const char* usage =
      "usage: ting org add --db PATH --slug SLUG --name NAME [--host HOST] [--time-zone ZONE] [--languages sv,en,...]\n"
      "       ting org set --db PATH --slug SLUG [--time-zone ZONE] [--languages sv,en,...]\n\n"
      "Adds an organisation (a municipality, district or housing company), or changes one. Requests\n"
      "whose host name is HOST are served as this organisation; unknown hosts go to the first one.\n"
      "  --time-zone ZONE     IANA time zone its dates are in: phases start and end at its local\n"
      "                       midnight (default Europe/Stockholm)\n"
      "  --languages LIST     the languages its content (titles, descriptions, budget names) is\n"
      "                       written in, the default first (default sv,en)\n";
  if (args.empty() || args[0] == "--help") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  const std::string sub = args[0];
  if (sub != "add" && sub != "set") return UsageError("org", "unknown subcommand '" + sub + "' (try: ting org --help)");
  const std::string command = "org " + sub;
  auto flags = Flags::Parse(Args(args.begin() + 1, args.end()), {{"db", "slug", "name", "host", "time-zone", "languages"}, {"help"}});
  if (!flags.ok()) return UsageError(command, flags.error().message);
  if (flags->Has("help")) {
    std::cout << usage;
    return 0;
  }
  for (const char* required : {"db", "slug"})
    if (!flags->Get(required)) return UsageError(command, std::string("missing required flag --") + required);
  if (sub == "add" && !flags->Get("name")) return UsageError(command, "missing required flag --name");
  std::string slug = *flags->Get("slug"), name = flags->GetOr("name", ""), host = flags->GetOr("host", "");
  if ((sub == "add" && (!IsValidUtf8(name) || name.empty())) || slug.empty() ||
      slug.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
    return UsageError(command, "--slug must be lower-case letters, digits and dashes, and --name non-empty UTF-8 text");
  auto db = OpenDatabase(*flags->Get("db"));
  if (!db.ok()) {
    std::cerr << "ting " << command << ": " << db.error().message << "\n";
    return 1;
  }
  core::Organisations orgs(**db);
  Result<core::Organisation> org = Error::NotFound("no organisation with slug '" + slug + "'");
  if (sub == "add") {
    org = orgs.Create(slug, name, host, html::CatalogueLanguages());
    if (!org.ok() && org.error().code == ErrorCode::kAlreadyExists) org = Error::Exists("slug '" + slug + "' is taken");
  } else if (auto all = orgs.All(); all.ok()) {
    for (const auto& o : *all)
      if (o.slug == slug) org = o;
  }
  if (!org.ok()) {
    std::cerr << "ting " << command << ": " << org.error().message << "\n";
    return 1;
  }
  if (flags->Get("time-zone") || flags->Get("languages")) {
    std::vector<std::string> languages = org->languages;
    if (auto list = flags->Get("languages")) languages = core::ParseLanguages(*list);
    std::string zone = flags->GetOr("time-zone", org->time_zone);
    if (auto st = orgs.Configure(org->id, zone, languages); !st.ok()) {
      std::cerr << "ting " << command << ": " << st.error().message << "\n";
      return 1;
    }
    org->time_zone = zone;
    org->languages = languages;
  }
  std::cout << "organisation " << org->slug << " (id " << org->id << ")" << (host.empty() ? "" : " for host " + host) << ", time zone "
            << org->time_zone << ", content languages " << Join(org->languages, ",") << "\n";
  return 0;
}

int RunRoutes(const Args& args) {
  auto flags = Flags::Parse(args, {{"db"}, {"help"}});
  if (!flags.ok()) return UsageError("routes", flags.error().message);
  if (flags->Has("help")) {
    std::cout << "usage: ting routes --db PATH\n\nLists every HTTP route of the platform, one \"METHOD PATTERN  KIND ACCESS\" a line\n"
                 "(KIND: page, api or plain; ACCESS: public, signed-in or action:NAME), in the order added. (The site needs a database to start; PATH is created if missing.)\n";
    return 0;
  }
  auto path = flags->Require("db");
  if (!path.ok()) return UsageError("routes", path.error().message);
  auto db = OpenDatabase(*path);
  if (!db.ok()) {
    std::cerr << "ting routes: " << db.error().message << "\n";
    return 1;
  }
  auto platform = MountPlatform(**db, Env::Default());
  if (!platform.ok()) {
    std::cerr << "ting routes: " << platform.error().message << "\n";
    return 1;
  }
  for (const auto& r : platform->site->Routes()) std::cout << r.method << " " << r.pattern << "  " << r.kind << " " << r.access << "\n";
  return 0;
}

}  // namespace ting::app

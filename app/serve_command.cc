// ting serve: the web platform.

#include <csignal>
#include <filesystem>
#include <thread>

#include <pthread.h>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "ting/html/catalog.h"
#include "commands.h"
#include "components.h"
#include "database.h"
#include "flags.h"
#include "ting/base/strings.h"
#include "ting/core/accounts.h"
#include "ting/http/server.h"
#include "ting/outbox/outbox.h"
#include "ting/web/site.h"

namespace ting::app {
namespace {

const char* kUsage =
    "usage: ting serve --db PATH [--listen HOST:PORT] [--config FILE]\n\n"
    "Serves the platform over HTTP (put a TLS proxy such as nginx in front on the internet).\n"
    "Stops cleanly on SIGTERM/SIGINT: no new connections, in-flight requests finish.\n\n"
    "  --db PATH            SQLite database file (created and migrated when needed)\n"
    "  --listen HOST:PORT   address to listen on (default 127.0.0.1:8080; port 0 picks a free one)\n"
    "  --config FILE        JSON settings; flags given on the command line win. Keys:\n"
    "                       db, listen, io_threads, worker_threads, max_body_bytes,\n"
    "                       read_timeout_s, idle_timeout_s, min_body_bytes_per_s,\n"
    "                       max_connections, max_connections_per_ip, trust_proxy (bool: honour\n"
    "                       X-Forwarded-Proto/For), cookies_secure (bool), access_log (bool),\n"
    "                       sign_in_failures_per_account, sign_in_attempts_per_ip,\n"
    "                       registrations_per_ip_per_hour (default 50),\n"
    "                       mail_requests_per_ip_per_hour (default 20: password resets and\n"
    "                       verification links asked for),\n"
    "                       uploads_dir (default: uploads/ beside the database),\n"
    "                       public_url (links in mail for organisations without a host;\n"
    "                       default http://<listen>), smtp_url (smtp://host:587 with STARTTLS\n"
    "                       when offered, smtps://host:465; unset: mail stays queued),\n"
    "                       smtp_user, smtp_password, smtp_password_file, mail_from,\n"
    "                       smtp_ca_file (the relay's CA, when not the system's),\n"
    "                       newsletters_per_minute (default 120), digest_interval_seconds\n"
    "                       (default 86400: daily digests)\n"
    "                       The environment variable TING_SMTP_PASSWORD, when set, is the\n"
    "                       SMTP password.\n";

struct Settings {
  std::string db, listen = "127.0.0.1:8080";
  std::string uploads_dir;
  outbox::SmtpConfig smtp{.from = "Ting <noreply@localhost>"};
  std::string smtp_password_file, public_url;
  outbox::SenderOptions sender;
  http::ServerOptions server;
  web::SiteOptions site;
};

Status ApplyConfig(const std::string& path, Settings& s) {
  std::ifstream in(path);
  if (!in) return Error::Io(path + ": cannot open config file");
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error::Invalid(path + ": not a JSON object");
  try {
    for (auto& [key, v] : j.items()) {
      if (key == "db") s.db = v.get<std::string>();
      else if (key == "listen") s.listen = v.get<std::string>();
      else if (key == "io_threads") s.server.io_threads = v.get<int>();
      else if (key == "worker_threads") s.server.worker_threads = v.get<int>();
      else if (key == "max_body_bytes") s.server.max_body_bytes = v.get<size_t>();
      else if (key == "read_timeout_s") s.server.read_timeout = std::chrono::seconds(v.get<int>());
      else if (key == "idle_timeout_s") s.server.idle_timeout = std::chrono::seconds(v.get<int>());
      else if (key == "min_body_bytes_per_s") s.server.min_body_bytes_per_second = v.get<size_t>();
      else if (key == "max_connections") s.server.max_connections = v.get<size_t>();
      else if (key == "max_connections_per_ip") s.server.max_connections_per_ip = v.get<size_t>();
      else if (key == "trust_proxy") s.server.trust_forwarded_proto = v.get<bool>();
      else if (key == "access_log") s.server.access_log = v.get<bool>();
      else if (key == "cookies_secure") s.site.cookies_secure_always = v.get<bool>();
      else if (key == "sign_in_failures_per_account") s.site.sign_in_failures_per_account = v.get<int>();
      else if (key == "sign_in_attempts_per_ip") s.site.sign_in_attempts_per_ip = v.get<int>();
      else if (key == "registrations_per_ip_per_hour") s.site.registrations_per_ip_per_hour = v.get<int>();
      else if (key == "mail_requests_per_ip_per_hour") s.site.mail_requests_per_ip_per_hour = v.get<int>();
      else if (key == "uploads_dir") s.uploads_dir = v.get<std::string>();
      else if (key == "public_url") s.public_url = v.get<std::string>();
      else if (key == "smtp_url") s.smtp.url = v.get<std::string>();
      else if (key == "smtp_user") s.smtp.user = v.get<std::string>();
      else if (key == "smtp_password") s.smtp.password = v.get<std::string>();
      else if (key == "smtp_password_file") s.smtp_password_file = v.get<std::string>();
      else if (key == "mail_from") s.smtp.from = v.get<std::string>();
      else if (key == "smtp_ca_file") s.smtp.ca_file = v.get<std::string>();
      else if (key == "newsletters_per_minute") s.sender.newsletters_per_minute = v.get<int>();
      else if (key == "digest_interval_seconds") s.site.digest_interval_seconds = v.get<int64_t>();
      else return Error::Invalid(path + ": unknown setting \"" + key + "\"");
    }
  } catch (const nlohmann::json::exception& e) {
    return Error::Invalid(path + ": wrong type of value: " + e.what());
  }
  return {};
}

}  // namespace

int RunServe(const Args& args) {
  auto flags = Flags::Parse(args, {{"db", "listen", "config"}, {"help"}});
  if (!flags.ok()) return UsageError("serve", flags.error().message);
  if (flags->Has("help")) {
    std::cout << kUsage;
    return 0;
  }
  Settings s;
  if (auto config = flags->Get("config")) {
    if (auto st = ApplyConfig(*config, s); !st.ok()) return UsageError("serve", st.error().message);
  }
  if (auto db = flags->Get("db")) s.db = *db;
  if (auto listen = flags->Get("listen")) s.listen = *listen;
  if (s.db.empty()) return UsageError("serve", "missing --db PATH (see --help)");
  if (!s.smtp_password_file.empty()) {
    auto secret = ReadFile(s.smtp_password_file);
    if (!secret.ok()) return UsageError("serve", "smtp_password_file: " + secret.error().message);
    s.smtp.password = std::string(Trim(*secret));
  }
  if (const char* secret = std::getenv("TING_SMTP_PASSWORD"); secret && *secret) s.smtp.password = secret;
  if (!s.smtp.url.empty() && !StartsWith(s.smtp.url, "smtp://") && !StartsWith(s.smtp.url, "smtps://"))
    return UsageError("serve", "smtp_url must start with smtp:// or smtps://");
  if (s.uploads_dir.empty()) {
    auto parent = std::filesystem::path(s.db).parent_path();
    s.uploads_dir = ((parent.empty() ? std::filesystem::path(".") : parent) / "uploads").string();
  }
  auto colon = s.listen.rfind(':');
  auto port = colon == std::string::npos ? std::nullopt : ParseInt64(s.listen.substr(colon + 1));
  if (!port || *port < 0 || *port > 65535) return UsageError("serve", "--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
  s.server.host = s.listen.substr(0, colon);
  s.server.port = static_cast<uint16_t>(*port);
  const bool public_url_from_listen = s.public_url.empty();
  if (public_url_from_listen) s.public_url = "http://" + s.listen;
  s.site.public_url = s.public_url;

  // SIGINT/SIGTERM are blocked before any thread starts (the database's writer is one) (threads inherit the mask) and taken
  // by one waiting thread, so a signal that comes the moment the server starts still stops it
  // cleanly instead of killing it.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto db = OpenDatabase(s.db);
  if (!db.ok()) {
    std::cerr << "ting serve: " << db.error().message << "\n";
    return 1;
  }
  core::Organisations orgs(**db);
  if (!orgs.ForHost("").ok()) {
    if (auto org = orgs.Create("default", "Ting", "", html::CatalogueLanguages()); !org.ok()) {
      std::cerr << "ting serve: cannot create the default organisation: " << org.error().message << "\n";
      return 1;
    }
  }
  auto env = Env::Real(s.uploads_dir);
  auto platform = MountPlatform(**db, *env, s.site);
  if (!platform.ok()) {
    std::cerr << "ting serve: " << platform.error().message << "\n";
    return 1;
  }
  http::Server server(s.server, platform->site->Handler());
  if (auto st = server.Start(); !st.ok()) {
    std::cerr << "ting serve: " << st.error().message << "\n";
    return 1;
  }
  if (public_url_from_listen)  // the port chosen when --listen asked for port 0
    platform->site->SetPublicUrl("http://" + s.server.host + ":" + std::to_string(server.port()));
  // Mail: the outbox's sender, with the platform's jobs (notifications into mail). Without an
  // smtp_url, mail is queued and stays so until one is configured (the admin page shows it).
  outbox::Sender sender(**db, *env, outbox::SmtpTransport(s.smtp), s.smtp.from, s.sender);
  for (const auto& job : platform->site->mail_jobs()) sender.AddJob(job);
  if (!s.smtp.url.empty()) {
    platform->site->SetMailWaker([&sender] { sender.Wake(); });
    if (auto st = sender.Start(); !st.ok()) {
      std::cerr << "ting serve: mail: " << st.error().message << "\n";
      return 1;
    }
  } else {
    std::cout << "No smtp_url is configured: mail is queued, not sent." << std::endl;
  }
  std::thread signal_waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.Stop();
  });
  std::cout << "Ting is serving http://" << s.server.host << ":" << server.port() << "/ (database " << s.db << ")"
            << std::endl;
  server.Wait(/*handle_signals=*/false);
  signal_waiter.join();
  platform->site->SetMailWaker(nullptr);
  sender.Stop();
  std::cout << "Ting stopped." << std::endl;
  return 0;
}

}  // namespace ting::app

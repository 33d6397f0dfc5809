// ting serve: the web platform.

#include <csignal>
#include <filesystem>
#include <thread>

#include <pthread.h>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "components.h"
#include "database.h"
#include "flags.h"
#include "ting/base/strings.h"
#include "ting/core/accounts.h"
#include "ting/http/server.h"
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
    "                       uploads_dir (default: uploads/ beside the database)\n";

struct Settings {
  std::string db, listen = "127.0.0.1:8080";
  std::string uploads_dir;
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
      else if (key == "uploads_dir") s.uploads_dir = v.get<std::string>();
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
  if (s.uploads_dir.empty()) {
    auto parent = std::filesystem::path(s.db).parent_path();
    s.uploads_dir = ((parent.empty() ? std::filesystem::path(".") : parent) / "uploads").string();
  }
  auto colon = s.listen.rfind(':');
  auto port = colon == std::string::npos ? std::nullopt : ParseInt64(s.listen.substr(colon + 1));
  if (!port || *port < 0 || *port > 65535) return UsageError("serve", "--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
  s.server.host = s.listen.substr(0, colon);
  s.server.port = static_cast<uint16_t>(*port);

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
    if (auto org = orgs.Create("default", "Ting", ""); !org.ok()) {
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
  std::thread signal_waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.Stop();
  });
  std::cout << "Ting is serving http://" << s.server.host << ":" << server.port() << "/ (database " << s.db << ")"
            << std::endl;
  server.Wait(/*handle_signals=*/false);
  signal_waiter.join();
  std::cout << "Ting stopped." << std::endl;
  return 0;
}

}  // namespace ting::app

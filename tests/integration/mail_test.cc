// Mail over real SMTP against the real binary: verification, password reset, notifications,
// the digest, one-click unsubscribe, and the outbox through an SMTP outage and a kill -9. The
// SMTP server is Debian's aiosmtpd (tests/fixtures/smtp_server.py); each test runs in its own
// process (ctest) with its own database, server and mailbox.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "http_client.h"
#include "mail.h"

namespace ting::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kPassword = "a long test password";

class Mail : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TempPath("mail.db");
    maildir_ = db_ + ".mail";
    std::filesystem::remove_all(maildir_);
    std::string out;
    for (auto [email, role] : {std::pair{"admin@example.se", "admin"}, {"manager@example.se", "manager"}, {"reviewer@example.se", "reviewer"}})
      ASSERT_EQ(RunTing({"user", "add", "--db", db_, "--email", email, "--password", kPassword, "--role", role}, &out), 0) << out;
  }
  void TearDown() override {
    server_.reset();
    smtp_.reset();
    std::filesystem::remove_all(maildir_);
  }

  // Starts the SMTP server (on `port`, or a free one) and the platform sending to it.
  void Start(int smtp_port = 0, json extra = json::object()) {
    if (!smtp_) smtp_ = std::make_unique<SmtpServer>(maildir_, smtp_port);
    StartTing(smtp_->port(), extra);
  }
  void StartTing(int smtp_port, json extra = json::object()) {
    json config = {{"smtp_url", "smtp://127.0.0.1:" + std::to_string(smtp_port)},
                   {"mail_from", "Ting Test <noreply@ting.example>"},
                   {"digest_interval_seconds", 3},
                   {"mail_requests_per_ip_per_hour", 1000}};
    config.update(extra);
    std::string path = db_ + ".json";
    std::ofstream(path) << config.dump();
    server_ = std::make_unique<ServerProcess>(db_, std::vector<std::string>{"--config", path});
  }

  HttpResponse Api(const std::string& method, const std::string& path, const json& body = json(), const std::string& token = "") {
    HttpClient c(server_->port());
    return c.Json(method, path, body.is_null() ? "" : body.dump(), token);
  }
  std::string Token(const std::string& email, const std::string& password = kPassword) {
    auto r = Api("POST", "/api/v1/session", {{"email", email}, {"password", password}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body)["token"].get<std::string>() : "";
  }
  // A resident registered over the API; returns their verification mail.
  ReceivedMail Register(const std::string& email, const std::string& name) {
    size_t before = smtp_->Mails().size();
    auto r = Api("POST", "/api/v1/users", {{"email", email}, {"password", kPassword}, {"name", name}});
    EXPECT_EQ(r.status, 201) << r.body;
    auto mails = smtp_->WaitFor(before + 1, 5);
    EXPECT_EQ(mails.size(), before + 1) << "the verification mail arrives within 5 s";
    return mails.size() > before ? mails.back() : ReceivedMail{};
  }
  // Registers and follows the verification link.
  std::string VerifiedResident(const std::string& email, const std::string& name) {
    ReceivedMail m = Register(email, name);
    HttpClient c(server_->port());
    EXPECT_EQ(c.Get(m.LinkPath("/verify-email/")).status, 200);
    return Token(email);
  }
  // A browser signed in through the sign-in form.
  std::unique_ptr<HttpClient> SignedIn(const std::string& email) {
    auto web = std::make_unique<HttpClient>(server_->port());
    auto form = web->Get("/sign-in");
    EXPECT_EQ(web->PostForm("/sign-in", {{"csrf", FormValue(form.body, "csrf")}, {"email", email}, {"password", kPassword}}).status, 303);
    return web;
  }
  std::vector<ReceivedMail> MailsTo(const std::string& email) {
    std::vector<ReceivedMail> out;
    for (auto& m : smtp_->Mails())
      if (std::find(m.to.begin(), m.to.end(), email) != m.to.end()) out.push_back(m);
    return out;
  }
  // A process in its proposal phase with a proposal by the given resident; returns its id.
  int64_t Proposal(const std::string& resident_token) {
    std::string manager = Token("manager@example.se");
    json body = {{"slug", "parker"}, {"title", {{"sv", "Parker"}, {"en", "Parks"}}}, {"phase", "proposals"},
                 {"budgets", json::array({{{"slug", "b"}, {"name", "B"}, {"amount", 100000}, {"currency", "SEK"}}})}};
    EXPECT_EQ(Api("POST", "/api/v1/processes", body, manager).status, 201);
    auto p = Api("POST", "/api/v1/processes/parker/proposals", {{"title", "Fler bänkar"}, {"body", "Vid dammen."}, {"budget", "b"}, {"cost", 5000}},
                 resident_token);
    EXPECT_EQ(p.status, 201) << p.body;
    EXPECT_EQ(Api("PATCH", "/api/v1/processes/parker", {{"phase", "review"}}, manager).status, 200);
    return p.status == 201 ? json::parse(p.body)["id"].get<int64_t>() : 0;
  }

  std::string db_, maildir_;
  std::unique_ptr<SmtpServer> smtp_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(Mail, RegistrationMailsAVerificationLinkThatWorksOnce) {
  Start();
  ReceivedMail m = Register("klara@example.org", "Klara Ängström");
  EXPECT_EQ(m.to, std::vector<std::string>{"klara@example.org"});
  EXPECT_EQ(m.from, "noreply@ting.example");
  EXPECT_NE(m.subject.find("Bekräfta din e-postadress"), std::string::npos) << m.subject;
  EXPECT_NE(m.text.find("Hej Klara Ängström!"), std::string::npos) << m.text;
  EXPECT_NE(m.html.find("<a href=\"http://"), std::string::npos) << "the HTML part links the same address";
  EXPECT_TRUE(m.Header("list-unsubscribe").empty()) << "transactional mail has no unsubscribe";
  std::string link = m.LinkPath("/verify-email/");
  ASSERT_FALSE(link.empty()) << m.text;

  std::string token = Token("klara@example.org");
  EXPECT_FALSE(json::parse(Api("GET", "/api/v1/me", json(), token).body)["email_verified"].get<bool>());
  HttpClient c(server_->port());
  auto page = c.Get(link);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("bekräftad"), std::string::npos);
  EXPECT_TRUE(json::parse(Api("GET", "/api/v1/me", json(), token).body)["email_verified"].get<bool>());
  EXPECT_EQ(c.Get(link).status, 410) << "a used link";
  EXPECT_EQ(c.Get("/verify-email/not-a-token").status, 410);
}

TEST_F(Mail, PasswordResetByApiEndsEverySessionAndTheLinkWorksOnce) {
  Start();
  Register("per@example.org", "Per");
  std::string old_session = Token("per@example.org");
  size_t before = smtp_->Mails().size();
  auto asked = Api("POST", "/api/v1/password-reset", {{"email", "PER@example.org "}});
  ASSERT_EQ(asked.status, 202) << asked.body;
  auto mails = smtp_->WaitFor(before + 1, 5);
  ASSERT_EQ(mails.size(), before + 1) << "exactly one mail per accepted request";
  const ReceivedMail& m = mails.back();
  EXPECT_EQ(m.to, std::vector<std::string>{"per@example.org"});
  EXPECT_NE(m.text.find("60 minuter"), std::string::npos) << m.text;
  std::string link = m.LinkPath("/password-reset/");
  ASSERT_FALSE(link.empty());
  std::string api = "/api/v1" + link;

  EXPECT_EQ(Api("POST", api, {{"password", "kort"}}).status, 422) << "the password rules apply";
  EXPECT_EQ(Api("POST", api, {{"password", 12345}}).status, 422) << "wrong JSON type";
  auto done = Api("POST", api, {{"password", "a brand new password"}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(Api("GET", "/api/v1/me", json(), old_session).status, 401) << "every session ended";
  EXPECT_EQ(Api("POST", api, {{"password", "yet another password"}}).status, 410) << "used";
  EXPECT_EQ(Api("POST", "/api/v1/session", {{"email", "per@example.org"}, {"password", kPassword}}).status, 401);
  std::string fresh = Token("per@example.org", "a brand new password");
  EXPECT_TRUE(json::parse(Api("GET", "/api/v1/me", json(), fresh).body)["email_verified"].get<bool>())
      << "the reset link reached the address's owner";
  EXPECT_EQ(smtp_->Mails().size(), before + 1) << "no other mail was sent";

  // A second request replaces the first link.
  ASSERT_EQ(Api("POST", "/api/v1/password-reset", {{"email", "per@example.org"}}).status, 202);
  ASSERT_EQ(Api("POST", "/api/v1/password-reset", {{"email", "per@example.org"}}).status, 202);
  auto two = smtp_->WaitFor(before + 3, 5);
  ASSERT_EQ(two.size(), before + 3);
  EXPECT_EQ(Api("POST", "/api/v1" + two[before + 1].LinkPath("/password-reset/"), {{"password", "the first new link"}}).status, 410);
  EXPECT_EQ(Api("POST", "/api/v1" + two[before + 2].LinkPath("/password-reset/"), {{"password", "the second new link"}}).status, 200);
}

TEST_F(Mail, ResetForAnUnknownAddressAnswersTheSameInTheSameTime) {
  Start();
  for (int i = 0; i < 12; ++i) Register("known" + std::to_string(i) + "@example.org", "Known");
  size_t before = smtp_->Mails().size();
  std::vector<double> known, unknown;
  std::string known_body, unknown_body;
  for (int i = 0; i < 12; ++i) {
    for (bool exists : {true, false}) {
      std::string email = (exists ? "known" : "nobody") + std::to_string(i) + "@example.org";
      auto start = std::chrono::steady_clock::now();
      auto r = Api("POST", "/api/v1/password-reset", {{"email", email}});
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      ASSERT_EQ(r.status, 202);
      (exists ? known : unknown).push_back(ms);
      (exists ? known_body : unknown_body) = r.body;
    }
  }
  EXPECT_EQ(known_body, unknown_body) << "the same answer";
  std::sort(known.begin(), known.end());
  std::sort(unknown.begin(), unknown.end());
  double a = known[known.size() / 2], b = unknown[unknown.size() / 2];
  // Both record the request durably (one commit each); the difference is a few inserts, far
  // below the commit's time. Medians, so a slow moment of a busy machine does not decide.
  EXPECT_LT(std::abs(a - b), std::max(a, b) * 0.5 + 2.0) << "median " << a << " ms for known addresses, " << b << " ms for unknown ones";
  auto mails = smtp_->WaitFor(before + 12, 10);
  EXPECT_EQ(mails.size(), before + 12) << "mail only to the 12 known addresses";
  // The page answers the same too.
  HttpClient c(server_->port());
  auto form = c.Get("/password-reset");
  auto page_known = c.PostForm("/password-reset", {{"csrf", FormValue(form.body, "csrf")}, {"email", "known1@example.org"}});
  auto page_unknown = c.PostForm("/password-reset", {{"csrf", FormValue(form.body, "csrf")}, {"email", "nobody1@example.org"}});
  EXPECT_EQ(page_known.status, 200);
  EXPECT_EQ(page_unknown.status, 200);
  auto strip = [](std::string body, const std::string& email) {
    for (size_t at; (at = body.find(email)) != std::string::npos;) body.erase(at, email.size());
    return body;
  };
  EXPECT_EQ(strip(page_known.body, "known1@example.org"), strip(page_unknown.body, "nobody1@example.org"));
}

TEST_F(Mail, ResetsPerAddressAreLimitedAlikeForKnownAndUnknownAddresses) {
  Start();
  Register("limit@example.org", "Limit");
  for (const std::string email : {"limit@example.org", "nolimit@example.org"}) {
    for (int i = 0; i < 5; ++i) EXPECT_EQ(Api("POST", "/api/v1/password-reset", {{"email", email}}).status, 202);
    auto r = Api("POST", "/api/v1/password-reset", {{"email", email}});
    EXPECT_EQ(r.status, 429) << email;
    EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find("timme"), std::string::npos) << r.body;
  }
  EXPECT_EQ(Api("POST", "/api/v1/password-reset", {{"email", "not an address"}}).status, 422);
  EXPECT_EQ(Api("POST", "/api/v1/password-reset", {{"email", 5}}).status, 422);
}

TEST_F(Mail, NotificationsByMailFollowEachPersonsChoicesAndUnsubscribeIsOneClick) {
  Start();
  std::string anna = VerifiedResident("anna@example.org", "Anna");
  std::string bo = VerifiedResident("bo@example.org", "Bo");
  int64_t id = Proposal(anna);
  ASSERT_GT(id, 0);
  std::string reviewer = Token("reviewer@example.se");
  std::string path = "/api/v1/proposals/" + std::to_string(id);

  // A review decision: mailed at once, with one-click unsubscribe.
  ASSERT_EQ(Api("POST", path + "/review", {{"action", "revise"}, {"explanation", "Ange platsen."}}, reviewer).status, 200);
  auto start = std::chrono::steady_clock::now();
  std::vector<ReceivedMail> to_anna;
  while ((to_anna = MailsTo("anna@example.org")).size() < 2 && std::chrono::steady_clock::now() - start < std::chrono::seconds(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(to_anna.size(), 2u) << "verification + the review, within 5 s";
  const ReceivedMail& review = to_anna[1];
  EXPECT_NE(review.text.find("Fler bänkar"), std::string::npos) << review.text;
  EXPECT_NE(review.text.find("/proposals/" + std::to_string(id)), std::string::npos);
  std::string unsubscribe = review.Header("list-unsubscribe");
  ASSERT_FALSE(unsubscribe.empty());
  EXPECT_EQ(review.Header("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
  EXPECT_NE(review.text.find(unsubscribe.substr(1, unsubscribe.size() - 2)), std::string::npos) << "the same link in the text";

  // The mail client's one click (RFC 8058): no cookie, no CSRF token.
  std::string unsub_path = review.LinkPath("/unsubscribe/");
  HttpClient raw(server_->port());
  auto click = raw.Request("POST", unsub_path, "List-Unsubscribe=One-Click", {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(click.status, 200) << click.body;
  EXPECT_EQ(raw.Request("POST", unsub_path.substr(0, unsub_path.size() - 1) + "x", "List-Unsubscribe=One-Click",
                        {{"Content-Type", "application/x-www-form-urlencoded"}})
                .status,
            404)
      << "a forged link changes nothing";

  // Bo comments (a kind Anna still gets), then the reviewer decides (a kind she left).
  ASSERT_EQ(Api("POST", path + "/comments", {{"body", "Bra idé!"}}, bo).status, 201);
  ASSERT_EQ(Api("PATCH", path, {{"title", "Fler bänkar vid dammen"}, {"body", "Vid dammen, norra sidan."}, {"budget", "b"}, {"cost", 5000}}, anna).status,
            200);
  ASSERT_EQ(Api("POST", path + "/review", {{"feasible", true}, {"cost", 5000}, {"explanation", "Bra."}}, reviewer).status, 200);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  to_anna = MailsTo("anna@example.org");
  ASSERT_EQ(to_anna.size(), 3u) << "the comment, not the decision";
  EXPECT_NE(to_anna[2].text.find("kommenterat"), std::string::npos) << to_anna[2].text;
  // Everything is still under the bell.
  auto signed_in = SignedIn("anna@example.org");
  HttpClient& web = *signed_in;
  auto home = web.Get("/");
  EXPECT_NE(home.body.find("class=\"count\">3<"), std::string::npos) << "three unread: revise, comment, feasible";

  // The page's unsubscribe link works by itself too, and can be undone.
  auto page = web.Get(to_anna[2].LinkPath("/unsubscribe/"));
  EXPECT_EQ(page.status, 200);
  auto settings = web.Get("/account/notifications");
  EXPECT_EQ(settings.body.find("name=\"comments\" value=\"1\" checked"), std::string::npos) << "comments now off";
  auto undo = web.PostForm(to_anna[2].LinkPath("/unsubscribe/") + "/undo", {{"csrf", FormValue(page.body, "csrf")}});
  EXPECT_EQ(undo.status, 303);
  settings = web.Get("/account/notifications");
  EXPECT_NE(settings.body.find("name=\"comments\" value=\"1\" checked"), std::string::npos) << "comments on again";
}

TEST_F(Mail, ADailyDigestGathersNotificationsIntoOneMail) {
  Start();
  std::string anna = VerifiedResident("anna@example.org", "Anna");
  std::string bo = VerifiedResident("bo@example.org", "Bo");
  auto signed_in = SignedIn("anna@example.org");
  HttpClient& web = *signed_in;
  auto settings = web.Get("/account/notifications");
  ASSERT_EQ(web.PostForm("/account/notifications", {{"csrf", FormValue(settings.body, "csrf")}, {"review", "1"}, {"comments", "1"}, {"when", "digest"}})
                .status,
            303);
  int64_t id = Proposal(anna);
  std::string path = "/api/v1/proposals/" + std::to_string(id);
  ASSERT_EQ(Api("POST", path + "/comments", {{"body", "Ett"}}, bo).status, 201);
  ASSERT_EQ(Api("POST", path + "/comments", {{"body", "Två"}}, bo).status, 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(MailsTo("anna@example.org").size(), 1u) << "nothing at once (the digest interval is 3 s here)";
  auto start = std::chrono::steady_clock::now();
  while (MailsTo("anna@example.org").size() < 2 && std::chrono::steady_clock::now() - start < std::chrono::seconds(8))
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto to_anna = MailsTo("anna@example.org");
  ASSERT_EQ(to_anna.size(), 2u);
  EXPECT_NE(to_anna[1].subject.find("2 nya meddelanden"), std::string::npos) << to_anna[1].subject;
  EXPECT_FALSE(to_anna[1].Header("list-unsubscribe").empty());
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_EQ(MailsTo("anna@example.org").size(), 2u) << "the digest is sent once";
}

TEST_F(Mail, UnverifiedAddressesGetNoNotifications) {
  Start();
  Register("unverified@example.org", "Unverified");
  std::string token = Token("unverified@example.org");
  int64_t id = Proposal(token);
  ASSERT_EQ(Api("POST", "/api/v1/proposals/" + std::to_string(id) + "/review", {{"action", "revise"}, {"explanation", "x"}}, Token("reviewer@example.se"))
                .status,
            200);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(MailsTo("unverified@example.org").size(), 1u) << "only the verification mail";
}

TEST_F(Mail, MailSurvivesAnSmtpOutageAndAKillDashNineAndIsSentOnce) {
  // The SMTP server is down: mail is queued and retried.
  smtp_ = std::make_unique<SmtpServer>(maildir_);
  int port = smtp_->port();
  smtp_->Kill();
  StartTing(port);
  ASSERT_EQ(Api("POST", "/api/v1/users", {{"email", "eva@example.org"}, {"password", kPassword}, {"name", "Eva"}}).status, 201);
  std::string admin = Token("admin@example.se");
  json outbox;
  for (int i = 0; i < 50; ++i) {
    outbox = json::parse(Api("GET", "/api/v1/mail/outbox", json(), admin).body);
    if (outbox["pending"].size() == 1 && outbox["pending"][0]["attempts"].get<int>() >= 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(outbox["queued"], 1) << outbox.dump();
  EXPECT_GE(outbox["pending"][0]["attempts"].get<int>(), 1);
  EXPECT_FALSE(outbox["pending"][0]["last_error"].get<std::string>().empty());
  EXPECT_EQ(Api("GET", "/api/v1/mail/outbox", json(), Token("reviewer@example.se")).status, 403);

  // The platform dies with the mail queued; both come back: it is sent, once.
  server_->Kill();
  smtp_ = std::make_unique<SmtpServer>(maildir_, port);
  StartTing(port);
  auto mails = smtp_->WaitFor(1, 10);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, std::vector<std::string>{"eva@example.org"});
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(smtp_->Mails().size(), 1u) << "sent once";
  outbox = json::parse(Api("GET", "/api/v1/mail/outbox", json(), Token("admin@example.se")).body);
  EXPECT_EQ(outbox["sent"], 1);
  EXPECT_EQ(outbox["queued"], 0);

  // The SMTP server dies while the platform runs: the next mail waits and goes when it is back.
  smtp_->Kill();
  ASSERT_EQ(Api("POST", "/api/v1/password-reset", {{"email", "eva@example.org"}}).status, 202);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  smtp_ = std::make_unique<SmtpServer>(maildir_, port);
  mails = smtp_->WaitFor(2, 40);  // the first retry comes 15 s after the failure
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_NE(mails[1].text.find("/password-reset/"), std::string::npos);
}

TEST_F(Mail, SmtpAuthenticationWithAPasswordFile) {
  smtp_ = std::make_unique<SmtpServer>(maildir_, 0, "ting", "s3cret-smtp");
  std::string secret = db_ + ".smtp-password";
  std::ofstream(secret) << "s3cret-smtp\n";
  StartTing(smtp_->port(), {{"smtp_user", "ting"}, {"smtp_password_file", secret}});
  ASSERT_EQ(Api("POST", "/api/v1/users", {{"email", "auth@example.org"}, {"password", kPassword}, {"name", "Auth"}}).status, 201);
  EXPECT_EQ(smtp_->WaitFor(1, 5).size(), 1u);
  server_.reset();

  std::ofstream(secret) << "wrong\n";
  StartTing(smtp_->port(), {{"smtp_user", "ting"}, {"smtp_password_file", secret}});
  ASSERT_EQ(Api("POST", "/api/v1/users", {{"email", "auth2@example.org"}, {"password", kPassword}, {"name", "Auth"}}).status, 201);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(smtp_->Mails().size(), 1u) << "refused by the server";
  auto outbox = json::parse(Api("GET", "/api/v1/mail/outbox", json(), Token("admin@example.se")).body);
  EXPECT_EQ(outbox["queued"], 1) << outbox.dump();
  EXPECT_NE(outbox["pending"][0]["last_error"].get<std::string>().find("535"), std::string::npos) << outbox.dump();
}

TEST_F(Mail, StartTlsIsUsedAndTheServersCertificateIsChecked) {
  // The server requires STARTTLS (and TLS before AUTH): mail goes only if Ting used it.
  smtp_ = std::make_unique<SmtpServer>(maildir_, 0, "ting", "s3cret-smtp", /*tls=*/true);
  StartTing(smtp_->port(), {{"smtp_user", "ting"}, {"smtp_password", "s3cret-smtp"}, {"smtp_ca_file", maildir_ + "/ca.pem"}});
  ASSERT_EQ(Api("POST", "/api/v1/users", {{"email", "tls@example.org"}, {"password", kPassword}, {"name", "TLS"}}).status, 201);
  EXPECT_EQ(smtp_->WaitFor(1, 5).size(), 1u);
  server_.reset();

  // A certificate Ting does not trust: nothing is sent, the error says why.
  StartTing(smtp_->port(), {{"smtp_user", "ting"}, {"smtp_password", "s3cret-smtp"}});
  ASSERT_EQ(Api("POST", "/api/v1/users", {{"email", "tls2@example.org"}, {"password", kPassword}, {"name", "TLS"}}).status, 201);
  json outbox;
  for (int i = 0; i < 50; ++i) {
    outbox = json::parse(Api("GET", "/api/v1/mail/outbox", json(), Token("admin@example.se")).body);
    if (!outbox["pending"].empty() && outbox["pending"][0]["attempts"].get<int>() >= 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(smtp_->Mails().size(), 1u);
  ASSERT_EQ(outbox["queued"], 1) << outbox.dump();
  EXPECT_NE(outbox["pending"][0]["last_error"].get<std::string>().find("certificate"), std::string::npos) << outbox.dump();
}

TEST_F(Mail, TheAdminPageShowsWaitingMailAndRetriesFailedMail) {
  smtp_ = std::make_unique<SmtpServer>(maildir_);
  int port = smtp_->port();
  smtp_->Kill();
  StartTing(port);
  ASSERT_EQ(Api("POST", "/api/v1/users", {{"email", "waiting@example.org"}, {"password", kPassword}, {"name", "W"}}).status, 201);
  auto signed_in = SignedIn("manager@example.se");
  HttpClient& web = *signed_in;
  HttpResponse page;
  for (int i = 0; i < 50; ++i) {
    page = web.Get("/admin/mail");
    if (page.body.find("connect") != std::string::npos || page.body.find("Could") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("waiting@example.org"), std::string::npos);
  EXPECT_NE(page.body.find("i kö"), std::string::npos);
  // Only a failed message can be retried, and only the organisation's own.
  auto retry = web.PostForm("/admin/mail/1/retry", {{"csrf", FormValue(page.body, "csrf")}});
  EXPECT_EQ(retry.status, 404) << "queued, not failed";
  auto bad = web.PostForm("/admin/mail/9223372036854775807/retry", {{"csrf", FormValue(page.body, "csrf")}});
  EXPECT_EQ(bad.status, 404);
}

}  // namespace
}  // namespace ting::testing

namespace ting::testing {
namespace {

// Waits until `email` has received at least n mails (or the timeout passes).
std::vector<ReceivedMail> WaitForMailsTo(const SmtpServer& smtp, const std::string& email, size_t n, double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::vector<ReceivedMail> out;
  while (true) {
    out.clear();
    for (auto& m : smtp.Mails())
      if (std::find(m.to.begin(), m.to.end(), email) != m.to.end()) out.push_back(m);
    if (out.size() >= n || std::chrono::steady_clock::now() > deadline) return out;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

TEST_F(Mail, FollowersHearOfANewPhaseAndGetTheProcesssNewsletters) {
  Start();
  std::string anna = VerifiedResident("anna@example.org", "Anna");
  std::string bo = VerifiedResident("bo@example.org", "Bo");
  ASSERT_GT(Proposal(anna), 0);  // the process "parker", now in review
  ASSERT_EQ(Api("POST", "/api/v1/processes/parker/follow", json::object(), anna).status, 200);
  EXPECT_TRUE(json::parse(Api("POST", "/api/v1/processes/parker/follow", json::object(), anna).body)["following"].get<bool>()) << "twice is once";
  std::this_thread::sleep_for(std::chrono::seconds(11));  // the sender has seen the process in review
  std::string manager = Token("manager@example.se");
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/parker", {{"phase", "voting"}}, manager).status, 200);
  auto to_anna = WaitForMailsTo(*smtp_, "anna@example.org", 2, 15);
  ASSERT_EQ(to_anna.size(), 2u) << "the phase, within the 10 s the sender looks";
  EXPECT_NE(to_anna[1].text.find("Omröstningen i \"Parker\" har börjat"), std::string::npos) << to_anna[1].text;
  EXPECT_NE(to_anna[1].text.find("/processes/parker"), std::string::npos);
  EXPECT_EQ(WaitForMailsTo(*smtp_, "bo@example.org", 2, 0).size(), 1u) << "Bo does not follow";

  // A newsletter to the process's followers: test to self, then send once.
  auto created = Api("POST", "/api/v1/newsletters",
                     {{"subject", {{"sv", "Rösta i Parker"}, {"en", "Vote in Parks"}}}, {"body", "Hej!\n\nOmröstningen pågår."}, {"process", "parker"}}, manager);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = std::to_string(json::parse(created.body)["id"].get<int64_t>());
  EXPECT_EQ(Api("POST", "/api/v1/newsletters", {{"subject", 5}, {"body", "x"}}, manager).status, 422);
  EXPECT_EQ(Api("POST", "/api/v1/newsletters", {{"subject", {{"fi", "x"}}}, {"body", "x"}}, manager).status, 422) << "not one of its languages";
  EXPECT_EQ(Api("POST", "/api/v1/newsletters", {{"subject", ""}, {"body", "x"}}, manager).status, 422);
  EXPECT_EQ(Api("POST", "/api/v1/newsletters", {{"subject", "x"}, {"body", "x"}}, anna).status, 403);
  ASSERT_EQ(Api("POST", "/api/v1/newsletters/" + id + "/test", json::object(), manager).status, 202);
  auto to_manager = WaitForMailsTo(*smtp_, "manager@example.se", 1, 5);
  ASSERT_EQ(to_manager.size(), 1u) << "the test";
  EXPECT_EQ(to_manager[0].subject, "Rösta i Parker");
  auto sent = Api("POST", "/api/v1/newsletters/" + id + "/send", json::object(), manager);
  ASSERT_EQ(sent.status, 202) << sent.body;
  EXPECT_EQ(json::parse(sent.body)["recipients"], 1);
  EXPECT_EQ(Api("POST", "/api/v1/newsletters/" + id + "/send", json::object(), manager).status, 409) << "once";
  to_anna = WaitForMailsTo(*smtp_, "anna@example.org", 3, 5);
  ASSERT_EQ(to_anna.size(), 3u);
  EXPECT_EQ(to_anna[2].subject, "Rösta i Parker");
  EXPECT_EQ(to_anna[2].Header("precedence"), "bulk");
  json counts;
  for (int i = 0; i < 50; ++i) {
    counts = json::parse(Api("GET", "/api/v1/newsletters/" + id, json(), manager).body);
    if (counts["delivered"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(counts["delivered"], 1) << counts.dump();
  EXPECT_EQ(counts["failed"], 0);

  // Its unsubscribe link stops the following.
  HttpClient raw(server_->port());
  ASSERT_EQ(raw.Request("POST", to_anna[2].LinkPath("/unsubscribe/"), "List-Unsubscribe=One-Click", {{"Content-Type", "application/x-www-form-urlencoded"}}).status,
            200);
  auto signed_in = SignedIn("anna@example.org");
  HttpClient& web = *signed_in;
  EXPECT_NE(web.Get("/processes/parker").body.find("name=\"follow\" value=\"1\""), std::string::npos) << "no longer following";
}

TEST_F(Mail, OrganisationNewslettersGoToThoseWhoAskedInTheirLanguage) {
  Start();
  VerifiedResident("anna@example.org", "Anna");
  VerifiedResident("bo@example.org", "Bo");
  // Anna asks for the newsletters on her settings page, in English.
  auto signed_in = SignedIn("anna@example.org");
  HttpClient& web = *signed_in;
  auto home = web.Get("/");
  ASSERT_EQ(web.PostForm("/language", {{"csrf", FormValue(home.body, "csrf")}, {"lang", "en"}, {"next", "/"}}).status, 303);
  auto settings = web.Get("/account/notifications");
  ASSERT_EQ(web.PostForm("/account/notifications", {{"csrf", FormValue(settings.body, "csrf")}, {"review", "1"}, {"comments", "1"}, {"news", "1"}, {"when", "now"}})
                .status,
            303);
  EXPECT_NE(web.Get("/account/notifications").body.find("name=\"news\" value=\"1\" checked"), std::string::npos);

  std::string manager = Token("manager@example.se");
  auto created = Api("POST", "/api/v1/newsletters", {{"subject", {{"sv", "Nyheter"}, {"en", "News"}}}, {"body", {{"sv", "Hej alla"}, {"en", "Hello all"}}}}, manager);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = std::to_string(json::parse(created.body)["id"].get<int64_t>());
  auto sent = Api("POST", "/api/v1/newsletters/" + id + "/send", json::object(), manager);
  ASSERT_EQ(sent.status, 202);
  EXPECT_EQ(json::parse(sent.body)["recipients"], 1) << "only Anna asked";
  auto to_anna = WaitForMailsTo(*smtp_, "anna@example.org", 2, 5);
  ASSERT_EQ(to_anna.size(), 2u);
  EXPECT_EQ(to_anna[1].subject, "News") << "in her language";
  EXPECT_NE(to_anna[1].text.find("Hello all"), std::string::npos);
  EXPECT_FALSE(to_anna[1].Header("list-unsubscribe").empty());
  EXPECT_EQ(WaitForMailsTo(*smtp_, "bo@example.org", 2, 0).size(), 1u);

  // One click, and the next newsletter has no one to go to.
  HttpClient raw(server_->port());
  ASSERT_EQ(raw.Request("POST", to_anna[1].LinkPath("/unsubscribe/"), "List-Unsubscribe=One-Click", {{"Content-Type", "application/x-www-form-urlencoded"}}).status,
            200);
  auto next = Api("POST", "/api/v1/newsletters", {{"subject", "Mer"}, {"body", "Mer"}}, manager);
  auto none = Api("POST", "/api/v1/newsletters/" + std::to_string(json::parse(next.body)["id"].get<int64_t>()) + "/send", json::object(), manager);
  EXPECT_EQ(json::parse(none.body)["recipients"], 0);
  auto list = json::parse(Api("GET", "/api/v1/newsletters", json(), manager).body);
  EXPECT_EQ(list["newsletters"].size(), 2u);
}

TEST_F(Mail, AProposerHearsTheirProjectWasFundedAndEachFollowUpUpdate) {
  Start();
  std::string anna = VerifiedResident("anna@example.org", "Anna");
  std::string bo = VerifiedResident("bo@example.org", "Bo");
  int64_t id = Proposal(anna);
  std::string manager = Token("manager@example.se"), reviewer = Token("reviewer@example.se");
  std::string path = "/api/v1/proposals/" + std::to_string(id);
  ASSERT_EQ(Api("POST", path + "/review", {{"feasible", true}, {"cost", 5000}, {"explanation", "Bra."}}, reviewer).status, 200);
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/parker", {{"phase", "voting"}}, manager).status, 200);
  ASSERT_EQ(Api("PUT", "/api/v1/processes/parker/budgets/b/ballot", {{"projects", {id}}}, bo).status, 200);
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/parker", {{"phase", "results"}}, manager).status, 200);
  ASSERT_EQ(Api("POST", "/api/v1/processes/parker/budgets/b/count", json::object(), manager).status, 200);
  ASSERT_EQ(Api("POST", "/api/v1/processes/parker/budgets/b/count", json::object(), manager).status, 200) << "a recount";
  auto to_anna = WaitForMailsTo(*smtp_, "anna@example.org", 3, 5);  // verification, feasible, funded
  std::string subjects;
  for (const auto& m : to_anna) subjects += m.subject + " | ";
  ASSERT_EQ(to_anna.size(), 3u) << subjects;
  EXPECT_NE(to_anna[2].text.find("fick pengar"), std::string::npos) << to_anna[2].text;
  auto update = Api("POST", "/api/v1/processes/parker/followup/" + std::to_string(id), {{"status", "in_progress"}, {"progress", 10}, {"update", "Bänkarna är beställda."}},
                    manager);
  ASSERT_EQ(update.status / 100, 2) << update.body;
  to_anna = WaitForMailsTo(*smtp_, "anna@example.org", 4, 5);
  ASSERT_EQ(to_anna.size(), 4u) << "the recount said nothing new; the update did";
  EXPECT_NE(to_anna[3].text.find("Bänkarna är beställda."), std::string::npos) << to_anna[3].text;
}

}  // namespace
}  // namespace ting::testing

#pragma once
// The assemblies component: routes (assemblies_component.cc), the API (api.cc) and pages
// (pages.cc) over the model and store of assemblies_internal.h.

#include <mutex>

#include "assemblies_internal.h"
#include "ting/components/residents.h"
#include "ting/core/security.h"

namespace ting::components::assemblies {

// The cookie that carries a member's seat key on pages (one per assembly: ting_seat_<id>).
std::string SeatCookie(int64_t assembly_id);

class AssembliesComponent final : public web::Component {
 public:
  explicit AssembliesComponent(Site& site);

 private:
  // --- shared (assemblies_component.cc)
  Result<Assembly> Get(const Context& ctx, const std::string& slug);
  Result<std::string> Secret(const char* name, std::string& cached);
  Result<std::string> SeatSecret();
  Result<std::string> CodeSecret();
  // The seat link; secret is SeatSecret()'s, read once per request.
  std::string SeatUrl(const std::string& secret, const Context& ctx, const Assembly& a, int64_t volunteer_id) const;
  // The seat the request carries (header X-Ting-Seat, or the page's cookie), if any.
  Result<std::optional<Volunteer>> SeatOf(const Request& req, const Context& ctx, const Assembly& a);
  Result<std::optional<Volunteer>> SeatByKey(const Assembly& a, std::string_view key);
  // A member: a confirmed seat; else 403 (assemblies.problem.members_only).
  Result<Volunteer> RequireMember(const Request& req, const Context& ctx, const Assembly& a);
  // Queues the "you are on the panel" message for someone with an address.
  Result<SeatHook> MailSeat(const Context& ctx, const Assembly& a);
  // Registration, shared by the API and the form. code: as typed (may be empty).
  Result<int64_t> Register(const Context& ctx, const Assembly& a, const std::map<std::string, std::string>& fields,
                           const std::map<std::string, std::string>& answers, bool consent, const std::string& code);
  Result<std::vector<IssuedCode>> Invite(const Context& ctx, const Assembly& a, int64_t count, bool by_district);
  std::string RegisterUrl(const Context& ctx, const Assembly& a, const std::string& code);
  Result<std::string> InvitationHash(const std::string& typed);
  Result<Response> Letters(const Context& ctx, const Assembly& a, const std::vector<IssuedCode>& codes);
  Result<json> Pool(const Assembly& a);
  json InfeasibleJson(const Context& ctx, const json& details);
  // The panel's contacts and seat links, for letters and calls.
  Result<Response> PanelCsv(const Context& ctx, const Assembly& a);

  // --- API (api.cc)
  Result<Response> ApiList(Request& req, Context& ctx);
  Result<Response> ApiGet(Request& req, Context& ctx);
  Result<Response> ApiCreate(Request& req, Context& ctx);
  Result<Response> ApiUpdate(Request& req, Context& ctx);
  Result<Response> ApiInvitations(Request& req, Context& ctx);
  Result<Response> ApiRegister(Request& req, Context& ctx);
  Result<Response> ApiImport(Request& req, Context& ctx);
  Result<Response> ApiVolunteers(Request& req, Context& ctx);
  Result<Response> ApiPool(Request& req, Context& ctx);
  Result<Response> ApiFreeze(Request& req, Context& ctx);
  Result<Response> ApiDraw(Request& req, Context& ctx);
  Result<Response> ApiPublicDraw(Request& req, Context& ctx);
  Result<Response> ApiInputFile(Request& req, Context& ctx, bool people);
  Result<Response> ApiPanel(Request& req, Context& ctx);
  Result<Response> ApiPanelAnswer(Request& req, Context& ctx);
  Result<Response> ApiSeat(Request& req, Context& ctx);
  Result<Response> ApiSessions(Request& req, Context& ctx);
  Result<Response> ApiAddSession(Request& req, Context& ctx);
  Result<Response> ApiDocument(Request& req, Context& ctx);
  Result<Response> ApiAttendance(Request& req, Context& ctx);
  Result<Response> ApiRecommendations(Request& req, Context& ctx);
  Result<Response> ApiAddRecommendation(Request& req, Context& ctx);
  Result<Response> ApiEditRecommendation(Request& req, Context& ctx);
  Result<Response> ApiComment(Request& req, Context& ctx);
  Result<Response> ApiVote(Request& req, Context& ctx);
  Result<Response> ApiClose(Request& req, Context& ctx);
  Result<Response> ApiAnswer(Request& req, Context& ctx);
  Result<Response> ApiProgress(Request& req, Context& ctx);
  Result<Response> ApiErase(Request& req, Context& ctx);
  struct MemberCall {
    Assembly assembly;
    Volunteer member;
    int64_t id = 0;
    std::map<std::string, std::string> text;
  };
  Result<MemberCall> ForMember(Request& req, Context& ctx, bool with_id, std::initializer_list<const char*> fields);
  json SessionsJson(const Context& ctx, const Assembly& a, const std::vector<Meeting>& meetings, bool insider);
  json RecommendationJson(const Recommendation& r, bool insider);

  // --- pages (pages.cc)
  Result<Response> ListPage(Request& req, Context& ctx);
  Result<Response> ShowPage(Request& req, Context& ctx);
  Result<Response> RegisterPage(Request& req, Context& ctx, const std::map<std::string, std::string>& values, const std::string& problem, int status);
  Result<Response> RegisterForm(Request& req, Context& ctx);
  Result<Response> DrawPage(Request& req, Context& ctx);
  Result<Response> SeatLink(Request& req, Context& ctx);
  Result<Response> MembersPage(Request& req, Context& ctx);
  Result<Response> MembersForm(Request& req, Context& ctx);
  Result<Response> AdminPage(Request& req, Context& ctx);
  Result<Response> AdminForm(Request& req, Context& ctx);
  html::Data Common(const Context& ctx, const Assembly& a, const std::string& stage);
  bool AddHome(const Context& ctx, html::Data& d);  // false when the organisation has no assembly
  Result<Response> AdminListPage(Request& req, Context& ctx);
  Result<Response> AdminCreate(Request& req, Context& ctx);

  Site& site_;
  Store store_;
  // Registrations per client address (a library's computer registers many): a route Limit.
  core::RateLimiter registrations_;
  std::mutex mu_;
  std::string seat_secret_, code_secret_;  // guarded by mu_
};

}  // namespace ting::components::assemblies

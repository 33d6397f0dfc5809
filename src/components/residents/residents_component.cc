// The register of residents: import from CSV (API and admin page), summary, deletion.

#include "residents_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/web/multipart.h"

namespace ting::components {

namespace residents {
const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/
}

namespace {

// A register file is at most this large (a city of 1 million people is about 60 MB with every
// column; the server's body limit applies first).
constexpr size_t kMaxRegisterBytes = 64 << 20;

std::vector<std::string> KeptColumns(std::string_view list) {
  std::vector<std::string> keep;
  for (auto column : Split(list, ','))
    if (Trim(column) == "email" || Trim(column) == "phone") keep.emplace_back(Trim(column));
  return keep;
}

class ResidentsComponent final : public web::Component {
 public:
  explicit ResidentsComponent(Site& site) : site_(site), store_(site.db(), site.env()) {
    const auto manage = web::Access::Can(core::Action::kManageRegister);
    site.Api("POST", "/api/v1/register", manage, [this](Request& req, Context& ctx) { return ApiImport(req, ctx); });
    site.Api("GET", "/api/v1/register/summary", manage, [this](Request&, Context& ctx) { return ApiSummary(ctx); });
    site.Api("DELETE", "/api/v1/register", manage, [this](Request&, Context& ctx) { return ApiDelete(ctx); });
    site.Page("GET", "/admin/register", manage, [this](Request& req, Context& ctx) { return AdminPage(req, ctx, {}, 200); });
    site.Page("POST", "/admin/register", manage, [this](Request& req, Context& ctx) { return AdminImport(req, ctx); });
    site.Page("POST", "/admin/register/delete", manage, [this](Request& req, Context& ctx) { return AdminDelete(req, ctx); });
    voter_routes_ = MountVoterRoutes(site);
  }

 private:
  // Checks and imports a file; problems (nothing imported) come back in file.
  Result<ImportCounts> Import(const Context& ctx, std::string_view text, const std::vector<std::string>& keep, RegisterFile& file) {
    if (text.size() > kMaxRegisterBytes) return Error::Say(ErrorCode::kResourceExhausted, TING_KEY("residents.too_large"));
    file = ReadRegisterCsv(text, site_.env().Today(ctx.org.time_zone));
    if (!file.problems.empty()) return ImportCounts{};
    return ReplaceRegister(site_.db(), site_.env(), ctx.org.id, file.rows, keep);
  }

  json ProblemsJson(const Context& ctx, const RegisterFile& file) {
    json problems = json::array();
    for (const auto& p : file.problems)
      problems.push_back({{"line", p.line}, {"column", p.column}, {"error", site_.T(ctx, p.error)}, {"code", p.error}});
    return problems;
  }

  Result<Response> ApiImport(Request& req, Context& ctx) {
    std::string type = AsciiLower(req.Header("Content-Type"));
    if (!StartsWith(type, "text/csv") && !StartsWith(type, "application/csv"))
      return Error::Say(ErrorCode::kMalformed, TING_KEY("residents.not_csv"));
    RegisterFile file;
    TING_ASSIGN_OR_RETURN(ImportCounts counts, Import(ctx, req.body, KeptColumns(req.QueryParam("keep").value_or("")), file));
    if (!file.problems.empty())
      return Site::Json(422, {{"error", site_.T(ctx, TING_KEY("residents.problems"), {{"count", std::to_string(file.problems.size())}})},
                              {"code", "residents.problems"},
                              {"problems", ProblemsJson(ctx, file)}});
    return Site::Json(200, {{"imported", counts.imported}, {"updated", counts.updated}, {"removed", counts.removed}});
  }

  Result<Response> ApiSummary(Context& ctx) {
    TING_ASSIGN_OR_RETURN(RegisterSummary summary, store_.Summarise(ctx.org.id));
    json districts = json::object();
    for (const auto& [district, n] : summary.districts) districts[district] = n;
    return Site::Json(200, {{"people", summary.people}, {"districts", districts}});
  }

  Result<Response> ApiDelete(Context& ctx) {
    TING_ASSIGN_OR_RETURN(int64_t removed, store_.Delete(ctx.org.id));
    return Site::Json(200, {{"removed", removed}});
  }

  Result<Response> AdminPage(Request& req, Context& ctx, const RegisterFile& file, int status) {
    TING_ASSIGN_OR_RETURN(RegisterSummary summary, store_.Summarise(ctx.org.id));
    html::Data d;
    d.set("people", std::to_string(summary.people));
    d.set("empty", summary.people == 0);
    html::List districts;
    for (const auto& [district, n] : summary.districts)
      districts.push_back(html::Object{{"district", district.empty() ? site_.T(ctx, TING_KEY("residents.no_district")) : district},
                                       {"people", std::to_string(n)}});
    d.set("districts", districts);
    html::List problems;
    for (const auto& p : file.problems)
      problems.push_back(html::Object{{"line", std::to_string(p.line)}, {"column", p.column}, {"error", site_.T(ctx, p.error)}});
    d.set("problems", problems);
    d.set("has_problems", !file.problems.empty());
    d.set("problem_count", site_.T(ctx, TING_KEY("residents.problems"), {{"count", std::to_string(file.problems.size())}}));
    return site_.RenderPage(req, ctx, "residents/admin", TING_KEY("residents.title"), d, status);
  }

  Result<Response> AdminImport(Request& req, Context& ctx) {
    std::string text;
    for (const auto& part : web::MultipartParts(req))
      if (part.name == "file") text = part.data;
    std::vector<std::string> keep;
    if (web::FormField(req, "keep_email") == "1") keep.push_back("email");
    if (web::FormField(req, "keep_phone") == "1") keep.push_back("phone");
    RegisterFile file;
    TING_ASSIGN_OR_RETURN(ImportCounts counts, Import(ctx, text, keep, file));
    if (!file.problems.empty()) return AdminPage(req, ctx, file, 422);
    (void)counts;
    return site_.RedirectWithFlash(ctx, "/admin/register", TING_KEY("residents.imported"));
  }

  Result<Response> AdminDelete(Request& req, Context& ctx) {
    if (web::FormField(req, "confirm") != "1") return site_.RedirectWithFlash(ctx, "/admin/register", TING_KEY("residents.delete_unconfirmed"));
    TING_RETURN_IF_ERROR(StatusOf(store_.Delete(ctx.org.id)));
    return site_.RedirectWithFlash(ctx, "/admin/register", TING_KEY("residents.deleted"));
  }

  Site& site_;
  RegisterStore store_;
  std::shared_ptr<void> voter_routes_;
};

}  // namespace

web::Manifest ResidentsManifest() {
  return web::ManifestOf<ResidentsComponent>("residents", "/admin/register, /api/v1/register, /api/v1/processes/{slug}/codes, /vote-with-code, /api/v1/code-session, /account/verify", ResidentsMigrations,
                                             residents::Resources, SeedResidents);
}

}  // namespace ting::components

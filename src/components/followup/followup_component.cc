// Follow-up: what became of each funded project — status, progress, dated updates.

#include <algorithm>

#include "ting/base/strings.h"
#include "ting/base/keys.h"
#include "ting/base/time.h"
#include "ting/components/followup.h"
#include "ting/components/proposals.h"
#include "ting/components/results.h"
#include "ting/core/accounts.h"
#include "ting/html/markdown.h"

namespace ting::components {

namespace followup {
const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/
}


namespace {

const std::vector<std::string> kStatuses = {"planned", "in_progress", "done", "cancelled"};
bool ValidStatus(const std::string& s) { return std::find(kStatuses.begin(), kStatuses.end(), s) != kStatuses.end(); }

std::vector<db::Migration> FollowUpMigrations() {
  return {{600, "follow-up: progress and updates of funded projects", R"sql(
CREATE TABLE project_progress (
  proposal_id INTEGER PRIMARY KEY REFERENCES proposals(id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','in_progress','done','cancelled')),
  progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  updated_at INTEGER NOT NULL
);
CREATE TABLE project_updates (
  id INTEGER PRIMARY KEY,
  proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
  author_id INTEGER REFERENCES users(id),
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX project_updates_proposal ON project_updates(proposal_id, created_at);
)sql"},
          {610, "follow-up: repair ill-formed UTF-8 in updates", "",
           [](db::Connection& c) -> Status { return db::RepairUtf8Columns(c, "project_updates", "id", {"body"}); }}};
}

struct Update {
  int64_t id;
  std::string body;
  int64_t created_at;
};

struct FundedProject {
  int64_t id = 0;
  std::string title, budget_slug, budget_name, status = "planned";
  int64_t cost = 0;
  int progress = 0;
  std::vector<Update> updates;  // newest first
};

class FollowUpComponent final : public web::Component {
 public:
  explicit FollowUpComponent(Site& site) {
    site_ = &site;
    processes_ = std::make_unique<ProcessStore>(site.db(), site.env());
    const auto anyone = web::Access::Public();
    const auto manage = web::Access::Can(core::Action::kManageProcesses);
    for (const auto& status : kStatuses) ExpectKey("followup.status." + status);
    site.Page("GET", "/processes/{slug}/followup", anyone, [this](Request& req, Context& ctx) { return ListPage(req, ctx); });
    site.Page("POST", "/processes/{slug}/followup/{id}", manage, [this](Request& req, Context& ctx) { return UpdateForm(req, ctx); });
    site.Api("GET", "/api/v1/processes/{slug}/followup", anyone, [this](Request& req, Context& ctx) { return ApiList(req, ctx); });
    site.Api("POST", "/api/v1/processes/{slug}/followup/{id}", manage, [this](Request& req, Context& ctx) { return ApiUpdate(req, ctx); });
  }

 private:
  Result<std::vector<FundedProject>> Load(const Process& p, const std::string& lang) {
    std::vector<FundedProject> out;
    TING_RETURN_IF_ERROR(site_->db().Read([&](db::Connection& c) -> Status {
      for (const auto& b : p.budgets) {
        TING_ASSIGN_OR_RETURN(auto funded, FundedProjects(c, b.id));
        TING_ASSIGN_OR_RETURN(auto projects, BallotProjects(c, b.id));
        for (int64_t id : funded) {
          FundedProject fp;
          fp.id = id;
          fp.budget_slug = b.slug;
          fp.budget_name = b.Name(lang);
          for (const auto& pr : projects)
            if (pr.id == id) {
              fp.title = pr.title;
              fp.cost = pr.cost;
            }
          TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT status, progress FROM project_progress WHERE proposal_id = ?", {id}));
          if (row) {
            fp.status = row->Str(0);
            fp.progress = static_cast<int>(row->Int(1));
          }
          TING_ASSIGN_OR_RETURN(auto updates, c.Query("SELECT id, body, created_at FROM project_updates WHERE proposal_id = ? ORDER BY created_at DESC, id DESC", {id}));
          for (const auto& u : updates) fp.updates.push_back({u.Int(0), u.Str(1), u.Int(2)});
          out.push_back(std::move(fp));
        }
      }
      return {};
    }));
    return out;
  }

  // Applies a status/progress change and/or adds an update. Only for funded projects of p.
  Status Apply(const Process& p, int64_t project_id, int64_t author_id, const std::optional<std::string>& status,
               const std::optional<int64_t>& progress, const std::string& body) {
    if (status && !ValidStatus(*status)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("followup.bad_status"));
    if (progress && (*progress < 0 || *progress > 100)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("followup.bad_progress"));
    int64_t now = site_->env().NowSeconds();
    return site_->db().Write([&](db::Connection& c) -> Status {
      bool funded = false;
      for (const auto& b : p.budgets) {
        TING_ASSIGN_OR_RETURN(auto ids, FundedProjects(c, b.id));
        funded = funded || std::find(ids.begin(), ids.end(), project_id) != ids.end();
      }
      if (!funded) return Error::Say(ErrorCode::kNotFound, TING_KEY("followup.not_funded"));
      if (status || progress) {
        TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO project_progress(proposal_id, status, progress, updated_at) VALUES(?, ?, ?, ?) "
                                          "ON CONFLICT(proposal_id) DO NOTHING",
                                          {project_id, std::string("planned"), int64_t{0}, now})));
        if (status) TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE project_progress SET status = ?, updated_at = ? WHERE proposal_id = ?", {*status, now, project_id})));
        if (progress) TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE project_progress SET progress = ?, updated_at = ? WHERE proposal_id = ?", {*progress, now, project_id})));
      }
      if (!Trim(body).empty())
        TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO project_updates(proposal_id, author_id, body, created_at) VALUES(?, ?, ?, ?)",
                                          {project_id, author_id, std::string(Trim(body)), now})));
      // The project's proposer hears of every change (mailed as they choose: the "funded" kind).
      if (Trim(body).empty()) return NotifyAuthorIn(c, site_->env(), project_id, TING_KEY("notify.followup_status"));
      return NotifyAuthorIn(c, site_->env(), project_id, TING_KEY("notify.followup"), {{"update", std::string(Utf8Prefix(Trim(body), 300))}});
    });
  }

  Result<Response> ListPage(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
    const Process& process = p;
    auto projects = Load(process, ctx.lang);
    if (!projects.ok()) return projects.error();
    bool can_manage = ctx.Can(core::Action::kManageProcesses);
    html::Data d;
    d.set("process_slug", process.slug);
    d.set("process_title", process.Title(ctx.lang));
    d.set("has_projects", !projects->empty());
    d.set("can_manage", can_manage);
    html::List items;
    for (const auto& fp : *projects) {
      html::Object o{{"id", std::to_string(fp.id)}, {"title", fp.title}, {"budget_name", fp.budget_name},
                     {"status_label", site_->T(ctx, "followup.status." + fp.status)}, {"status", fp.status},
                     {"progress", std::to_string(fp.progress)}, {"process_slug", process.slug}};
      html::List updates;
      for (const auto& u : fp.updates)
        updates.push_back(html::Object{{"date", UtcDate(u.created_at)}, {"body_html", html::RenderMarkdown(u.body)}});
      o["updates"] = html::Data(updates);
      o["has_updates"] = html::Data(fp.updates.empty() ? html::Data::type::bool_false : html::Data::type::bool_true);
      o["can_manage"] = html::Data(can_manage ? html::Data::type::bool_true : html::Data::type::bool_false);
      html::List options;
      for (const auto& s : kStatuses) {
        html::Object so{{"value", s}, {"label", site_->T(ctx, "followup.status." + s)}};
        so["selected"] = html::Data(s == fp.status ? html::Data::type::bool_true : html::Data::type::bool_false);
        options.push_back(so);
      }
      o["status_options"] = html::Data(options);
      items.push_back(o);
    }
    d.set("projects", items);
    return site_->RenderPageTitled(req, ctx, "followup/list", site_->T(ctx, TING_KEY("followup.title")) + " – " + process.Title(ctx.lang), d);
  }

  Result<Response> UpdateForm(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kManageProcesses));
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
    auto id = ParseInt64(req.Param("id"));
    std::string status, body, progress_text;
    for (const auto& [k, v] : req.FormFields()) {
      if (k == "status") status = v;
      if (k == "progress") progress_text = v;
      if (k == "body") body = v;
    }
    std::optional<int64_t> progress = progress_text.empty() ? std::nullopt : ParseInt64(Trim(progress_text));
    if (!progress_text.empty() && !progress) progress = -1;
    Status st = id ? Apply(p, *id, ctx.user->id, status.empty() ? std::nullopt : std::optional(status), progress, body)
                   : Status(Error::Say(ErrorCode::kNotFound, TING_KEY("followup.not_funded")));
    if (!st.ok()) return st.error();
    return site_->RedirectWithFlash(ctx, "/processes/" + p.slug + "/followup", TING_KEY("followup.saved"));
  }

  Result<Response> ApiList(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
    auto projects = Load(p, ctx.lang);
    if (!projects.ok()) return projects.error();
    json out = json::array();
    for (const auto& fp : *projects) {
      json updates = json::array();
      for (const auto& u : fp.updates) updates.push_back({{"id", u.id}, {"body", u.body}, {"created_at", u.created_at}});
      out.push_back({{"id", fp.id}, {"title", fp.title}, {"budget", fp.budget_slug}, {"cost", fp.cost}, {"status", fp.status},
                     {"progress", fp.progress}, {"updates", updates}});
    }
    return Site::Json(200, {{"projects", out}});
  }

  Result<Response> ApiUpdate(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kManageProcesses));
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, req.Param("slug")));
    TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
    web::JsonFields fields(parsed_body);
    auto id = ParseInt64(req.Param("id"));
    std::optional<std::string> status = fields.OptionalText("status");
    std::optional<int64_t> progress = fields.Int("progress");
    std::string text = fields.Text("update");
    TING_RETURN_IF_ERROR(fields.Check());
    if (!id) return Error::Say(ErrorCode::kNotFound, TING_KEY("followup.not_funded"));
    TING_RETURN_IF_ERROR(Apply(p, *id, ctx.user->id, status, progress, text));
    return ApiList(req, ctx);
  }

  Site* site_ = nullptr;
  std::unique_ptr<ProcessStore> processes_;
};

}  // namespace

web::Manifest FollowUpManifest() {
  return web::ManifestOf<FollowUpComponent>("followup", "/processes/{slug}/followup, /api/v1/processes/{slug}/followup",
                                  FollowUpMigrations, followup::Resources, SeedFollowUp);
}

}  // namespace ting::components

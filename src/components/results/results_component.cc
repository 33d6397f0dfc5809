// Results: count (manager), the public result page with explanations and a chart, the API,
// and the open-data exports.

#include <algorithm>
#include <sstream>

#include "ting/base/money.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/base/time.h"
#include "ting/components/results.h"
#include "ting/core/accounts.h"

namespace ting::components {

namespace results {
const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/
}


namespace {

std::vector<db::Migration> ResultsMigrations() {
  return {{500, "results: counted outcomes and funded projects", R"sql(
CREATE TABLE results (
  budget_id INTEGER PRIMARY KEY REFERENCES budgets(id) ON DELETE CASCADE,
  outcome TEXT NOT NULL,
  counted_at INTEGER NOT NULL,
  counted_by INTEGER REFERENCES users(id)
);
CREATE TABLE funded_projects (
  budget_id INTEGER NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
  proposal_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (budget_id, proposal_id)
);
)sql"}};
}

// The titles of funded projects named in an explanation, as a list in the request's
// language: “A”, “B” and “C”; beyond five, “A”, …, “E” and N other funded projects.
std::string TitleList(const Site& site, const Context& ctx, const BudgetResult& r, const nlohmann::json& ids) {
  constexpr size_t kNamed = 5;
  std::vector<std::string> titles;
  for (const auto& id : ids) {
    if (!id.is_number_integer()) continue;
    for (const auto& p : r.projects)
      if (p.id == id.get<int64_t>()) titles.push_back(site.T(ctx, TING_KEY("results.quoted"), {{"title", p.title}}));
  }
  if (titles.empty()) return "";
  if (titles.size() > kNamed) {
    std::string list = titles[0];
    for (size_t i = 1; i < kNamed; ++i) list += ", " + titles[i];
    return site.T(ctx, TING_KEY("results.list_more"), {{"list", list}, {"n", std::to_string(titles.size() - kNamed)}});
  }
  std::string list = titles[0];
  for (size_t i = 1; i + 1 < titles.size(); ++i) list += ", " + titles[i];
  if (titles.size() == 1) return list;
  return site.T(ctx, TING_KEY("results.list_and"), {{"list", list}, {"last", titles.back()}});
}

// The sentence explaining a project's outcome, from its catalogue key and numbers (see
// ProjectOutcome::vars). Money values are minor units; they are said as money.
std::string Explain(const Site& site, const Context& ctx, const BudgetResult& r, const ProjectOutcome& p) {
  std::map<std::string, std::string> vars;
  for (const auto& [k, v] : p.vars.items()) {
    if (v.is_string()) {
      vars[k] = v.get<std::string>();
    } else if (v.is_number_integer()) {
      vars[k] = std::to_string(v.get<int64_t>());
    }
  }
  for (auto& [k, v] : vars)
    if (k == "left" || k == "cost" || k == "price")
      if (auto minor = ParseInt64(v)) v = site.FormatMoney(ctx, {*minor, r.currency});
  // A price that is not a whole number of minor units is shown rounded: say so.
  if (vars.count("price") && p.vars.value("price_per_supporter", std::string()).find('/') != std::string::npos)
    vars["price"] = site.T(ctx, TING_KEY("results.about"), {{"amount", vars["price"]}});
  if (p.vars.contains("spent_on")) vars["spent_on"] = TitleList(site, ctx, r, p.vars["spent_on"]);
  vars["votes"] = std::to_string(p.votes);
  return site.T(ctx, p.explanation_key, vars);
}

// A horizontal bar chart of votes as inline SVG (no script, readable by screen readers).
std::string VotesChart(const Site& site, const Context& ctx, const BudgetResult& r) {
  int64_t max_votes = 1;
  for (const auto& p : r.projects) max_votes = std::max(max_votes, p.votes);
  const int row = 28, label_w = 0, width = 640;
  int height = row * static_cast<int>(r.projects.size()) + 8;
  std::ostringstream svg;
  svg << "<svg class=\"chart\" viewBox=\"0 0 " << width << " " << height << "\" role=\"img\" aria-labelledby=\"chart-title\">"
      << "<title id=\"chart-title\">" << html::EscapeHtml(site.T(ctx, TING_KEY("results.chart_title"))) << "</title>";
  int y = 4;
  for (const auto& p : r.projects) {
    int bar = static_cast<int>((width - 180 - label_w) * p.votes / max_votes);
    svg << "<g><rect x=\"0\" y=\"" << y << "\" width=\"" << std::max(bar, 1) << "\" height=\"" << row - 8 << "\" class=\""
        << (p.funded ? "funded" : "unfunded") << "\"/>"
        << "<text x=\"" << bar + 6 << "\" y=\"" << y + row - 13 << "\">" << html::EscapeHtml(std::to_string(p.votes)) << " · "
        << html::EscapeHtml(p.title.size() > 40 ? std::string(Utf8Prefix(p.title, 40)) + "…" : p.title) << "</text></g>";
    y += row;
  }
  svg << "</svg>";
  return svg.str();
}

class ResultsComponent final : public web::Component {
 public:
  explicit ResultsComponent(Site& site) {
    site_ = &site;
    processes_ = std::make_unique<ProcessStore>(site.db(), site.env());
    const auto anyone = web::Access::Public();
    const auto manage = web::Access::Can(core::Action::kManageProcesses);
    if (auto secret = core::InstanceSecret(site.db(), "export"); secret.ok()) export_secret_ = *secret;
    site.Api("POST", "/api/v1/processes/{slug}/budgets/{budget}/count", manage, [this](Request& req, Context& ctx) { return ApiCount(req, ctx); });
    site.Api("GET", "/api/v1/processes/{slug}/budgets/{budget}/results", anyone, [this](Request& req, Context& ctx) { return ApiResults(req, ctx); });
    site.Api("GET", "/api/v1/processes/{slug}/budgets/{budget}/export.pb", anyone, [this](Request& req, Context& ctx) { return ExportPb(req, ctx); });
    site.Api("GET", "/api/v1/processes/{slug}/budgets/{budget}/export.csv", anyone, [this](Request& req, Context& ctx) { return ExportCsv(req, ctx); });
    site.Page("GET", "/processes/{slug}/results/{budget}", anyone, [this](Request& req, Context& ctx) { return Page(req, ctx); });
    site.Page("POST", "/processes/{slug}/results/{budget}/count", manage, [this](Request& req, Context& ctx) { return PageCount(req, ctx); });
  }

 private:
  struct Target {
    Process process;
    Budget budget;
  };

  Result<Target> Find(const Context& ctx, const std::string& slug, const std::string& budget) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(*processes_, ctx, slug));
    const Budget* b = p.FindBudget(budget);
    if (!b) return Error::Say(ErrorCode::kNotFound, TING_KEY("voting.no_budget"));
    return Target{p, *b};
  }

  // Counts and stores. Error kConflict while voting is still open.
  Result<BudgetResult> Count(const Target& t, int64_t user_id) {
    Phase phase = t.process.PhaseNow(site_->env());
    if (phase < Phase::kResults) return Error::Say(ErrorCode::kConflict, TING_KEY("results.voting_not_closed"));
    TING_ASSIGN_OR_RETURN(auto projects, BallotProjects(site_->db(), t.budget.id));
    TING_ASSIGN_OR_RETURN(auto ballots, LoadBallots(site_->db(), t.budget));
    TING_ASSIGN_OR_RETURN(auto changes, BallotChanges(site_->db(), t.budget.id));
    TING_ASSIGN_OR_RETURN(BudgetResult result, CountBudget(t.budget, projects, ballots, changes));
    result.counted_at = site_->env().NowSeconds();
    std::string outcome = result.ToJson().dump();
    TING_RETURN_IF_ERROR(site_->db().Write([&](db::Connection& c) -> Status {
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO results(budget_id, outcome, counted_at, counted_by) VALUES(?, ?, ?, ?) "
                                        "ON CONFLICT(budget_id) DO UPDATE SET outcome = excluded.outcome, counted_at = excluded.counted_at, "
                                        "counted_by = excluded.counted_by",
                                        {t.budget.id, outcome, result.counted_at, user_id})));
      TING_ASSIGN_OR_RETURN(auto before, FundedProjects(c, t.budget.id));
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM funded_projects WHERE budget_id = ?", {t.budget.id})));
      int64_t position = 0;
      for (int64_t id : result.selected) {
        TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO funded_projects(budget_id, proposal_id, position) VALUES(?, ?, ?)", {t.budget.id, id, ++position})));
        // Its proposer hears once, when it is first funded (a recount that keeps it says nothing).
        if (std::find(before.begin(), before.end(), id) == before.end())
          TING_RETURN_IF_ERROR(NotifyAuthorIn(c, site_->env(), id, TING_KEY("notify.funded")));
      }
      return {};
    }));
    return result;
  }

  json ResultJson(const Context& ctx, const Target& t, const BudgetResult& r) {
    json j = {{"rule", r.rule}, {"budget", r.budget}, {"currency", r.currency}, {"ballots", r.ballots}, {"channels", r.channels},
              {"selected", r.selected}, {"spent", r.spent}, {"left", r.budget - r.spent}, {"counted_at", r.counted_at}};
    json projects = json::array();
    for (const auto& p : r.projects)
      projects.push_back({{"id", p.id}, {"title", p.title}, {"votes", p.votes}, {"cost", p.cost}, {"funded", p.funded},
                          {"position", p.position}, {"explanation", Explain(*site_, ctx, r, p)}, {"explanation_data", p.vars}});
    j["projects"] = projects;
    j["ballot_report"] = r.ballot_report.ToJson();
    j["process"] = t.process.slug;
    j["budget_slug"] = t.budget.slug;
    return j;
  }

  Result<Response> ApiCount(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kManageProcesses));
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req.Param("slug"), req.Param("budget")));
    auto r = Count(t, ctx.user->id);
    if (!r.ok()) return r.error();
    return Site::Json(200, ResultJson(ctx, t, *r));
  }

  Result<Response> ApiResults(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req.Param("slug"), req.Param("budget")));
    auto r = LoadResult(site_->db(), t.budget.id);
    if (!r.ok()) return r.error();
    if (!*r) return Error::Say(ErrorCode::kNotFound, TING_KEY("results.not_counted_api"));
    return Site::Json(200, ResultJson(ctx, t, **r));
  }

  // Open data: published once the budget has been counted.
  Result<std::tuple<Target, std::vector<Project>, std::vector<StoredBallot>, BudgetResult>> ExportData(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req.Param("slug"), req.Param("budget")));
    const Target& target = t;
    auto r = LoadResult(site_->db(), target.budget.id);
    if (!r.ok()) return r.error();
    if (!*r) return Error::Say(ErrorCode::kNotFound, TING_KEY("results.not_counted_api"));
    auto projects = BallotProjects(site_->db(), target.budget.id);
    auto ballots = LoadBallots(site_->db(), target.budget);
    if (!projects.ok() || !ballots.ok()) return Error::Internal("a store call failed");
    return std::tuple{target, std::move(*projects), std::move(*ballots), std::move(**r)};
  }

  Result<Response> ExportPb(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(auto data, ExportData(req, ctx));
    auto& [t, projects, ballots, result] = data;
    Response res = Response::Text(200, ExportPabulib(t.process, t.budget, projects, ballots, result, export_secret_));
    res.Set("Content-Disposition", "attachment; filename=\"" + t.process.slug + "_" + t.budget.slug + ".pb\"");
    return res;
  }

  Result<Response> ExportCsv(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(auto data, ExportData(req, ctx));
    auto& [t, projects, ballots, result] = data;
    // Votes (points, for cumulative ballots) per project and channel, so an official can
    // reconcile the count with the paper ballots: votes_paper is what the piles should say. A
    // channel with fewer than kMinBallotsPerChannel ballots is left empty: staff know who came
    // to the desk, and one desk ballot's votes would be that person's choices.
    constexpr int64_t kMinBallotsPerChannel = 10;
    std::map<std::string, int64_t> ballots_in;
    for (const auto& b : ballots) ++ballots_in[b.channel];
    std::map<int64_t, std::map<std::string, int64_t>> by_channel;
    for (const auto& b : ballots) {
      for (int64_t id : b.ballot.projects) by_channel[id][b.channel] += 1;
      for (const auto& [id, n] : b.ballot.points) by_channel[id][b.channel] += n;
    }
    std::string csv = "project_id,title,cost,votes,funded,position,explanation";
    for (const auto& channel : BallotChannels()) csv += ",votes_" + channel;
    csv += "\r\n";
    for (const auto& p : result.projects) {
      csv += std::to_string(p.id) + "," + CsvField(p.title) + "," + std::to_string(p.cost) + "," + std::to_string(p.votes) + "," +
             (p.funded ? "1" : "0") + "," + (p.funded ? std::to_string(p.position) : "") + "," + CsvField(Explain(*site_, ctx, result, p));
      for (const auto& channel : BallotChannels())
        csv += "," + (ballots_in[channel] >= kMinBallotsPerChannel ? std::to_string(by_channel[p.id][channel]) : std::string());
      csv += "\r\n";
    }
    Response res{200, {}, csv};
    res.Set("Content-Type", "text/csv; charset=utf-8");
    res.Set("Content-Disposition", "attachment; filename=\"" + t.process.slug + "_" + t.budget.slug + ".csv\"");
    return res;
  }

  Result<Response> Page(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req.Param("slug"), req.Param("budget")));
    const Target& target = t;
    auto r = LoadResult(site_->db(), target.budget.id);
    if (!r.ok()) return r.error();
    html::Data d;
    d.set("process_slug", target.process.slug);
    d.set("process_title", target.process.Title(ctx.lang));
    d.set("budget_slug", target.budget.slug);
    d.set("budget_name", target.budget.Name(ctx.lang));
    d.set("can_count", ctx.Can(core::Action::kManageProcesses) && target.process.PhaseNow(site_->env()) >= Phase::kResults);
    d.set("counted", r->has_value());
    if (*r) {
      const BudgetResult& res = **r;
      d.set("ballots", std::to_string(res.ballots));
      // Ballots by the door they came through, to reconcile with the paper: "online 6, paper 3".
      std::string channels;
      for (const auto& [channel, n] : res.channels)
        channels += (channels.empty() ? "" : ", ") + site_->T(ctx, "results.channel." + channel) + " " + std::to_string(n);
      d.set("has_channels", !channels.empty());
      d.set("channels", channels);
      d.set("amount", site_->FormatMoney(ctx, {res.budget, res.currency}));
      d.set("spent", site_->FormatMoney(ctx, {res.spent, res.currency}));
      d.set("left", site_->FormatMoney(ctx, {res.budget - res.spent, res.currency}));
      d.set("rule_text", RuleText(*site_, ctx, target.budget.rule));
      d.set("chart", VotesChart(*site_, ctx, res));
      html::List funded, rows;
      for (const auto& p : res.projects) {
        html::Object o{{"id", std::to_string(p.id)}, {"title", p.title}, {"votes", std::to_string(p.votes)},
                       {"cost", site_->FormatMoney(ctx, {p.cost, res.currency})}, {"explanation", Explain(*site_, ctx, res, p)}};
        o["funded"] = html::Data(p.funded ? html::Data::type::bool_true : html::Data::type::bool_false);
        rows.push_back(o);
      }
      for (int64_t id : res.selected)
        for (const auto& p : res.projects)
          if (p.id == id) funded.push_back(html::Object{{"id", std::to_string(p.id)}, {"title", p.title}, {"cost", site_->FormatMoney(ctx, {p.cost, res.currency})}});
      d.set("funded", funded);
      d.set("rows", rows);
      d.set("none_funded", res.selected.empty());
      // What happened to every ballot: those that chose a project taken off the ballot during
      // voting, and why it was taken off.
      const BallotReport& report = res.ballot_report;
      d.set("has_removed", !report.removed.empty());
      d.set("report_summary", site_->T(ctx, TING_KEY("results.report.summary"),
                                       {{"ballots", std::to_string(report.ballots)}, {"full", std::to_string(report.counted_in_full)},
                                        {"part", std::to_string(report.counted_in_part)}, {"nothing", std::to_string(report.counted_for_nothing)}}));
      html::List removed;
      for (const auto& x : report.removed)
        removed.push_back(html::Object{{"title", x.title},
                                       {"text", site_->T(ctx, x.reason.empty() ? TING_KEY("results.report.removed_unrecorded") : TING_KEY("results.report.removed"),
                                                         {{"ballots", std::to_string(x.ballots)}, {"date", x.removed_at ? UtcDate(x.removed_at) : ""}})},
                                       {"reason", x.reason}});
      d.set("removed", removed);
    }
    return site_->RenderPageTitled(req, ctx, "results/page", site_->T(ctx, TING_KEY("results.title"), {{"budget", target.budget.Name(ctx.lang)}}), d);
  }

  Result<Response> PageCount(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireAction(ctx, core::Action::kManageProcesses));
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req.Param("slug"), req.Param("budget")));
    auto r = Count(t, ctx.user->id);
    if (!r.ok()) {
      if (r.error().code == ErrorCode::kConflict) return site_->ErrorPage(req, ctx, 409, TING_KEY("results.cannot_count"), r.error().key);
      return r.error();
    }
    return site_->RedirectWithFlash(ctx, req.path.substr(0, req.path.size() - 6), TING_KEY("results.counted"));
  }

  Site* site_ = nullptr;
  std::unique_ptr<ProcessStore> processes_;
  std::string export_secret_;
};

}  // namespace

web::Manifest ResultsManifest() {
  return web::ManifestOf<ResultsComponent>("results", "/processes/{slug}/results/{budget}, /api/v1/processes/{slug}/budgets/{budget}/results",
                                  ResultsMigrations, results::Resources, SeedResults);
}

}  // namespace ting::components

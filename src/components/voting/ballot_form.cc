// The ballot form: read from a post, and rendered for every door (online, code, desk, paper).

#include <algorithm>

#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "voting_internal.h"

namespace ting::components {

std::optional<VoterSession> SessionOf(const Request& req, const Context& ctx, VoterDirectory& voters, int64_t process_id) {
  std::string token = ctx.api ? ctx.api_token : req.Cookie(kVoterCookie).value_or("");
  if (token.empty()) return std::nullopt;
  auto session = voters.ReadToken(token);
  if (!session || session->process_id != process_id) return std::nullopt;
  return session;
}

std::variant<Ballot, BallotProblem> BallotFromForm(const Request& req, BallotType type) {
  Ballot b;
  b.type = type;
  std::vector<std::pair<int64_t, int64_t>> ranked;  // (rank, project)
  for (const auto& [k, v] : req.FormFields()) {
    if (k == "project") {
      if (auto id = ParseInt64(v)) b.projects.push_back(*id);
    } else if (StartsWith(k, "points_")) {
      auto id = ParseInt64(k.substr(7));
      std::string_view typed = Trim(v);
      if (!id || typed.empty()) continue;
      auto n = ParseInt64(typed);
      if (!n || *n < 0) return BallotProblem{TING_KEY("ballot.problem.points_number"), {}};
      if (*n > 0) b.points[*id] = *n;
    } else if (StartsWith(k, "rank_")) {
      auto id = ParseInt64(k.substr(5));
      auto r = ParseInt64(v);
      if (id && r && *r > 0) ranked.push_back({*r, *id});
    }
  }
  std::sort(ranked.begin(), ranked.end());
  for (size_t i = 0; i < ranked.size(); ++i) {
    if (i && ranked[i].first == ranked[i - 1].first)
      return BallotProblem{TING_KEY("ballot.problem.same_rank"), {{"rank", std::to_string(ranked[i].first)}}};
    b.projects.push_back(ranked[i].second);
  }
  if (type != BallotType::kRanking) std::sort(b.projects.begin(), b.projects.end());
  return b;
}

Result<Response> RenderBallotForm(Site& site, Request& req, Context& ctx, const Process& process, const Budget& b,
                                  const std::vector<Project>& projects, const std::optional<Ballot>& current,
                                  const std::vector<std::string>& errors, int status, const BallotForm& form) {
  html::Data d;
  d.set("process_slug", process.slug);
  d.set("process_title", process.Title(ctx.lang));
  d.set("budget_slug", b.slug);
  d.set("budget_name", b.Name(ctx.lang));
  d.set("action", form.action);
  html::List hidden;
  for (const auto& [name, value] : form.hidden) hidden.push_back(html::Object{{"name", name}, {"value", value}});
  d.set("hidden", hidden);
  d.set("notice", form.notice);
  d.set("batch_mode", form.batch_mode);
  d.set("batch", form.batch);
  d.set("batch_count", std::to_string(form.batch_count));
  d.set("amount", site.FormatMoney(ctx, {b.amount, b.currency}));
  d.set("amount_minor", std::to_string(b.amount));
  d.set("currency", b.currency);
  d.set("ballot_text", BallotText(site, ctx, b.ballot));
  d.set("type", BallotTypeName(b.ballot.type));
  d.set("max", std::to_string(b.ballot.max));
  d.set("points", std::to_string(b.ballot.points));
  d.set("is_approval", b.ballot.type == BallotType::kApproval || b.ballot.type == BallotType::kKnapsack);
  d.set("is_cumulative", b.ballot.type == BallotType::kCumulative);
  d.set("is_ranking", b.ballot.type == BallotType::kRanking);
  d.set("has_errors", !errors.empty());
  html::List err;
  for (const auto& e : errors) err.push_back(html::Data(e));
  d.set("errors", err);
  d.set("has_ballot", current.has_value());
  int rank_slots = static_cast<int>(projects.size());
  if (b.ballot.max) rank_slots = std::min(rank_slots, b.ballot.max);
  html::List items;
  for (const auto& p : projects) {
    html::Object o{{"id", std::to_string(p.id)}, {"title", p.title}, {"cost", site.FormatMoney(ctx, {p.cost, b.currency})},
                   {"cost_minor", std::to_string(p.cost)}};
    bool chosen = false;
    int64_t pts = 0;
    int rank = 0;
    if (current) {
      chosen = std::find(current->projects.begin(), current->projects.end(), p.id) != current->projects.end();
      if (auto it = current->points.find(p.id); it != current->points.end()) pts = it->second;
      auto pos = std::find(current->projects.begin(), current->projects.end(), p.id);
      if (pos != current->projects.end()) rank = static_cast<int>(pos - current->projects.begin()) + 1;
    }
    o["checked"] = html::Data(chosen ? html::Data::type::bool_true : html::Data::type::bool_false);
    o["points_value"] = html::Data(pts ? std::to_string(pts) : "");
    html::List ranks;
    for (int r = 1; r <= rank_slots; ++r) {
      html::Object ro{{"value", std::to_string(r)}};
      ro["selected"] = html::Data(r == rank ? html::Data::type::bool_true : html::Data::type::bool_false);
      ranks.push_back(ro);
    }
    o["ranks"] = html::Data(ranks);
    items.push_back(o);
  }
  d.set("projects", items);
  d.set("has_projects", !projects.empty());
  return site.RenderPageTitled(req, ctx, "voting/ballot", site.T(ctx, TING_KEY("voting.title"), {{"budget", b.Name(ctx.lang)}}), d, status);
}

}  // namespace ting::components

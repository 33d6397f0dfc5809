// The freeze (pseudonyms, the published inputs and their digest), the draw (the panel exactly as
// `ting select` draws it from the same files and seed, and the public reserve order), and seats:
// confirmations, declines and replacements that keep every quota.

#include <algorithm>
#include <set>

#include <sodium.h>

#include "assemblies_internal.h"
#include "ting/base/digest.h"
#include "ting/base/keys.h"
#include "ting/base/rng.h"
#include "ting/base/strings.h"
#include "ting/components/residents.h"
#include "ting/sortition/selection.h"

namespace ting::components::assemblies {

namespace {

constexpr const char* kIdColumn = "id";

std::string RandomName(const char* prefix) {
  std::string out = prefix;
  for (int i = 0; i < 10; ++i) out += kCodeAlphabet[randombytes_uniform(static_cast<uint32_t>(kCodeAlphabet.size()))];
  return out;
}

json QuotaJson(const sortition::Categories& cats, int quota) {
  const auto& q = cats.quotas[quota];
  return {{"feature", cats.features[q.feature]}, {"value", q.value}, {"min", q.min}, {"max", q.max}};
}

// The API's answer for quotas that cannot be met: the conflicts and the smallest relaxation.
Result<json> InfeasibleAnswer(const Inputs& in, int64_t panel_size, const std::string& why, sortition::Relaxation* out) {
  TING_ASSIGN_OR_RETURN(sortition::Relaxation r, sortition::FindRelaxation(in.categories, in.pool, static_cast<int>(panel_size)));
  json conflicts = json::array(), quotas = json::array(), changes = json::array();
  for (const auto& c : r.conflicts) conflicts.push_back(c);
  for (int q : r.conflicting_quotas) quotas.push_back(QuotaJson(in.categories, q));
  for (const auto& c : r.changes) {
    const auto& q = in.categories.quotas[c.quota];
    changes.push_back({{"feature", in.categories.features[q.feature]}, {"value", q.value}, {"old_min", c.old_min}, {"old_max", c.old_max},
                       {"min", c.new_min}, {"max", c.new_max}});
  }
  if (out) *out = r;
  return json{{"message", why}, {"conflicts", conflicts}, {"conflicting_quotas", quotas}, {"relaxable", r.relaxable}, {"relaxation", changes}};
}

// Seat holders: drawn and not declined.
bool HoldsSeat(const Volunteer& v) { return v.seat == "invited" || v.seat == "confirmed"; }

}  // namespace

std::string PeopleCsv(const Assembly& a, const std::vector<Volunteer>& volunteers) {
  std::vector<const Volunteer*> sorted;
  for (const auto& v : volunteers) sorted.push_back(&v);
  std::sort(sorted.begin(), sorted.end(), [](const Volunteer* x, const Volunteer* y) { return x->pseudonym < y->pseudonym; });
  std::vector<std::string> header = {kIdColumn};
  if (a.households) header.push_back("household");
  for (const auto& f : a.features) header.push_back(CsvCell(f.name));
  std::string csv = Join(header, ",") + "\n";
  for (const Volunteer* v : sorted) {
    std::vector<std::string> row = {v->pseudonym};
    if (a.households) row.push_back(v->household_pseudonym);
    for (const auto& f : a.features) {
      auto it = v->answers.find(f.name);
      row.push_back(CsvCell(it == v->answers.end() ? "" : it->second));
    }
    csv += Join(row, ",") + "\n";
  }
  return csv;
}

Result<Inputs> ParseInputs(const Assembly& a, const std::string& people_csv, const std::string& categories_csv) {
  Inputs in;
  if (a.households) in.address_columns = {"household"};
  TING_ASSIGN_OR_RETURN(in.categories, sortition::ParseCategories(categories_csv, "categories.csv"));
  TING_ASSIGN_OR_RETURN(in.pool, sortition::ParsePeople(people_csv, "people.csv", in.categories, kIdColumn, in.address_columns));
  in.digest = sortition::InputsDigest(in.categories, in.pool, static_cast<int>(a.panel_size), kIdColumn, in.address_columns);
  return in;
}

Status Freeze(db::Database& db, Env& env, Assembly& a, const FreezeRequest& r, json& infeasible) {
  if (a.frozen()) return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.frozen"));
  std::vector<Volunteer> volunteers;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kVolunteerColumns + " FROM assembly_volunteers WHERE assembly_id = ? ORDER BY id", {a.id}));
    volunteers.clear();
    for (const auto& row : rows) volunteers.push_back(VolunteerFromRow(row));
    return {};
  }));
  if (static_cast<int64_t>(volunteers.size()) < a.panel_size)
    return Error::Say(ErrorCode::kFailedPrecondition, TING_KEY("assemblies.problem.too_few"),
                      {{"volunteers", std::to_string(volunteers.size())}, {"panel", std::to_string(a.panel_size)}});
  // Pseudonyms: random, so the published order (sorted by id) says nothing of who came first.
  std::set<std::string> used;
  std::map<std::string, std::string> households;
  for (auto& v : volunteers) {
    do v.pseudonym = RandomName("P-");
    while (!used.insert(v.pseudonym).second);
    const std::string key = HouseholdKey(v.household);
    std::string& h = key.empty() ? v.household_pseudonym : households[key];
    if (h.empty()) {
      do h = RandomName("H-");
      while (!used.insert(h).second);
    }
    v.household_pseudonym = h;
  }
  const std::string people = PeopleCsv(a, volunteers);
  std::string categories = CategoriesCsv(a);
  TING_ASSIGN_OR_RETURN(Inputs in, ParseInputs(a, people, categories));
  if (Status st = sortition::CheckQuotas(in.categories, in.pool, static_cast<int>(a.panel_size)); !st.ok()) {
    infeasible = {{"message", st.error().message}, {"conflicts", json::array({st.error().message})}, {"conflicting_quotas", json::array()},
                  {"relaxable", false}, {"relaxation", json::array()}};
    return Error::Say(ErrorCode::kInfeasible, TING_KEY("assemblies.infeasible"));
  }
  sortition::SelectionOptions options;
  options.panel_size = static_cast<int>(a.panel_size);
  auto selection = sortition::Select(in.categories, in.pool, options);
  if (!selection.ok() && selection.error().code == ErrorCode::kInfeasible) {
    sortition::Relaxation relaxation;
    TING_ASSIGN_OR_RETURN(infeasible, InfeasibleAnswer(in, a.panel_size, selection.error().message, &relaxation));
    if (!r.accept_relaxation || !relaxation.relaxable) return Error::Say(ErrorCode::kInfeasible, TING_KEY("assemblies.infeasible"));
    // The quotas' order is categories.csv's: features, then values, as Assembly holds them.
    int index = 0;
    for (auto& f : a.features)
      for (auto& q : f.values) {
        for (const auto& change : relaxation.changes)
          if (change.quota == index) {
            q.min = change.new_min;
            q.max = change.new_max;
          }
        ++index;
      }
    categories = CategoriesCsv(a);
    TING_ASSIGN_OR_RETURN(in, ParseInputs(a, people, categories));
    selection = sortition::Select(in.categories, in.pool, options);
  }
  if (!selection.ok()) return selection.error();
  infeasible = json();

  std::string draw_at = r.draw_at.empty() ? (a.dates.count("draw") ? a.dates.at("draw") : env.Today(a.time_zone)) : r.draw_at;
  const int64_t now = env.NowSeconds();
  const int64_t last_id = volunteers.back().id;
  TING_RETURN_IF_ERROR(db.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto state, c.QueryOne("SELECT frozen_at, (SELECT COUNT(*) FROM assembly_volunteers WHERE assembly_id = ?), "
                                                 "(SELECT MAX(id) FROM assembly_volunteers WHERE assembly_id = ?) FROM assemblies WHERE id = ?",
                                                 {a.id, a.id, a.id}));
    if (!state) return Error::Say(ErrorCode::kNotFound, TING_KEY("assemblies.not_found"));
    if (state->Int(0) != 0) return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.frozen"));
    // Someone registered while the quotas were checked: freeze again with them in.
    if (state->Int(1) != static_cast<int64_t>(volunteers.size()) || state->Int(2) != last_id)
      return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.pool_changed"));
    for (const auto& v : volunteers)
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE assembly_volunteers SET pseudonym = ?, household_pseudonym = ? WHERE id = ?",
                                           {v.pseudonym, v.household_pseudonym, v.id})));
    json features = {{"features", FeaturesToJson(a.features)}, {"questions", QuestionsToJson(a.features)}};
    return StatusOf(c.Exec("UPDATE assemblies SET frozen_at = ?, inputs_sha256 = ?, draw_at = ?, people_csv = ?, categories_csv = ?, features = ? WHERE id = ?",
                           {now, in.digest, draw_at, people, categories, features.dump(), a.id}));
  }));
  a.frozen_at = now;
  a.inputs_sha256 = in.digest;
  a.draw_at = draw_at;
  a.people_csv = people;
  a.categories_csv = categories;
  return {};
}

Status Draw(db::Database& db, Env& env, Assembly& a, const std::string& seed, const SeatHook& on_seat, json& infeasible) {
  if (!a.frozen()) return Error::Say(ErrorCode::kFailedPrecondition, TING_KEY("assemblies.problem.not_frozen"));
  if (a.drawn()) return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.drawn"));
  if (Trim(seed).empty() || seed.size() > 200 || !IsValidUtf8(seed)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.seed"));
  TING_ASSIGN_OR_RETURN(Inputs in, ParseInputs(a, a.people_csv, a.categories_csv));
  sortition::SelectionOptions options;
  options.panel_size = static_cast<int>(a.panel_size);
  auto selection = sortition::Select(in.categories, in.pool, options);
  if (!selection.ok()) {
    if (selection.error().code != ErrorCode::kInfeasible) return selection.error();
    TING_ASSIGN_OR_RETURN(infeasible, InfeasibleAnswer(in, a.panel_size, selection.error().message, nullptr));
    return Error::Say(ErrorCode::kInfeasible, TING_KEY("assemblies.infeasible"));
  }
  DeterministicRng rng(seed);
  TING_ASSIGN_OR_RETURN(std::vector<int> drawn, sortition::DrawPanel(in.categories, in.pool, options, *selection, rng));

  std::vector<std::string> panel, rest;
  std::set<int> on_panel(drawn.begin(), drawn.end());
  for (int i : drawn) panel.push_back(in.pool.people[i].id);
  for (size_t i = 0; i < in.pool.people.size(); ++i)
    if (!on_panel.count(static_cast<int>(i))) rest.push_back(in.pool.people[i].id);
  // The reserve order: anyone can recompute it with sha256sum from the seed and the pseudonyms.
  std::map<std::string, std::string> order_key;
  for (const auto& p : rest) order_key[p] = Sha256Hex(seed + "\n" + p);
  std::sort(rest.begin(), rest.end(), [&](const std::string& x, const std::string& y) { return order_key[x] < order_key[y]; });

  json probabilities = json::object();
  for (size_t i = 0; i < in.pool.people.size(); ++i) probabilities[in.pool.people[i].id] = selection->probabilities[i];
  const size_t published = std::min(rest.size(), static_cast<size_t>(a.panel_size));
  json record = {{"seed", seed},
                 {"inputs_sha256", in.digest},
                 {"algorithm", sortition::AlgorithmName(options.algorithm)},
                 {"method", selection->via_relaxation ? "relaxation" : "column_generation"},
                 {"panel", panel},
                 {"reserves", std::vector<std::string>(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(published))},
                 {"min_probability", selection->min_probability},
                 {"probabilities", probabilities},
                 {"panels_in_distribution", selection->distribution.size()}};
  const int64_t now = env.NowSeconds();
  TING_RETURN_IF_ERROR(db.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto state, c.QueryOne("SELECT drawn_at FROM assemblies WHERE id = ?", {a.id}));
    if (!state || state->Int(0) != 0) return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.drawn"));
    for (const auto& p : panel)
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE assembly_volunteers SET seat = 'invited' WHERE assembly_id = ? AND pseudonym = ?", {a.id, p})));
    for (size_t k = 0; k < rest.size(); ++k)
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE assembly_volunteers SET reserve_rank = ? WHERE assembly_id = ? AND pseudonym = ?",
                                           {static_cast<int64_t>(k + 1), a.id, rest[k]})));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE assemblies SET drawn_at = ?, seed = ?, record = ? WHERE id = ?", {now, seed, record.dump(), a.id})));
    if (!on_seat) return {};
    TING_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kVolunteerColumns + " FROM assembly_volunteers WHERE assembly_id = ? AND seat = 'invited'", {a.id}));
    for (const auto& row : rows) TING_RETURN_IF_ERROR(on_seat(c, VolunteerFromRow(row)));
    return {};
  }));
  a.drawn_at = now;
  a.seed = seed;
  a.record = record;
  return {};
}

namespace {

// Whether holders (pool indices) keep every quota and household rule: no maximum passed, no two
// of one household, and, once the panel is full, every minimum met (the engine's own check).
bool KeepsQuotas(const Inputs& in, int64_t panel_size, const std::vector<int>& holders) {
  if (static_cast<int64_t>(holders.size()) == panel_size)
    return sortition::IsValidPanel(in.categories, in.pool, static_cast<int>(panel_size), holders);
  std::vector<int> count(in.categories.quotas.size(), 0);
  std::set<int> households;
  for (int i : holders) {
    const auto& person = in.pool.people[i];
    for (int q : person.quota) ++count[q];
    if (person.household >= 0 && !households.insert(person.household).second) return false;
  }
  for (size_t q = 0; q < count.size(); ++q)
    if (count[q] > in.categories.quotas[q].max) return false;
  return true;
}

}  // namespace

Result<int64_t> AnswerSeat(db::Database& db, const Assembly& a, int64_t volunteer_id, bool confirm, const SeatHook& on_seat, Env& env) {
  if (!a.drawn()) return Error::Say(ErrorCode::kFailedPrecondition, TING_KEY("assemblies.problem.not_drawn"));
  TING_ASSIGN_OR_RETURN(Inputs in, ParseInputs(a, a.people_csv, a.categories_csv));
  std::map<std::string, int> index;
  for (size_t i = 0; i < in.pool.people.size(); ++i) index[in.pool.people[i].id] = static_cast<int>(i);
  int64_t replacement = 0;
  const int64_t now = env.NowSeconds();
  TING_RETURN_IF_ERROR(db.Write([&](db::Connection& c) -> Status {
    replacement = 0;
    TING_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kVolunteerColumns + " FROM assembly_volunteers WHERE assembly_id = ? ORDER BY reserve_rank, id", {a.id}));
    std::vector<Volunteer> all;
    for (const auto& row : rows) all.push_back(VolunteerFromRow(row));
    auto me = std::find_if(all.begin(), all.end(), [&](const Volunteer& v) { return v.id == volunteer_id; });
    if (me == all.end() || me->seat.empty()) return Error::Say(ErrorCode::kNotFound, TING_KEY("assemblies.problem.no_seat"));
    if (confirm) {
      if (me->seat == "declined") return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.declined"));
      return StatusOf(c.Exec("UPDATE assembly_volunteers SET seat = 'confirmed' WHERE id = ?", {volunteer_id}));
    }
    if (me->seat == "declined") return Status{};
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE assembly_volunteers SET seat = 'declined' WHERE id = ?", {volunteer_id})));
    me->seat = "declined";
    std::vector<int> holders;
    for (const auto& v : all)
      if (HoldsSeat(v) && index.count(v.pseudonym)) holders.push_back(index[v.pseudonym]);
    const Volunteer* chosen = nullptr;
    for (const auto& v : all) {  // in reserve order
      if (v.reserve_rank == 0 || !v.seat.empty() || !index.count(v.pseudonym)) continue;
      std::vector<int> with = holders;
      with.push_back(index[v.pseudonym]);
      std::sort(with.begin(), with.end());
      if (KeepsQuotas(in, a.panel_size, with)) {
        chosen = &v;
        break;
      }
    }
    std::string source = chosen ? (chosen->reserve_rank <= a.panel_size ? "reserve" : "redraw") : "none";
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO assembly_seat_changes(assembly_id, out_pseudonym, in_pseudonym, source, at) VALUES(?, ?, ?, ?, ?)",
                                         {a.id, me->pseudonym, chosen ? chosen->pseudonym : std::string(), source, now})));
    if (!chosen) return {};
    replacement = chosen->id;
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE assembly_volunteers SET seat = 'invited' WHERE id = ?", {chosen->id})));
    Volunteer seated = *chosen;
    seated.seat = "invited";
    return on_seat ? on_seat(c, seated) : Status{};
  }));
  return replacement;
}

json MakeUp(const Assembly& a, const std::vector<Volunteer>& volunteers) {
  json out = json::array();
  for (const auto& f : a.features)
    for (const auto& q : f.values) {
      int64_t seats = 0, pool = 0;
      for (const auto& v : volunteers) {
        auto it = v.answers.find(f.name);
        if (it == v.answers.end() || it->second != q.value) continue;
        ++pool;
        if (HoldsSeat(v)) ++seats;
      }
      json row = {{"feature", f.name}, {"value", q.value}, {"seats", seats}, {"volunteers", pool}, {"min", q.min}, {"max", q.max}};
      if (q.share) row["share"] = *q.share;
      out.push_back(row);
    }
  return out;
}

Result<json> PublicRecord(db::Database& db, const Assembly& a, const std::vector<Volunteer>& volunteers) {
  json out = a.record;
  out["inputs_sha256"] = a.inputs_sha256;
  out["draw_at"] = a.draw_at;
  out["panel_size"] = a.panel_size;
  out["households"] = a.households;
  json changes = json::array();
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT out_pseudonym, in_pseudonym, source, at FROM assembly_seat_changes WHERE assembly_id = ? ORDER BY id", {a.id}));
    for (const auto& r : rows)
      changes.push_back({{"out", r.Str(0)}, {"in", r.Str(1).empty() ? json() : json(r.Str(1))}, {"source", r.Str(2)}, {"at", r.Int(3)}});
    return {};
  }));
  out["seat_changes"] = changes;
  std::map<std::string, std::string> by_pseudonym;  // sorted: the order says nothing of who registered first
  for (const auto& v : volunteers)
    if (!v.seat.empty()) by_pseudonym[v.pseudonym] = v.seat;
  json seats = json::array();
  for (const auto& [p, seat] : by_pseudonym) seats.push_back({{"pseudonym", p}, {"seat", seat}});
  out["seats"] = seats;
  out["make_up"] = MakeUp(a, volunteers);
  return out;
}

std::string SeatKey(const std::string& secret, int64_t assembly_id, int64_t volunteer_id) {
  return HmacSha256Hex(secret, "seat:" + std::to_string(assembly_id) + ":" + std::to_string(volunteer_id)).substr(0, 32);
}

}  // namespace ting::components::assemblies

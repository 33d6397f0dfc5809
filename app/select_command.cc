// `ting select`: computes a fair distribution over valid panels (LEXIMIN by default) with the
// ting::sortition engine, draws one panel from a published seed, and prints it with every
// person's selection probability, the distribution and the inputs' digest.

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "commands.h"
#include "flags.h"
#include "ting/base/strings.h"
#include "ting/sortition/pool.h"
#include "ting/sortition/selection.h"

namespace ting::app {
namespace {

constexpr const char* kSelectHelp =
    "usage: ting select --people people.csv --categories categories.csv --panel N --id-column COL\n"
    "                   [--address-columns A,B] [--algorithm leximin|maximin|legacy] [--seed S] [--json]\n"
    "\n"
    "Draws a citizens' assembly panel of N people from a pool under demographic quotas.\n"
    "\n"
    "flags:\n"
    "  --people FILE         the pool: an id column, one column per feature, any other columns\n"
    "  --categories FILE     quotas: feature,value,min,max[,min_flex,max_flex]\n"
    "                        (or the old header category,name,min,max)\n"
    "  --panel N             panel size\n"
    "  --id-column COL       the column of people.csv holding a unique id\n"
    "  --address-columns A,B people sharing all these columns are one household: at most one\n"
    "                        of them may be selected\n"
    "  --algorithm A         leximin (default): maximise the smallest selection probability, then\n"
    "                        the next smallest, ...; maximin: only the smallest; legacy: the\n"
    "                        Sortition Foundation's greedy draw (probabilities estimated)\n"
    "  --seed S              the published seed of the draw (any text, e.g. lottery numbers);\n"
    "                        default 0. Same seed and inputs -> same panel, on any machine.\n"
    "  --json                print JSON instead of text\n"
    "  --help                this text\n"
    "\n"
    "exit codes: 0 panel drawn, 1 bad input files, 2 bad flags, 3 infeasible quotas (the conflicts\n"
    "and the smallest relaxation within min_flex/max_flex are printed), 4 internal solver failure\n";

std::string Num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", x);
  return buf;
}

std::string IdList(const sortition::Pool& pool, const std::vector<int>& members) {
  std::string s = "[";
  for (size_t i = 0; i < members.size(); ++i) {
    if (i) s += ",";
    s += JsonQuote(pool.people[members[i]].id);
  }
  return s + "]";
}

int Infeasible(const sortition::Categories& cats, const sortition::Pool& pool, int panel, bool json,
               const std::string& why) {
  auto relaxation = sortition::FindRelaxation(cats, pool, panel);
  if (!relaxation.ok()) {
    std::cerr << "ting select: " << relaxation.error().message << "\n";
    return 4;
  }
  const auto& r = *relaxation;
  if (json) {
    std::string s = "{\"error\":\"infeasible\",\"message\":" + JsonQuote(why) + ",\"conflicts\":[";
    for (size_t i = 0; i < r.conflicts.size(); ++i) {
      if (i) s += ",";
      s += JsonQuote(r.conflicts[i]);
    }
    s += "],\"conflicting_quotas\":[";
    for (size_t i = 0; i < r.conflicting_quotas.size(); ++i) {
      const auto& q = cats.quotas[r.conflicting_quotas[i]];
      s += std::string(i ? "," : "") + "{\"feature\":" + JsonQuote(cats.features[q.feature]) +
           ",\"value\":" + JsonQuote(q.value) + ",\"min\":" + std::to_string(q.min) +
           ",\"max\":" + std::to_string(q.max) + "}";
    }
    s += "],\"relaxable\":" + std::string(r.relaxable ? "true" : "false") + ",\"relaxation\":[";
    for (size_t i = 0; i < r.changes.size(); ++i) {
      const auto& c = r.changes[i];
      const auto& q = cats.quotas[c.quota];
      s += std::string(i ? "," : "") + "{\"feature\":" + JsonQuote(cats.features[q.feature]) +
           ",\"value\":" + JsonQuote(q.value) + ",\"old_min\":" + std::to_string(c.old_min) +
           ",\"old_max\":" + std::to_string(c.old_max) + ",\"min\":" + std::to_string(c.new_min) +
           ",\"max\":" + std::to_string(c.new_max) + "}";
    }
    std::cout << s << "]}\n";
  } else {
    std::cout << "infeasible: " << why << "\nconflicts:\n";
    for (const auto& c : r.conflicts) std::cout << "  " << c << "\n";
    if (r.relaxable) {
      std::cout << "smallest relaxation within min_flex/max_flex:\n";
      for (const auto& c : r.changes) {
        const auto& q = cats.quotas[c.quota];
        std::cout << "  " << cats.features[q.feature] << "," << q.value << ": min " << c.old_min << " -> "
                  << c.new_min << ", max " << c.old_max << " -> " << c.new_max << "\n";
      }
    } else {
      std::cout << "no relaxation within min_flex/max_flex admits a panel\n";
    }
  }
  return 3;
}

}  // namespace

int RunSelect(const Args& args) {
  FlagSpec spec;
  spec.with_value = {"people", "categories", "panel", "id-column", "address-columns", "algorithm", "seed"};
  spec.switches = {"json", "help"};
  auto flags = Flags::Parse(args, spec);
  if (!flags.ok()) return UsageError("select", flags.error().message);
  if (flags->Has("help")) {
    std::cout << kSelectHelp;
    return 0;
  }
  if (!flags->positional().empty()) return UsageError("select", "unexpected argument '" + flags->positional()[0] + "'");
  for (const char* required : {"people", "categories", "panel", "id-column"}) {
    if (!flags->Has(required)) return UsageError("select", std::string("--") + required + " is required (see --help)");
  }
  auto panel = ParseInt64(*flags->Get("panel"));
  if (!panel || *panel <= 0 || *panel > 1000000) return UsageError("select", "--panel must be a positive integer");
  sortition::SelectionOptions options;
  options.panel_size = static_cast<int>(*panel);
  const std::string algorithm = flags->GetOr("algorithm", "leximin");
  if (algorithm == "leximin") {
    options.algorithm = sortition::Algorithm::kLeximin;
  } else if (algorithm == "maximin") {
    options.algorithm = sortition::Algorithm::kMaximin;
  } else if (algorithm == "legacy") {
    options.algorithm = sortition::Algorithm::kLegacy;
  } else {
    return UsageError("select", "--algorithm must be leximin, maximin or legacy");
  }
  std::vector<std::string> address_columns;
  if (auto a = flags->Get("address-columns"); a && !Trim(*a).empty()) {
    for (auto part : Split(*a, ',')) address_columns.emplace_back(Trim(part));
  }
  const std::string seed = flags->GetOr("seed", "0");
  const std::string id_column = *flags->Get("id-column");
  const bool json = flags->Has("json");

  const std::string categories_path = *flags->Get("categories"), people_path = *flags->Get("people");
  auto categories_text = ReadFile(categories_path);
  if (!categories_text.ok()) return std::cerr << "ting select: " << categories_text.error().message << "\n", 1;
  auto people_text = ReadFile(people_path);
  if (!people_text.ok()) return std::cerr << "ting select: " << people_text.error().message << "\n", 1;
  auto cats = sortition::ParseCategories(*categories_text, categories_path);
  if (!cats.ok()) return std::cerr << "ting select: " << cats.error().message << "\n", 1;
  auto pool = sortition::ParsePeople(*people_text, people_path, *cats, id_column, address_columns);
  if (!pool.ok()) return std::cerr << "ting select: " << pool.error().message << "\n", 1;
  if (auto st = sortition::CheckQuotas(*cats, *pool, options.panel_size); !st.ok()) {
    return std::cerr << "ting select: " << st.error().message << "\n", 1;
  }
  const std::string digest =
      sortition::InputsDigest(*cats, *pool, options.panel_size, id_column, address_columns);
  options.progress = [](const std::string& line) { std::cerr << "ting select: " << line << "\n"; };

  auto selection = sortition::Select(*cats, *pool, options);
  if (!selection.ok()) {
    if (selection.error().code == ErrorCode::kInfeasible) {
      return Infeasible(*cats, *pool, options.panel_size, json, selection.error().message);
    }
    std::cerr << "ting select: " << selection.error().message << "\n";
    return 4;
  }
  DeterministicRng rng(seed);
  auto drawn = sortition::DrawPanel(*cats, *pool, options, *selection, rng);
  if (!drawn.ok()) {
    std::cerr << "ting select: " << drawn.error().message << "\n";
    return drawn.error().code == ErrorCode::kInfeasible ? 3 : 4;
  }
  const auto& sel = *selection;
  if (json) {
    std::ostringstream s;
    s << "{\"algorithm\":" << JsonQuote(sortition::AlgorithmName(options.algorithm))
      << ",\"panel\":" << IdList(*pool, *drawn) << ",\"probabilities\":{";
    for (size_t i = 0; i < pool->people.size(); ++i) {
      s << (i ? "," : "") << JsonQuote(pool->people[i].id) << ":" << Num(sel.probabilities[i]);
    }
    s << "},\"min_probability\":" << Num(sel.min_probability) << ",\"distribution\":[";
    for (size_t j = 0; j < sel.distribution.size(); ++j) {
      s << (j ? "," : "") << "{\"p\":" << Num(sel.distribution[j].p)
        << ",\"panel\":" << IdList(*pool, sel.distribution[j].members) << "}";
    }
    s << "],\"seed\":" << JsonQuote(seed) << ",\"inputs_sha256\":" << JsonQuote(digest);
    if (options.algorithm == sortition::Algorithm::kLegacy) {
      s << ",\"probabilities_estimated_from_runs\":" << options.legacy_estimation_runs;
    } else {
      s << ",\"final_gap\":" << Num(sel.final_gap)
        << ",\"method\":" << JsonQuote(sel.via_relaxation ? "relaxation" : "column_generation");
    }
    s << ",\"seconds\":" << Num(sel.seconds) << "}\n";
    std::cout << s.str();
    return 0;
  }
  std::cout << "algorithm: " << sortition::AlgorithmName(options.algorithm) << "\n"
            << "inputs_sha256: " << digest << "\nseed: " << seed << "\n\npanel (" << drawn->size() << "):\n";
  for (int i : *drawn) std::cout << "  " << pool->people[i].id << "\n";
  std::cout << "\nminimum selection probability: " << Num(sel.min_probability) << "\n";
  if (options.algorithm == sortition::Algorithm::kLegacy) {
    std::cout << "(probabilities estimated from " << options.legacy_estimation_runs << " greedy runs)\n";
  } else {
    std::cout << "final optimality gap: " << Num(sel.final_gap) << "\n"
              << "method: "
              << (sel.via_relaxation ? "LEXIMIN of the LP relaxation, written as a lottery of panels (so optimal)"
                                     : "column generation over panels")
              << "\n";
  }
  std::cout << "\nselection probabilities:\n";
  for (size_t i = 0; i < pool->people.size(); ++i) {
    std::cout << "  " << pool->people[i].id << " " << Num(sel.probabilities[i]) << "\n";
  }
  if (!sel.distribution.empty()) {
    std::cout << "\ndistribution (" << sel.distribution.size() << " panels):\n";
    for (const auto& wp : sel.distribution) {
      std::cout << "  p=" << Num(wp.p) << ":";
      for (int i : wp.members) std::cout << " " << pool->people[i].id;
      std::cout << "\n";
    }
  }
  return 0;
}

}  // namespace ting::app

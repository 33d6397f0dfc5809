// Prints, per data set and algorithm, Ting's time, the reference's time (sortition-algorithms +
// HiGHS, or Gurobi for the paper's LEXIMIN on example_large_2000) and the ratio, plus how close
// the probabilities are to the reference's.
//
// usage: select_bench [DATA_DIR] [--algorithms leximin,maximin,legacy] [--only NAME] [-v]
//                     [--column-generation]   (skip the LP-relaxation path, for comparison)
// DATA_DIR defaults to tests/data/sortition; it must hold <name>/ folders and expected/.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ting/base/strings.h"
#include "ting/sortition/pool.h"
#include "ting/sortition/selection.h"

using namespace ting;
using namespace ting::sortition;

int main(int argc, char** argv) {
  std::string dir = std::string(TING_SOURCE_DIR) + "/tests/data/sortition";
  std::vector<std::string> algorithms = {"leximin", "maximin"};
  std::string only;
  bool verbose = false;
  bool column_generation_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--algorithms" && i + 1 < argc) {
      algorithms.clear();
      for (auto p : Split(argv[++i], ',')) algorithms.emplace_back(p);
    } else if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else if (a == "--column-generation") {
      column_generation_only = true;
    } else if (a == "-v") {
      verbose = true;
    } else {
      dir = a;
    }
  }
  const std::vector<std::string> sets = {"sf_fixture_150", "example_small_200", "se_synth_malmo_208",
                                         "example_large_2000", "se_synth_1000"};
  std::printf("%-20s %-8s %10s %10s %9s %10s %10s %10s %6s %6s %s\n", "data set", "algo", "ting_s", "ref_s",
              "ref/ting", "min_ting", "min_ref", "max_dev", "types", "gap", "method");
  for (const auto& name : sets) {
    if (!only.empty() && name != only) continue;
    const std::string base = dir + "/" + name;
    auto meta_text = ReadFile(base + "/meta.json");
    auto expected_text = ReadFile(dir + "/expected/" + name + ".json");
    if (!meta_text.ok() || !expected_text.ok()) {
      std::printf("%-20s missing files in %s\n", name.c_str(), base.c_str());
      continue;
    }
    auto meta = nlohmann::json::parse(*meta_text);
    auto expected = nlohmann::json::parse(*expected_text);
    std::vector<std::string> address;
    for (auto& a : meta["address_columns"]) address.push_back(a.get<std::string>());
    auto cats = ParseCategories(*ReadFile(base + "/categories.csv"), "categories.csv");
    if (!cats.ok()) return std::fprintf(stderr, "%s\n", cats.error().message.c_str()), 1;
    auto pool = ParsePeople(*ReadFile(base + "/people.csv"), "people.csv", *cats, meta["id_column"], address);
    if (!pool.ok()) return std::fprintf(stderr, "%s\n", pool.error().message.c_str()), 1;
    for (const auto& algo : algorithms) {
      SelectionOptions options;
      options.panel_size = meta["panel_size"];
      options.algorithm = algo == "maximin" ? Algorithm::kMaximin
                          : algo == "legacy" ? Algorithm::kLegacy : Algorithm::kLeximin;
      options.legacy_estimation_runs = 1;
      options.try_relaxation = !column_generation_only;
      if (verbose) options.progress = [](const std::string& l) { std::fprintf(stderr, "  %s\n", l.c_str()); };
      const auto start = std::chrono::steady_clock::now();
      auto sel = Select(*cats, *pool, options);
      double ting_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!sel.ok()) {
        std::printf("%-20s %-8s error: %s\n", name.c_str(), algo.c_str(), sel.error().message.c_str());
        continue;
      }
      const auto& ref = expected.contains(algo) ? expected[algo] : nlohmann::json();
      double ref_s = NAN, min_ref = NAN, max_dev = NAN;
      if (ref.is_object()) {
        if (ref.contains("wall_time_s")) ref_s = ref["wall_time_s"];
        if (ref.contains("wall_time_s_single_draw")) ref_s = ref["wall_time_s_single_draw"];
        if (ref.contains("min_selection_probability")) min_ref = ref["min_selection_probability"];
        if (algo == "leximin" && ref.contains("marginals")) {
          max_dev = 0;
          for (size_t i = 0; i < pool->people.size(); ++i) {
            const auto& id = pool->people[i].id;
            if (!ref["marginals"].contains(id)) continue;
            max_dev = std::max(max_dev, std::fabs(sel->probabilities[i] - ref["marginals"][id].get<double>()));
          }
        }
      }
      // LEXIMIN's minimum is MAXIMIN's optimum: where the reference's LEXIMIN did not finish
      // (se_synth_1000), its MAXIMIN minimum is the one to match.
      if (algo == "leximin" && std::isnan(min_ref) && expected.contains("maximin") &&
          expected["maximin"].contains("min_selection_probability")) {
        min_ref = expected["maximin"]["min_selection_probability"];
      }
      std::printf("%-20s %-8s %10.3f %10.3f %9.1f %10.6f %10.6f %10.2e %6d %6.0e %s\n", name.c_str(), algo.c_str(),
                  ting_s, ref_s, ref_s / ting_s, sel->min_probability, min_ref, max_dev, sel->num_types,
                  sel->final_gap, algo == "legacy" ? "greedy" : sel->via_relaxation ? "relaxation" : "column-gen");
      if (verbose) std::printf("   lp solves %d, exact pricing solves %d, leximin steps %d\n", sel->lp_solves, sel->pricing_solves, sel->leximin_steps);
      std::fflush(stdout);
    }
  }
  return 0;
}

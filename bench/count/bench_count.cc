// Times every rule of the pabutools reference on every Pabulib file and prints Ting's time,
// pabutools' time (time_s in expected/*.json, the rule alone), and the ratio.
//   usage: bench_count [DATA_DIR]   (default: tests/data/pabulib in the source tree)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ting/pb/count.h"
#include "ting/pb/pabulib.h"

namespace {

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// Best of several runs (at least 3, and at least ~0.2 s of runs when they are short): wall
// time, and the CPU time of the same run (what a shared, overloaded machine cannot inflate
// as much).
double g_cpu = 0;
template <typename F>
double Time(F&& f) {
  double best = 1e30, spent = 0;
  for (int i = 0; i < 3 || (spent < 0.2 && i < 50); ++i) {
    auto t0 = std::chrono::steady_clock::now();
    double c0 = ThreadCpuSeconds();
    f();
    double t = Seconds(std::chrono::steady_clock::now() - t0);
    double c = ThreadCpuSeconds() - c0;
    if (t < best) {
      best = t;
      g_cpu = c;
    }
    spent += t;
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using namespace ting::pb;
  std::string dir = argc > 1 ? argv[1] : std::string(TING_SOURCE_DIR) + "/tests/data/pabulib";
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir + "/expected")) files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  double ting_total = 0, pabutools_total = 0, ting_all = 0, ting_cpu_total = 0;
  int pairs = 0, timeouts = 0, mismatches = 0;
  std::printf("%-58s %-24s %12s %12s %12s %10s\n", "file", "rule", "ting_s", "ting_cpu_s", "pabutools_s",
              "ratio");
  for (const auto& path : files) {
    std::ifstream in(path);
    nlohmann::json expected = nlohmann::json::parse(in);
    std::string name = expected["file"];
    Election election;
    double parse = Time([&] {
      auto e = ReadPabulibFile(dir + "/" + name);
      if (!e.ok()) {
        std::fprintf(stderr, "%s\n", e.error().message.c_str());
        std::exit(1);
      }
      election = std::move(*e);
    });
    std::printf("%-58s %-24s %12.6f %12.6f %12.6f %9.0fx\n", name.c_str(), "(read file)", parse, g_cpu,
                expected["parse_time_s"].get<double>(), expected["parse_time_s"].get<double>() / parse);
    for (auto& [key, rule] : expected["rules"].items()) {
      auto options = ParseRuleKey(key);
      if (!options.ok()) continue;
      Outcome outcome;
      double t = Time([&] { outcome = *Count(election, *options); });
      const double cpu = g_cpu;
      ting_all += t;
      std::vector<std::string> got;
      for (int j : outcome.selected) got.push_back(election.projects[j].id);
      if (rule["status"] != "ok") {
        ++timeouts;
        std::printf("%-58s %-24s %12.6f %12.6f %12s %10s\n", name.c_str(), key.c_str(), t, cpu, "timeout", "-");
        continue;
      }
      auto want = rule["selected"].get<std::vector<std::string>>();
      if (key == "phragmen") std::sort(got.begin(), got.end());
      bool same = got == want;
      mismatches += !same;
      double theirs = rule["time_s"].get<double>();
      ting_total += t;
      ting_cpu_total += cpu;
      pabutools_total += theirs;
      ++pairs;
      std::printf("%-58s %-24s %12.6f %12.6f %12.6f %9.0fx%s\n", name.c_str(), key.c_str(), t, cpu, theirs,
                  theirs / t, same ? "" : "  OUTCOME DIFFERS");
    }
  }
  std::printf("\ntotal over %d file x rule pairs with a reference: ting %.3f s (cpu %.3f s), pabutools %.1f s, "
              "ratio %.0fx (by cpu %.0fx)\n",
              pairs, ting_total, ting_cpu_total, pabutools_total, pabutools_total / ting_total,
              pabutools_total / ting_cpu_total);
  std::printf("including %d pairs pabutools did not finish (timeout): ting %.3f s for all %d pairs\n", timeouts,
              ting_all, pairs + timeouts);
  std::printf("outcomes differing from pabutools: %d\n", mismatches);
  return mismatches == 0 ? 0 : 1;
}

// libFuzzer target for the Pabulib reader: any input either parses or yields an error naming
// its line; whatever parses writes back to text that parses to the same election, and small
// elections count under every rule without crashing or breaking the budget.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ting/pb/count.h"
#include "ting/pb/pabulib.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "property violated: %s\n", what);
    abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ting::pb;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto e = ParsePabulib(input, "fuzz.pb");
  if (!e.ok()) {
    Check(e.error().message.rfind("fuzz.pb:", 0) == 0, "error does not name the file");
    return 0;
  }
  std::string text = WritePabulib(*e);
  auto again = ParsePabulib(text, "rewritten.pb");
  Check(again.ok(), "written file does not parse");
  Check(WritePabulib(*again) == text, "write/read/write not stable");
  Check(again->ballot_projects == e->ballot_projects, "ballots changed in round trip");
  if (e->projects.size() > 12 || e->NumVoters() > 40) return 0;
  for (const char* key : {"greedy", "phragmen", "mes_cost", "mes_card", "mes_cost_greedy", "mes_cost_add1",
                          "mes_cost_add1_nx_greedy", "mes_score_add1"}) {
    auto o = ParseRuleKey(key);
    Check(o.ok(), "rule key");
    auto out = Count(*e, *o);
    if (!out.ok()) continue;  // e.g. points utility on approval ballots
    Check(out->total_cost <= e->budget, "over budget");
    // Explanations re-run MES with rationals; keep them to single runs so the fuzzer stays fast.
    if (o->completion != Completion::kNone && o->completion != Completion::kGreedy) continue;
    CountOptions explained = *o;
    explained.explain = true;
    explained.tie = TieBreak::kCost;
    auto why = Count(*e, explained);
    Check(why.ok() && why->total_cost <= e->budget, "explained count failed");
    Check(why->projects.size() == e->projects.size(), "one report per project");
  }
  return 0;
}

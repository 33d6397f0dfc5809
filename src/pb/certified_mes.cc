#include "certified_mes.h"

#include <algorithm>
#include <limits>
#include <map>

namespace ting::pb::internal {
namespace {

constexpr int64_t kMaxSigmaTotal = int64_t{1} << 40;
constexpr int64_t kMaxSigma = int64_t{1} << 20;
constexpr int64_t kNoSpreadBound = int64_t{1} << 62;  // too wide for the spread shortcut

int BitLength(const mpz_class& v) { return v == 0 ? 0 : static_cast<int>(mpz_sizeinbase(v.get_mpz_t(), 2)); }

mpz_class ToMpz(__int128 v) {
  bool negative = v < 0;
  unsigned __int128 u = negative ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  mpz_class hi(static_cast<unsigned long>(static_cast<uint64_t>(u >> 64)));
  mpz_class lo(static_cast<unsigned long>(static_cast<uint64_t>(u)));
  mpz_class r = (hi << 64) + lo;
  return negative ? mpz_class(-r) : r;
}

// Sign of a1*a2*a3 - b1*b2*b3, exactly.
int CompareProducts(__int128 a1, int64_t a2, int64_t a3, __int128 b1, int64_t b2, int64_t b3) {
  __int128 x, y;
  if (!__builtin_mul_overflow(a1, static_cast<__int128>(a2), &x) &&
      !__builtin_mul_overflow(x, static_cast<__int128>(a3), &x) &&
      !__builtin_mul_overflow(b1, static_cast<__int128>(b2), &y) &&
      !__builtin_mul_overflow(y, static_cast<__int128>(b3), &y)) {
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  mpz_class l = ToMpz(a1) * static_cast<long>(a2) * static_cast<long>(a3);
  mpz_class r = ToMpz(b1) * static_cast<long>(b2) * static_cast<long>(b3);
  return cmp(l, r) < 0 ? -1 : (cmp(l, r) > 0 ? 1 : 0);
}


__int128 CeilDiv(__int128 a, int64_t b) {  // a >= 0, b > 0
  return (a + b - 1) / b;
}

}  // namespace

CertifiedMes::CertifiedMes(const Profile& profile) : p_(profile) {
  const int m = p_.num_projects;
  entries_.resize(m);
  unit_.assign(m, 1);
  sigma_total_.assign(m, 0);
  weight_total_.assign(m, 0);
  uniform_sigma_.assign(m, 1);
  next_duplicate_.assign(m, -1);
  is_representative_.assign(m, 0);
  for (int j = 0; j < m; ++j) {
    const auto& sup = p_.supporters[j];
    if (sup.empty()) continue;
    int64_t unit = p_.uniform_sat ? sup[0].sat : 1;
    unit_[j] = unit;
    __int128 total = 0;
    for (const auto& s : sup) {
      int64_t sigma = s.sat / unit;
      const int64_t w = p_.weight[s.group];
      if (sigma * unit != s.sat || sigma > kMaxSigma || w > INT32_MAX) usable_ = false;
      if (sigma != 1) uniform_sigma_[j] = 0;
      entries_[j].push_back({s.group, static_cast<int32_t>(w), static_cast<int32_t>(sigma)});
      weight_total_[j] += w;
      total += static_cast<__int128>(p_.weight[s.group]) * sigma;
    }
    if (total >= kMaxSigmaTotal) usable_ = false;
    sigma_total_[j] = static_cast<int64_t>(total);
    if (total > 0) {
      if (p_.cost[j] > 0) {
        eligible_.push_back(j);
      } else {
        free_.push_back(j);
      }
    }
  }
  std::sort(free_.begin(), free_.end(), [&](int a, int b) { return p_.tie_rank[a] < p_.tie_rank[b]; });
  // Projects with the same cost and the same supporters (and satisfactions) always have the
  // same price, so only the first of them in tie order can ever win; it stands for all.
  std::map<std::pair<uint64_t, int64_t>, std::vector<std::vector<int>>> by_hash;
  for (int j : eligible_) {
    uint64_t h = static_cast<uint64_t>(unit_[j]) * 0x9e3779b97f4a7c15ULL;
    for (const auto& e : entries_[j]) {
      h = (h ^ static_cast<uint64_t>(e.group)) * 0xbf58476d1ce4e5b9ULL;
      h = (h ^ static_cast<uint64_t>(e.sigma)) * 0x94d049bb133111ebULL;
    }
    auto& buckets = by_hash[{h, p_.cost[j]}];
    bool placed = false;
    for (auto& members : buckets) {
      const int r = members[0];
      const auto& a = entries_[r];
      const auto& b = entries_[j];
      if (unit_[r] == unit_[j] && a.size() == b.size() &&
          std::equal(a.begin(), a.end(), b.begin(), [](const Entry& x, const Entry& y) {
            return x.group == y.group && x.sigma == y.sigma;
          })) {
        members.push_back(j);
        placed = true;
        break;
      }
    }
    if (!placed) buckets.push_back({j});
  }
  std::vector<std::vector<int>> classes;
  for (auto& [key, buckets] : by_hash) {
    for (auto& members : buckets) classes.push_back(std::move(members));
  }
  for (auto& members : classes) {
    std::sort(members.begin(), members.end(), [&](int a, int b) { return p_.tie_rank[a] < p_.tie_rank[b]; });
    is_representative_[members[0]] = 1;
    for (size_t i = 0; i + 1 < members.size(); ++i) next_duplicate_[members[i]] = members[i + 1];
  }
}

bool CertifiedMes::Evaluate(int j, const std::vector<int64_t>& budget, Price* price) {
  const auto& es = entries_[j];
  poor_.resize(es.size());
  if (!uniform_sigma_[j]) std::fill(poor_.begin(), poor_.end(), 0);
  near_.clear();
  const __int128 num0 = static_cast<__int128>(p_.cost[j]) << shift_;
  const int64_t den0 = sigma_total_[j];
  const bool uniform = uniform_sigma_[j];
  // First pass at the lowest possible price c / total: who is poor for sure, and who might be
  // (less than twice that share left); only those are looked at again while the price rises.
  __int128 poor_money = 0;
  int64_t poor_sigma = 0;
  if (uniform) {
    // v * den0 < num0  <=>  v < ceil(num0 / den0): one division, then 64-bit compares.
    const __int128 t1 = CeilDiv(num0, den0), t2 = CeilDiv(2 * num0, den0);
    const int64_t first = t1 > INT64_MAX ? INT64_MAX : static_cast<int64_t>(t1);
    const int64_t twice = t2 > INT64_MAX ? INT64_MAX : static_cast<int64_t>(t2);
    // Branch-free: which budgets are poor is data, not a pattern the CPU can predict.
    near_.resize(es.size());
    size_t near_count = 0;
    for (size_t k = 0; k < es.size(); ++k) {
      const Entry& e = es[k];
      const int64_t v = budget[e.group];
      const bool poor = v < first;
      poor_[k] = poor;
      const int64_t w = poor ? e.weight : 0;
      poor_sigma += w;  // sigma is 1
      // v < first <= 2^62 and w < 2^31: accumulate in 128 bits to be safe.
      poor_money += static_cast<__int128>(w) * v;
      near_[near_count] = static_cast<int32_t>(k);
      near_count += !poor && v < twice;
    }
    near_.resize(near_count);
  } else {
    for (size_t k = 0; k < es.size(); ++k) {
      const Entry& e = es[k];
      const int64_t v = budget[e.group];
      const __int128 lhs = static_cast<__int128>(v) * den0;
      const __int128 share = num0 * e.sigma;
      if (lhs < share) {
        poor_[k] = 1;
        poor_money += static_cast<__int128>(e.weight) * v;
        poor_sigma += static_cast<int64_t>(e.weight) * e.sigma;
      } else if (lhs < 2 * share) {
        near_.push_back(static_cast<int32_t>(k));
      }
    }
  }
  __int128 num = num0 - poor_money;
  int64_t den = den0 - poor_sigma;
  if (den == 0) return false;
  auto settle = [&](auto&& indices) {
    while (true) {
      bool changed = false;
      for (size_t k : indices) {
        if (poor_[k]) continue;
        const Entry& e = es[k];
        const int64_t v = budget[e.group];
        // Poor: cannot pay price * sigma, so pays everything it has.
        bool poor = uniform ? static_cast<__int128>(v) * den < num
                            : static_cast<__int128>(v) * den < num * e.sigma;
        if (poor) {
          poor_[k] = 1;
          changed = true;
          num -= static_cast<__int128>(e.weight) * v;
          den -= static_cast<int64_t>(e.weight) * e.sigma;
          if (den == 0) return false;
        }
      }
      if (!changed) return true;
    }
  };
  if (!settle(near_)) return false;
  // Entries left out had at least twice the first price's share; if the price has not doubled
  // they are rich. Otherwise look at everyone.
  if (CompareProducts(num, den0, 1, 2 * num0, den, 1) > 0) {
    all_.resize(es.size());
    for (size_t k = 0; k < es.size(); ++k) all_[k] = k;
    if (!settle(all_)) return false;
  }
  price->num = num;
  price->den = den;
  return true;
}

int CertifiedMes::CompareRho(const Price& a, int ja, const Price& b, int jb) const {
  // rho = num / (den * unit)
  return CompareProducts(a.num, b.den, unit_[jb], b.num, a.den, unit_[ja]);
}

std::optional<std::vector<int>> CertifiedMes::Run(const mpq_class& b_lo, const mpq_class& b_hi) {
  bool single = false;
  auto outcomes = Outcomes(b_lo, b_hi, 1, &single);
  if (!outcomes || !single || outcomes->size() != 1) return std::nullopt;
  return std::move(outcomes->front());
}

std::optional<std::vector<std::vector<int>>> CertifiedMes::Outcomes(const mpq_class& b_lo,
                                                                    const mpq_class& b_hi,
                                                                    size_t max_outcomes,
                                                                    bool* single_path) {
  if (!usable_) return std::nullopt;
  mpz_class top = b_hi.get_num() / b_hi.get_den() + 1;
  int64_t max_cost = 1;
  for (int j : eligible_) max_cost = std::max(max_cost, p_.cost[j]);
  shift_ = std::min({61 - BitLength(top), 100 - BitLength(mpz_class(static_cast<long>(max_cost))), 48});
  if (shift_ < 8) return std::nullopt;
  mpz_class scale = mpz_class(1) << shift_;
  mpz_class lo0 = (b_lo.get_num() * scale) / b_lo.get_den();  // floor (b >= 0)
  mpz_class hi_num = b_hi.get_num() * scale;
  mpz_class hi0 = (hi_num + b_hi.get_den() - 1) / b_hi.get_den();  // ceil
  if (!lo0.fits_slong_p() || !hi0.fits_slong_p()) return std::nullopt;
  State state;
  state.lo.assign(p_.weight.size(), lo0.get_si());
  state.hi.assign(p_.weight.size(), hi0.get_si());
  state.selected = free_;
  state.spread = state.hi.empty() ? 0 : state.hi[0] - state.lo[0];
  state.unsorted = SIZE_MAX;
  state.stale.resize(p_.num_projects);
  for (int j : eligible_) {
    if (!is_representative_[j]) continue;
    state.candidates.push_back(j);
    state.stale[j] = {static_cast<__int128>(p_.cost[j]) << shift_, sigma_total_[j]};  // c / total: a lower bound
  }
  std::vector<std::vector<int>> outcomes;
  bool single = true;
  if (!Explore(state, &outcomes, max_outcomes, &single)) return std::nullopt;
  if (single_path) *single_path = single;
  return outcomes;
}

void CertifiedMes::Buy(State& s, int j, bool surely_affordable, const Price& low, const Price& high) {
  // Everyone pays price * sigma or all they have; bounded from both sides. Where j is only
  // affordable for some budgets, the poorest may have to give everything.
  const auto& es = entries_[j];
  // Payments are saturated at 2^62: budgets stay below 2^61, so anything larger empties them.
  auto saturate = [](__int128 v) { return static_cast<int64_t>(std::min<__int128>(v, kNoSpreadBound)); };
  if (uniform_sigma_[j]) {
    const int64_t pay_high = surely_affordable ? saturate(CeilDiv(high.num, high.den)) : kNoSpreadBound;
    const int64_t pay_low = saturate(low.num / low.den);
    s.spread = surely_affordable ? saturate(static_cast<__int128>(s.spread) + (pay_high - pay_low)) : kNoSpreadBound;
    for (const auto& e : es) {
      s.lo[e.group] = std::max<int64_t>(0, s.lo[e.group] - pay_high);
      s.hi[e.group] = std::max<int64_t>(0, s.hi[e.group] - pay_low);
    }
  } else {
    __int128 widening = 0;
    for (const auto& e : es) {
      const int64_t pay_high = surely_affordable ? saturate(CeilDiv(high.num * e.sigma, high.den)) : kNoSpreadBound;
      const int64_t pay_low = saturate(low.num * e.sigma / low.den);
      widening = std::max<__int128>(widening, pay_high - pay_low);
      s.lo[e.group] = std::max<int64_t>(0, s.lo[e.group] - pay_high);
      s.hi[e.group] = std::max<int64_t>(0, s.hi[e.group] - pay_low);
    }
    s.spread = surely_affordable ? saturate(s.spread + widening) : kNoSpreadBound;
  }
  s.selected.push_back(j);
  auto at = std::find(s.candidates.begin(), s.candidates.end(), j);
  if (static_cast<size_t>(at - s.candidates.begin()) < s.unsorted) --s.unsorted;
  s.candidates.erase(at);
  int next = next_duplicate_[j];
  if (next >= 0) {
    s.candidates.push_back(next);
    s.stale[next] = low;
    s.unsorted = s.candidates.size();
  }
}

void CertifiedMes::Merge(State& into, const State& other) const {
  // The hull of two states with the same funded set: bounds that hold for every budget
  // following either path.
  int64_t spread = 0;
  for (size_t g = 0; g < into.lo.size(); ++g) {
    into.lo[g] = std::min(into.lo[g], other.lo[g]);
    into.hi[g] = std::max(into.hi[g], other.hi[g]);
    spread = std::max(spread, into.hi[g] - into.lo[g]);
  }
  into.spread = spread;
  for (int j : other.candidates) {
    if (std::find(into.candidates.begin(), into.candidates.end(), j) == into.candidates.end()) {
      into.candidates.push_back(j);
      into.stale[j] = other.stale[j];
      into.unsorted = into.candidates.size();
    } else if (CompareRho(other.stale[j], j, into.stale[j], j) < 0) {
      into.stale[j] = other.stale[j];
      into.unsorted = into.candidates.size();
    }
  }
}

bool CertifiedMes::Round(State& s, std::vector<Choice>* winners, bool* may_end) {
  // Only the first `unsorted` candidates (those evaluated last round, whose lower bounds
  // rose) can be out of order; sort them and merge them into the rest.
  auto by_price = [&](int a, int b) {
    int c = CompareRho(s.stale[a], a, s.stale[b], b);
    return c != 0 ? c < 0 : p_.tie_rank[a] < p_.tie_rank[b];
  };
  const size_t unsorted = std::min(s.unsorted, s.candidates.size());
  std::sort(s.candidates.begin(), s.candidates.begin() + unsorted, by_price);
  std::inplace_merge(s.candidates.begin(), s.candidates.begin() + unsorted, s.candidates.end(), by_price);
  size_t evaluated = 0;
  seen_.clear();
  int best = -1;
  Price best_high;
  std::vector<int> unaffordable;
  for (int j : s.candidates) {
    if (best >= 0 && CompareRho(s.stale[j], j, best_high, best) > 0) break;
    ++evaluated;
    Price high, low;
    bool affordable_low = Evaluate(j, s.lo, &high);  // poorest budgets: highest price
    bool affordable_high = true;
    // The supporters' budgets differ from the poorest case by at most `spread` in total, so
    // the price can be at most spread / (satisfaction of the rich) lower. When that is tight
    // enough, it saves evaluating the richest case.
    const __int128 spread = static_cast<__int128>(weight_total_[j]) * s.spread;
    if (affordable_low && spread * 4096 <= high.num) {
      low = {std::max<__int128>(0, high.num - spread), high.den};
    } else {
      affordable_high = Evaluate(j, s.hi, &low);  // richest budgets: lowest price
    }
    if (!affordable_high) {
      unaffordable.push_back(j);  // for every budget in range; so are its duplicates
      continue;
    }
    s.stale[j] = low;
    seen_.push_back({j, affordable_low, low, high});
    if (affordable_low) {
      int c = best < 0 ? -1 : CompareRho(high, j, best_high, best);
      if (c < 0 || (c == 0 && p_.tie_rank[j] < p_.tie_rank[best])) {
        best = j;
        best_high = high;
      }
    }
  }
  for (int j : unaffordable) s.candidates.erase(std::find(s.candidates.begin(), s.candidates.end(), j));
  s.unsorted = evaluated - unaffordable.size();
  // Who can win this round for some budget in range: the surest cheapest, and any project not
  // certainly dearer than it. With no surely affordable project, the run may also end here.
  winners->clear();
  *may_end = best < 0;
  for (const auto& v : seen_) {
    if (v.project == best) {
      winners->insert(winners->begin(), v);
      continue;
    }
    if (best >= 0) {
      int c = CompareRho(v.low, v.project, best_high, best);
      if (c > 0 || (c == 0 && p_.tie_rank[v.project] > p_.tie_rank[best])) continue;
    }
    winners->push_back(v);
  }
  return true;
}

bool CertifiedMes::Explore(State& initial, std::vector<std::vector<int>>* outcomes, size_t max_outcomes,
                           bool* single_path) {
  std::vector<Choice> winners;
  bool may_end = false;
  // Fast path: a single path of decisions, no copies.
  while (true) {
    Round(initial, &winners, &may_end);
    size_t ways = winners.size() + (may_end ? 1 : 0);
    if (winners.empty()) {
      outcomes->push_back(initial.selected);
      return true;
    }
    if (ways > 1) break;
    Buy(initial, winners[0].project, winners[0].surely_affordable, winners[0].low, winners[0].high);
  }
  *single_path = false;
  if (max_outcomes <= 1) return false;
  // Decisions differ within the range: follow every way, level by level (a level = a number of
  // funded projects), merging states that funded the same set.
  std::vector<State> level;
  level.push_back(std::move(initial));
  bool first = true;
  while (!level.empty()) {
    std::vector<State> next;
    std::map<std::vector<int>, size_t> index;
    for (auto& s : level) {
      if (!first) Round(s, &winners, &may_end);
      first = false;
      if (may_end) {
        outcomes->push_back(s.selected);
        if (outcomes->size() > max_outcomes) return false;
      }
      for (size_t i = 0; i < winners.size(); ++i) {
        State t = i + 1 == winners.size() ? std::move(s) : s;
        Buy(t, winners[i].project, winners[i].surely_affordable, winners[i].low, winners[i].high);
        std::vector<int> key = t.selected;
        std::sort(key.begin(), key.end());
        auto [it, inserted] = index.emplace(std::move(key), next.size());
        if (inserted) {
          next.push_back(std::move(t));
          if (next.size() > max_outcomes) return false;
        } else {
          Merge(next[it->second], t);
        }
      }
    }
    level = std::move(next);
  }
  return true;
}

}  // namespace ting::pb::internal

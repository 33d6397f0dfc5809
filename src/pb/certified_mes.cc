#include "certified_mes.h"

#include <algorithm>
#include <map>

namespace ting::pb::internal {
namespace {

constexpr int64_t kMaxSigmaTotal = int64_t{1} << 40;
constexpr int64_t kMaxSigma = int64_t{1} << 20;

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
      if (sigma * unit != s.sat || sigma > kMaxSigma) usable_ = false;
      if (sigma != 1) uniform_sigma_[j] = 0;
      entries_[j].push_back({s.group, p_.weight[s.group], sigma});
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
  std::map<std::vector<int64_t>, std::vector<int>> classes;
  for (int j : eligible_) {
    std::vector<int64_t> key = {p_.cost[j], unit_[j]};
    for (const auto& e : entries_[j]) {
      key.push_back(e.group);
      key.push_back(e.sigma);
    }
    classes[key].push_back(j);
  }
  for (auto& [key, members] : classes) {
    std::sort(members.begin(), members.end(), [&](int a, int b) { return p_.tie_rank[a] < p_.tie_rank[b]; });
    is_representative_[members[0]] = 1;
    for (size_t i = 0; i + 1 < members.size(); ++i) next_duplicate_[members[i]] = members[i + 1];
  }
  lo_.resize(p_.weight.size());
  hi_.resize(p_.weight.size());
}

bool CertifiedMes::Evaluate(int j, const std::vector<int64_t>& budget, Price* price) {
  const auto& es = entries_[j];
  poor_.assign(es.size(), 0);
  __int128 num = static_cast<__int128>(p_.cost[j]) << shift_;
  int64_t den = sigma_total_[j];
  const bool uniform = uniform_sigma_[j];
  while (true) {
    bool changed = false;
    for (size_t k = 0; k < es.size(); ++k) {
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
        den -= e.weight * e.sigma;
        if (den == 0) return false;
      }
    }
    if (!changed) break;
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
  std::fill(lo_.begin(), lo_.end(), lo0.get_si());
  std::fill(hi_.begin(), hi_.end(), hi0.get_si());

  std::vector<int> selected = free_;
  std::vector<int> candidates;
  std::vector<Price> stale(p_.num_projects);
  for (int j : eligible_) {
    if (!is_representative_[j]) continue;
    candidates.push_back(j);
    stale[j] = {static_cast<__int128>(p_.cost[j]) << shift_, sigma_total_[j]};  // c / total: a lower bound
  }
  struct Seen {
    int project;
    bool surely_affordable;
    Price low, high;
  };
  std::vector<Seen> seen;
  std::vector<char> gone(p_.num_projects, 0);
  while (true) {
    std::sort(candidates.begin(), candidates.end(), [&](int a, int b) {
      int c = CompareRho(stale[a], a, stale[b], b);
      return c != 0 ? c < 0 : p_.tie_rank[a] < p_.tie_rank[b];
    });
    seen.clear();
    int best = -1;
    Price best_high, best_low;
    for (int j : candidates) {
      if (best >= 0 && CompareRho(stale[j], j, best_high, best) > 0) break;
      Price high, low;
      bool affordable_low = Evaluate(j, lo_, &high);   // poorest budgets: highest price
      bool affordable_high = Evaluate(j, hi_, &low);   // richest budgets: lowest price
      if (!affordable_high) {
        gone[j] = 1;  // unaffordable for every budget in range; so are its duplicates
        continue;
      }
      stale[j] = low;
      seen.push_back({j, affordable_low, low, high});
      if (affordable_low) {
        int c = best < 0 ? -1 : CompareRho(high, j, best_high, best);
        if (c < 0 || (c == 0 && p_.tie_rank[j] < p_.tie_rank[best])) {
          best = j;
          best_high = high;
          best_low = low;
        }
      }
    }
    if (best < 0) {
      for (const auto& s : seen) {
        if (!s.surely_affordable) return std::nullopt;  // affordable for some budgets only
      }
      break;
    }
    for (const auto& s : seen) {
      if (s.project == best) continue;
      int c = CompareRho(s.low, s.project, best_high, best);
      if (c < 0 || (c == 0 && p_.tie_rank[s.project] < p_.tie_rank[best])) return std::nullopt;
    }
    // Buy `best`: everyone pays price * sigma or all they have, bounded from both sides.
    const auto& es = entries_[best];
    if (uniform_sigma_[best]) {
      int64_t pay_high = static_cast<int64_t>(CeilDiv(best_high.num, best_high.den));
      int64_t pay_low = static_cast<int64_t>(best_low.num / best_low.den);
      for (const auto& e : es) {
        lo_[e.group] = std::max<int64_t>(0, lo_[e.group] - pay_high);
        hi_[e.group] = std::max<int64_t>(0, hi_[e.group] - pay_low);
      }
    } else {
      for (const auto& e : es) {
        __int128 ph = CeilDiv(best_high.num * e.sigma, best_high.den);
        __int128 pl = best_low.num * e.sigma / best_low.den;
        lo_[e.group] = static_cast<int64_t>(std::max<__int128>(0, lo_[e.group] - ph));
        hi_[e.group] = static_cast<int64_t>(std::max<__int128>(0, hi_[e.group] - pl));
      }
    }
    selected.push_back(best);
    gone[best] = 1;
    int next = next_duplicate_[best];
    candidates.erase(std::remove_if(candidates.begin(), candidates.end(), [&](int j) { return gone[j] != 0; }),
                     candidates.end());
    if (next >= 0) {
      candidates.push_back(next);
      stale[next] = best_low;
    }
  }
  return selected;
}

}  // namespace ting::pb::internal

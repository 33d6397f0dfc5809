#include "mes.h"

#include <algorithm>

namespace ting::pb::internal {

Mes::Mes(const Profile& profile) : p_(profile) {
  const int m = p_.num_projects;
  total_sat_.assign(m, 0);
  for (int j = 0; j < m; ++j) {
    // weight <= 2^31 and sat <= 1e15 per entry: 128-bit sums cannot overflow.
    unsigned __int128 sum = 0;
    for (const auto& sup : p_.supporters[j]) {
      sum += static_cast<unsigned __int128>(p_.weight[sup.group]) * static_cast<uint64_t>(sup.sat);
    }
    mpz_class s = mpz_class(static_cast<unsigned long>(static_cast<uint64_t>(sum >> 64)));
    s <<= 64;
    s += mpz_class(static_cast<unsigned long>(static_cast<uint64_t>(sum)));
    total_sat_[j] = s;
    if (s > 0) {
      if (p_.cost[j] > 0) {
        eligible_.push_back(j);
      } else {
        free_.push_back(j);
      }
    }
  }
  std::sort(free_.begin(), free_.end(),
            [&](int a, int b) { return p_.tie_rank[a] < p_.tie_rank[b]; });
}

bool Mes::Afford(int j, mpq_class* rho) {
  const auto& sup = p_.supporters[j];
  poor_.assign(sup.size(), 0);
  mpz_class rich_sat = total_sat_[j];
  mpq_class poor_money = 0;
  *rho = mpq_class(mpz_class(static_cast<long>(p_.cost[j])), rich_sat);
  rho->canonicalize();
  while (true) {
    bool changed = false;
    if (p_.uniform_sat) {
      // All supporters get the same satisfaction: compare budgets with one share.
      t1_ = *rho * mpq_class(static_cast<long>(sup.empty() ? 0 : sup[0].sat));
      for (size_t k = 0; k < sup.size(); ++k) {
        if (poor_[k]) continue;
        const mpq_class& b = budget_[sup[k].group];
        if (b < t1_) {
          poor_[k] = 1;
          changed = true;
          poor_money += b * static_cast<long>(p_.weight[sup[k].group]);
          rich_sat -= mpz_class(static_cast<long>(p_.weight[sup[k].group])) * static_cast<long>(sup[k].sat);
        }
      }
    } else {
      for (size_t k = 0; k < sup.size(); ++k) {
        if (poor_[k]) continue;
        const mpq_class& b = budget_[sup[k].group];
        // b < rho * sat  <=>  b.num * rho.den < rho.num * sat * b.den
        z1_ = b.get_num() * rho->get_den();
        z2_ = rho->get_num() * b.get_den();
        z2_ *= static_cast<long>(sup[k].sat);
        if (z1_ < z2_) {
          poor_[k] = 1;
          changed = true;
          poor_money += b * static_cast<long>(p_.weight[sup[k].group]);
          rich_sat -= mpz_class(static_cast<long>(p_.weight[sup[k].group])) * static_cast<long>(sup[k].sat);
        }
      }
    }
    if (!changed) return true;
    if (rich_sat == 0) return false;  // everyone gives all they have and it is not enough
    *rho = (mpq_class(static_cast<long>(p_.cost[j])) - poor_money) / mpq_class(rich_sat);
  }
}

void Mes::Pay(int j, const mpq_class& rho, MesPurchase* purchase, std::vector<mpq_class>* paid) {
  purchase->project = j;
  purchase->rho = rho;
  purchase->max_payment = 0;
  for (const auto& s : p_.supporters[j]) {
    mpq_class& b = budget_[s.group];
    t1_ = rho * static_cast<long>(s.sat);
    if (paid) paid->push_back(b <= t1_ ? b : t1_);
    if (b <= t1_) {
      if (b == t1_) {
        purchase->paid_full += p_.weight[s.group];
      } else if (b == 0) {
        purchase->paid_nothing += p_.weight[s.group];
      } else {
        purchase->paid_less += p_.weight[s.group];
        purchase->partial_payments[b] += p_.weight[s.group];
      }
      if (b > purchase->max_payment) purchase->max_payment = b;
      b = 0;
    } else {
      purchase->paid_full += p_.weight[s.group];
      if (t1_ > purchase->max_payment) purchase->max_payment = t1_;
      b -= t1_;
    }
  }
}

void Mes::TrackUnaffordable(int bought, const std::vector<mpq_class>& paid, const std::vector<char>& is_bought,
                            std::vector<mpq_class>* money, std::vector<std::vector<int>>* paid_for,
                            MesRun* run) {
  const auto& sup = p_.supporters[bought];
  std::vector<int> touched;
  for (size_t k = 0; k < sup.size(); ++k) {
    if (paid[k] == 0) continue;
    (*paid_for)[sup[k].group].push_back(bought);
    t1_ = paid[k] * static_cast<long>(p_.weight[sup[k].group]);
    for (int32_t q : group_projects_[sup[k].group]) {
      if (is_bought[q] || run->unaffordable_after[q] >= 0 || p_.cost[q] == 0) continue;
      (*money)[q] -= t1_;
      touched.push_back(q);
    }
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  std::vector<int> position;  // of each bought project in the selection, for spent_on's order
  for (int q : touched) {
    if ((*money)[q] >= mpq_class(static_cast<long>(p_.cost[q]))) continue;
    if (position.empty()) {
      position.assign(p_.num_projects, -1);
      for (size_t i = 0; i < run->selected.size(); ++i) position[run->selected[i]] = static_cast<int>(i);
    }
    run->unaffordable_after[q] = static_cast<int>(run->selected.size());
    run->supporters_money[q] = (*money)[q];
    std::vector<int>& spent = run->spent_on[q];
    for (const auto& s : p_.supporters[q]) {
      for (int j : (*paid_for)[s.group]) spent.push_back(j);
    }
    std::sort(spent.begin(), spent.end(), [&](int a, int b) { return position[a] < position[b]; });
    spent.erase(std::unique(spent.begin(), spent.end()), spent.end());
  }
}

MesRun Mes::Run(const mpq_class& budget_per_voter, bool explain, bool record_payments) {
  MesRun run;
  budget_.resize(p_.weight.size());
  for (auto& b : budget_) b = budget_per_voter;
  for (int j : free_) run.selected.push_back(j);
  std::vector<int> candidates = eligible_;
  std::vector<mpq_class> stale(p_.num_projects);
  for (int j : candidates) {
    stale[j] = mpq_class(mpz_class(static_cast<long>(p_.cost[j])), total_sat_[j]);
    stale[j].canonicalize();
  }
  std::vector<char> gone(p_.num_projects, 0);
  // Explaining: every candidate's supporters' money (weighted sum of budgets) until it falls
  // below the cost, and per group the projects it paid for.
  std::vector<mpq_class> money;
  std::vector<char> bought;
  std::vector<std::vector<int>> paid_for;
  std::vector<mpq_class> paid;
  if (explain) {
    if (group_projects_.empty()) {
      group_projects_.assign(p_.weight.size(), {});
      for (int j = 0; j < p_.num_projects; ++j) {
        for (const auto& s : p_.supporters[j]) group_projects_[s.group].push_back(j);
      }
    }
    run.unaffordable_after.assign(p_.num_projects, -1);
    run.supporters_money.assign(p_.num_projects, 0);
    run.spent_on.assign(p_.num_projects, {});
    money.assign(p_.num_projects, 0);
    bought.assign(p_.num_projects, 0);
    paid_for.assign(p_.weight.size(), {});
    for (int j : candidates) {
      int64_t voters = 0;
      for (const auto& s : p_.supporters[j]) voters += p_.weight[s.group];
      money[j] = budget_per_voter * voters;
      if (money[j] < mpq_class(static_cast<long>(p_.cost[j]))) {
        run.unaffordable_after[j] = static_cast<int>(run.selected.size());
        run.supporters_money[j] = money[j];
      }
    }
  }
  mpq_class rho, best_rho;
  while (true) {
    std::sort(candidates.begin(), candidates.end(), [&](int a, int b) {
      int c = cmp(stale[a], stale[b]);
      return c != 0 ? c < 0 : p_.tie_rank[a] < p_.tie_rank[b];
    });
    int best = -1;
    for (int j : candidates) {
      // Stale prices only rise, so once one exceeds the best true price we can stop.
      if (best >= 0 && stale[j] > best_rho) break;
      if (!Afford(j, &rho)) {
        gone[j] = 1;
        continue;
      }
      stale[j] = rho;
      if (best < 0 || rho < best_rho || (rho == best_rho && p_.tie_rank[j] < p_.tie_rank[best])) {
        best = j;
        best_rho = rho;
      }
    }
    if (best < 0) break;
    gone[best] = 1;
    run.purchases.emplace_back();
    if (record_payments) run.payments.emplace_back();
    paid.clear();
    Pay(best, best_rho, &run.purchases.back(), record_payments || explain ? &paid : nullptr);
    if (record_payments) run.payments.back() = paid;
    run.selected.push_back(best);
    if (explain) {
      bought[best] = 1;
      TrackUnaffordable(best, paid, bought, &money, &paid_for, &run);
    }
    candidates.erase(std::remove_if(candidates.begin(), candidates.end(),
                                    [&](int j) { return gone[j] != 0; }),
                     candidates.end());
  }
  for (int j : run.selected) run.total_cost += p_.cost[j];
  if (record_payments) run.final_budget = budget_;
  return run;
}

}  // namespace ting::pb::internal

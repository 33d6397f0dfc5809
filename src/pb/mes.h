#pragma once
// Internal: the Method of Equal Shares, exactly as pabutools 1.2.3 computes it, and its add1
// iterations. Every voter starts with the same budget; in each round the project whose cost its
// supporters can share at the lowest price per unit of satisfaction (rho) is bought, each
// supporter paying rho * satisfaction or all they have left. Ties go to the lower tie rank.

#include <gmpxx.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "profile.h"

namespace ting::pb::internal {

struct MesPurchase {
  int project = 0;
  mpq_class rho;                    // price per unit of satisfaction
  int64_t paid_full = 0;            // voters (weighted) who paid rho * sat
  int64_t paid_less = 0;            // voters who paid all they had left, more than 0 but less
  int64_t paid_nothing = 0;         // supporters who had nothing left
  mpq_class max_payment;
  // What the supporters who paid less than the full price (but more than 0) paid:
  // amount -> voters.
  std::map<mpq_class, int64_t> partial_payments;
};

struct MesRun {
  std::vector<int> selected;         // selection order; free supported projects first
  std::vector<MesPurchase> purchases;  // parallel to the MES-bought part of `selected`
  int64_t total_cost = 0;
  // Filled only when explaining, per project that the run did not buy but could have (a
  // candidate: supported and not free). Money only leaves a voter's budget, so a project its
  // supporters cannot pay for stays unpayable; the moment it became so is the first point in
  // the run at which the sum of its supporters' budgets fell below its cost (the run ends only
  // when every candidate left is unpayable, so every unbought candidate has that moment).
  // unaffordable_after: how many projects `selected` held at that moment (free ones included;
  // the number of free projects means "from the start"); -1 for bought or non-candidate
  // projects. supporters_money: the sum of its supporters' budgets then (weighted).
  // spent_on: the projects bought before that moment that at least one of its supporters paid
  // more than 0 for, in selection order.
  std::vector<int> unaffordable_after;
  std::vector<mpq_class> supporters_money;
  std::vector<std::vector<int>> spent_on;
  // With record_payments: per purchase, what each supporter (p.supporters[project][k]) paid,
  // per voter of the group; and every group's budget at the end.
  std::vector<std::vector<mpq_class>> payments;
  std::vector<mpq_class> final_budget;
};

class Mes {
 public:
  explicit Mes(const Profile& profile);

  // One MES run with `budget_per_voter` for every voter.
  MesRun Run(const mpq_class& budget_per_voter, bool explain, bool record_payments = false);

  // Projects MES may buy: supported and not free.
  const std::vector<int>& eligible() const { return eligible_; }
  // Supported projects that cost nothing; bought before everything else.
  const std::vector<int>& free_projects() const { return free_; }

 private:
  // The smallest rho at which the supporters of j can pay its cost, or false if they cannot.
  bool Afford(int j, mpq_class* rho);
  void Pay(int j, const mpq_class& rho, MesPurchase* purchase, std::vector<mpq_class>* paid);
  // Explaining: after project `bought` was paid for with `paid` (per supporter entry), the
  // candidates whose supporters can no longer pay for them.
  void TrackUnaffordable(int bought, const std::vector<mpq_class>& paid, const std::vector<char>& is_bought,
                         std::vector<mpq_class>* money, std::vector<std::vector<int>>* paid_for,
                         MesRun* run);

  const Profile& p_;
  std::vector<int> eligible_, free_;
  std::vector<mpz_class> total_sat_;   // per project: sum of weight * sat
  std::vector<mpq_class> budget_;      // per group
  std::vector<char> poor_;             // scratch, per supporter
  std::vector<std::vector<int32_t>> group_projects_;  // per group: projects it supports (explaining)
  mpq_class t1_, t2_;
  mpz_class z1_, z2_;
};

}  // namespace ting::pb::internal

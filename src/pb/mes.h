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
  int64_t paid_less = 0;            // voters who paid all they had left, less than that
  mpq_class max_payment;
  // What the supporters who could not pay the full price paid: amount -> voters.
  std::map<mpq_class, int64_t> partial_payments;
};

struct MesRun {
  std::vector<int> selected;         // selection order; free supported projects first
  std::vector<MesPurchase> purchases;  // parallel to the MES-bought part of `selected`
  int64_t total_cost = 0;
  // Per project, best share of its cost (0..1) its supporters could cover at a round's
  // winning price; filled only when explaining.
  std::vector<mpq_class> effective_support;
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

  const Profile& p_;
  std::vector<int> eligible_, free_;
  std::vector<mpz_class> total_sat_;   // per project: sum of weight * sat
  std::vector<mpq_class> budget_;      // per group
  std::vector<char> poor_;             // scratch, per supporter
  mpq_class t1_, t2_;
  mpz_class z1_, z2_;
};

}  // namespace ting::pb::internal

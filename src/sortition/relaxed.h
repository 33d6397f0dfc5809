#pragma once
// Internal: LEXIMIN through the LP relaxation of the panel polytope.
//
// Let Q be the polytope of fractional panels (seats y_a in [0, count_a], panel size, quota
// bounds, at most one seat per household). Every valid panel lies in Q, so the convex hull of
// panels is inside Q, and the LEXIMIN point over Q is an upper bound (in the leximin order) on
// the LEXIMIN point over panels. It is a sequence of small LPs with no column generation. If it
// can be written as a lottery over valid panels, it *is* the LEXIMIN optimum: no pricing proof
// is needed. On the shared data sets it can (the relaxation is tight), and the decomposition
// below finds the lottery; when it cannot, the caller falls back to column generation.

#include <functional>
#include <string>
#include <vector>

#include "model.h"
#include "ting/base/result.h"

namespace ting::sortition {

using Counts = std::vector<int>;  // per agent: how many of its people are on the panel

struct RelaxedLeximin {
  std::vector<double> seats;  // per agent: expected seats at the LEXIMIN point of Q
  std::vector<double> level;  // per agent: probability per person (seats / count)
  int steps = 0;              // LPs solved
  // Levels are fixed this much below the LP's value (its tolerance), so no level is more than
  // this below the relaxation's LEXIMIN.
  double slack = 0;
};

// REQUIRES: some panel meets the quotas.
Result<RelaxedLeximin> LeximinOverRelaxation(const AgentModel& model, const QuotaBounds& bounds);

struct Decomposition {
  std::vector<Counts> panels;
  std::vector<double> weights;  // sum 1
  // Largest shortfall of any person's probability against the target (0 when exact).
  double max_shortfall = 0;
  int peeled = 0;       // panels found by peeling faces
  int lp_rounds = 0;    // master LP solves of the finishing column generation
  int ip_solves = 0;
};

// Writes target (expected seats per agent, a point of Q) as a lottery over valid panels.
// First by peeling: take an integer panel P on the smallest face of Q holding the point, move
// the point away from P as far as Q allows (a new constraint becomes tight, so the face shrinks),
// repeat. If a face has no integer panel, column generation over the panels found so far
// minimises the total shortfall (stabilised duals, exact pricing on the target's face).
// The result is exact (max_shortfall ~ 1e-12) iff the target is in the convex hull of panels.
Decomposition DecomposeTarget(const AgentModel& model, const QuotaBounds& bounds, const std::vector<double>& target,
                              const std::function<void(const std::string&)>& progress);

}  // namespace ting::sortition

// Transport of the 1D core/surround closure (closure_simulation.hpp): every depth cell i holds a
// core (point 2i, area fraction a_i) and a surround (point 2i+1, area 1 − a_i).
//
// Depth: the column operator of transport.hpp (diffusion, fibroblasts relative to their resting
// profile, upwind chemotaxis) between compartments that touch across a cell face: core to core
// through min(a_i, a_i+1), surround to surround through min(1 − a_i, 1 − a_i+1), and the wider
// cell's core to the other's surround through |a_i − a_i+1|, so the areas sum to 1. Laterally:
// exchange between core and surround of a cell at rate G·D (closure_exchange.hpp, G of the
// species' own D, averaged over the step), with fibroblast chemotaxis up the T difference at
// G·χ·ΔT with T's G (T's profile sets the gradient at the boundary), upwinded. Both act in one backward-Euler step, a
// 2 × 2 block-tridiagonal system per species: an M-matrix whose column sums are the areas, so
// every species stays ≥ 0 and the column total Σ (a·c + (1−a)·s) is conserved, for any dt and
// any exchange. The block elimination never subtracts like-signed numbers, so both hold to
// round-off even when the exchange is many orders faster than the step.
//
// A compartment of zero area (no core where φ = 0, before any session or below the needles)
// carries no matter: it is held equal to its partner.
#pragma once

#include <array>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "citsim/model/parameters.hpp"
#include "citsim/numerics/closure_exchange.hpp"
#include "citsim/numerics/grid.hpp"
#include "citsim/numerics/transport_operator.hpp"

namespace citsim {

class ClosureTransport final : public TransportOperator {
 public:
  /// `F_rest` holds each depth cell's resting fibroblast density (core and surround alike).
  ClosureTransport(const Grid& grid, const Parameters& p, std::vector<double> F_rest);

  /// The core's area fraction a_i ∈ [0, 1] and boundary geometry of every depth cell, and the
  /// time [day] since the injury that made them (∞: pseudo-steady exchange from the start); the
  /// transport keeps that clock running over the steps it is asked for. Throws
  /// std::invalid_argument for sizes other than the grid's or values out of range.
  void set_geometry(std::span<const double> core_area, std::span<const ExchangeGeometry> geometry,
                    double since_injury);

  /// Advance `u` (2 points per depth cell: core, surround) by dt [day] with transport only.
  void step(ColumnState& u, double dt) override;

 private:
  /// Solve the system of species s assembled in lower_, diag_ (off-diagonals), upper_, rhs_.
  void solve(ColumnState& u, int s);

  Grid grid_;
  std::array<double, kSpeciesCount> D_{};
  std::array<double, kSpeciesCount> chi_{};
  std::vector<double> F_rest_, area_;
  std::vector<ExchangeGeometry> geometry_;
  double since_injury_ = 0.0;  ///< [day]
  std::vector<int> ghost_;  ///< per cell: the compartment without area (core 0, surround 1), or −1
  std::vector<Eigen::Matrix2d> lower_, diag_, upper_;
  std::vector<Eigen::Vector2d> rhs_;
};

}  // namespace citsim

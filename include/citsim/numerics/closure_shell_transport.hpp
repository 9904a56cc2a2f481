// Transport of the distance-resolved closure (closure_shells.hpp): every depth cell i holds the
// core and K shells, compartment k with area fraction A_ik, at points (K+1)·i + k.
//
// Depth: the column operator of transport.hpp (diffusion, fibroblasts relative to their resting
// profile, upwind chemotaxis) between compartments of neighbouring cells that overlap in plan
// view. Compartments are bands of the same distance coordinate at every depth (the channels are
// vertical), so the overlap of k in cell i with m in cell i+1 is that of their F-bands, and the
// overlaps of a compartment sum to its area. Laterally, along the chain core – shell 1 – ... –
// shell K of a cell: neighbours k, k+1 exchange at G·D·(c_k − c_k+1), G of their face and the
// species' own D averaged over the step with the fresh-injury rule of closure_exchange.hpp, and
// fibroblasts move up the T difference at G_T·χ·ΔT, upwinded. Both act in one backward-Euler
// step, a block-tridiagonal system per species whose columns sum to the areas (an M-matrix):
// every species stays ≥ 0 and Σ A·c is conserved for any dt. The elimination never subtracts
// like-signed numbers, so both hold to round-off even when the exchange is many orders faster
// than the step. K = 1 is the two-compartment
// closure: core to core, surround to surround and the wider cell's core to the other's surround
// in depth.
//
// A compartment of zero area (no core where φ = 0, before any session or below the needles)
// carries no matter: it is held equal to its nearest neighbour of non-zero area in the chain.
#pragma once

#include <array>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "citsim/model/parameters.hpp"
#include "citsim/numerics/closure_shells.hpp"
#include "citsim/numerics/grid.hpp"
#include "citsim/numerics/transport_operator.hpp"

namespace citsim {

class ShellTransport final : public TransportOperator {
 public:
  /// `shells` = K; `F_rest` holds each depth cell's resting fibroblast density.
  ShellTransport(const Grid& grid, const Parameters& p, int shells, std::vector<double> F_rest);

  /// The compartments of every depth cell and the time [day] since the injury that cut them (∞:
  /// pseudo-steady exchange from the start). Throws std::invalid_argument for sizes other than
  /// the grid's and K's, or for areas that are not a partition of 1.
  void set_geometry(std::span<const ShellGeometry> geometry, double since_injury);

  /// Advance `u` ((K+1) points per depth cell) by dt [day] with transport only.
  void step(ColumnState& u, double dt) override;

 private:
  /// A depth link across face f from compartment p of cell f to compartment q of cell f+1, over
  /// the plan-view overlap `area` of their distance bands.
  struct Link {
    int p, q;
    double area;
  };
  using Block = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  void build_links();
  void solve(ColumnState& u, int s);

  Grid grid_;
  int n_;  ///< K + 1 compartments per cell
  std::array<double, kSpeciesCount> D_{};
  std::array<double, kSpeciesCount> chi_{};
  std::vector<double> F_rest_;
  std::vector<ShellGeometry> geometry_;
  double since_injury_ = 0.0;
  // Set with the geometry: the depth links of every face, flat, face f's in [link_start_[f],
  // link_start_[f+1]).
  std::vector<Link> links_;
  std::vector<std::size_t> link_start_;
  // Scratch of a step, sized once: per link the chemotactic velocity and this species'
  // coefficients, per cell and face the lateral TGF-beta difference and exchange factor.
  std::vector<double> velocity_, alpha_, beta_, lateral_dT_, G_T_;
  std::vector<Block> diag_, upper_;
  std::vector<Eigen::VectorXd> rhs_;
  Block rhs_x_;                    ///< a pivot block's right-hand sides: upper block and rhs
  Eigen::RowVectorXd sigma_, sigma_prev_, own_;
};

}  // namespace citsim

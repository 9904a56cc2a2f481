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
//
// Species that move alike (mobility.hpp) share one elimination, a right-hand side each. A
// group without chemotaxis has a matrix of the geometry, dt and its exchange factors only; once
// every face has settled (settling_time) those are G, so the elimination is kept and every
// later step of the same dt only substitutes, until the geometry changes. The substitution
// does the same operations as the elimination did on its right-hand side: the same numbers.
// All species are substituted together, point by point, so that their independent chains of
// operations overlap.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "citsim/model/parameters.hpp"
#include "citsim/numerics/closure_shells.hpp"
#include "citsim/numerics/grid.hpp"
#include "citsim/numerics/mobility.hpp"
#include "citsim/numerics/transport.hpp"
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

  /// Systems eliminated so far: one per group of alike species per step, less those reused.
  std::size_t eliminations() const { return eliminations_; }

 private:
  /// A depth link across face f from compartment p of cell f to compartment q of cell f+1, over
  /// the plan-view overlap `area` of their distance bands.
  struct Link {
    int p, q;
    double area;
  };
  using Block = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  /// A group's system eliminated (eliminate()): per cell the pivot block's factors (the
  /// multipliers below the diagonal, U on and above it) and X = pivot⁻¹·upper; per link its α,
  /// the entry of the block below the diagonal.
  struct Elimination {
    std::vector<Block> pivot, X;
    std::vector<double> alpha;
    double dt = 0.0;
    bool reusable = false;  ///< no chemotaxis, settled faces: holds for every step of this dt
  };
  /// Alike species (mobility.hpp), their elimination, and which exchange factors they use.
  struct Group {
    MobilityGroup mobility;
    Elimination eliminated;
    std::size_t exchange;  ///< into exchange_D_
  };

  void build_links();
  /// The group's matrix for a step of dt, assembled and eliminated.
  void eliminate(Group& g, double dt);
  /// Every mobile species advanced with its group's eliminated system.
  void substitute(ColumnState& u);

  Grid grid_;
  int n_;  ///< K + 1 compartments per cell
  std::vector<double> F_rest_;
  std::vector<ShellGeometry> geometry_;
  double since_injury_ = 0.0;
  std::vector<Group> groups_;
  std::size_t eliminations_ = 0;
  // The right-hand sides' columns: every mobile species, group after group.
  std::vector<int> column_species_;
  std::vector<std::size_t> column_group_;
  bool chemotaxis_ = false;  ///< some group has χ ≠ 0
  // Every cell with all its area in the core (untreated tissue, before the first session): the
  // shells hold no matter and mirror the core, and the cores move as the column does, so the
  // column's tridiagonal solve serves (one point per cell instead of K + 1).
  bool all_core_ = true;
  ColumnTransport cores_;
  ColumnState core_state_;
  // Lateral exchange factors, per distinct D of the groups and of T (chemotaxis runs at T's
  // exchange): from when on all faces are settled, and this step's factor of every face
  // (cell i's face b at i·K + b), or settled_factor_ = G once settled.
  std::vector<double> exchange_D_;
  std::size_t T_exchange_ = 0;
  std::vector<double> settled_after_;
  std::vector<std::vector<double>> factor_;
  std::vector<double> settled_factor_;
  std::vector<const std::vector<double>*> step_factor_;
  // Set with the geometry: the depth links of every face, flat, face f's in [link_start_[f],
  // link_start_[f+1]); each point's partner of non-zero area.
  std::vector<Link> links_;
  std::vector<std::size_t> link_start_;
  std::vector<int> partner_;
  // Scratch of a step, sized once: per link the chemotactic velocity, per cell and face the
  // lateral TGF-beta difference; the right-hand sides, point by point, a column each.
  std::vector<double> velocity_, lateral_dT_;
  std::vector<double> rhs_;
  Eigen::RowVectorXd sigma_, sigma_prev_, own_;
};

}  // namespace citsim

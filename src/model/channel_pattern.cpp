#include "citsim/model/channel_pattern.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>
#include <random>

namespace citsim {
namespace {

/// Depth samples per cell for the tip taper; lateral samples per direction per 3D cell.
constexpr int kDepthSamples = 8;
constexpr int kLateralSamples = 4;

/// Add to `cover` (per x cell) the length of [0, W) covered by the union of the periodic
/// intervals [c − h, c + h].
void cover_line(const std::vector<double>& centres, double h, double dx, std::vector<double>& cover) {
  if (h <= 0.0 || centres.empty()) return;
  const double W = dx * static_cast<double>(cover.size());
  std::vector<std::pair<double, double>> iv;
  for (double c : centres)
    for (double shift : {-W, 0.0, W}) iv.emplace_back(c + shift - h, c + shift + h);
  std::sort(iv.begin(), iv.end());
  std::vector<std::pair<double, double>> merged;
  for (const auto& [a, b] : iv) {
    if (!merged.empty() && a <= merged.back().second)
      merged.back().second = std::max(merged.back().second, b);
    else
      merged.emplace_back(a, b);
  }
  for (auto [a, b] : merged) {
    a = std::max(a, 0.0);
    b = std::min(b, W);
    if (b <= a) continue;
    auto i = static_cast<std::size_t>(a / dx);
    while (i < cover.size() && static_cast<double>(i) * dx < b) {
      const double lo = std::max(a, static_cast<double>(i) * dx);
      const double hi = std::min(b, static_cast<double>(i + 1) * dx);
      if (hi > lo) cover[i] += hi - lo;
      ++i;
    }
  }
}

/// Shortest periodic distance between two coordinates on a circle of length W.
double periodic_gap(double a, double b, double W) {
  double d = std::fabs(a - b);
  d = std::fmod(d, W);
  return std::min(d, W - d);
}

/// Add to `hits` (per lateral cell, one bit per sample point) the points within radius `r` of a
/// channel centre.
void cover_plane(const ChannelPattern& p, double r, const FieldGrid& g, std::vector<std::uint16_t>& hits) {
  if (r <= 0.0) return;
  const double Wx = g.width_x(), Wy = g.width_y();
  const auto span_x = static_cast<long>(std::ceil(r / g.dx)) + 1;
  const auto span_y = static_cast<long>(std::ceil(r / g.dy)) + 1;
  const auto nx = static_cast<long>(g.nx), ny = static_cast<long>(g.ny);
  for (std::size_t c = 0; c < p.size(); ++c) {
    const auto cx = static_cast<long>(std::floor(p.x[c] / g.dx));
    const auto cy = static_cast<long>(std::floor(p.y[c] / g.dy));
    for (long jy = cy - span_y; jy <= cy + span_y; ++jy) {
      const auto iy = static_cast<std::size_t>(((jy % ny) + ny) % ny);
      for (long jx = cx - span_x; jx <= cx + span_x; ++jx) {
        const auto ix = static_cast<std::size_t>(((jx % nx) + nx) % nx);
        std::uint16_t& bits = hits[iy * g.nx + ix];
        for (int sy = 0; sy < kLateralSamples; ++sy)
          for (int sx = 0; sx < kLateralSamples; ++sx) {
            const double px = (static_cast<double>(ix) + (sx + 0.5) / kLateralSamples) * g.dx;
            const double py = (static_cast<double>(iy) + (sy + 0.5) / kLateralSamples) * g.dy;
            const double gx = periodic_gap(px, p.x[c], Wx), gy = periodic_gap(py, p.y[c], Wy);
            if (gx * gx + gy * gy <= r * r) bits |= static_cast<std::uint16_t>(1u << (sy * kLateralSamples + sx));
          }
      }
    }
  }
}

}  // namespace

ChannelPattern draw_channels(const ChannelInjury& injury, const FieldGrid& grid, std::uint64_t seed,
                             std::size_t session_index) {
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(session_index), 0x63686eu};
  std::mt19937_64 rng(seq);
  const bool three_d = grid.ny > 1;
  const double mean =
      three_d ? injury.density() / 100.0 * grid.width_x() * grid.width_y()
              : injury.density() * std::numbers::pi * injury.injured_radius(0.0) / 200.0 * grid.width_x();
  ChannelPattern p;
  if (!(mean > 0.0)) return p;
  const std::size_t count = std::poisson_distribution<long>(mean)(rng);
  std::uniform_real_distribution<double> ux(0.0, grid.width_x()), uy(0.0, grid.width_y());
  for (std::size_t k = 0; k < count; ++k) {
    p.x.push_back(ux(rng));
    if (three_d) p.y.push_back(uy(rng));
  }
  return p;
}

std::vector<InjuryFractions> field_fractions(const ChannelInjury& inj, const ChannelPattern& p,
                                             const FieldGrid& g) {
  const std::size_t nz = g.nz();
  std::vector<InjuryFractions> f(g.cells(), InjuryFractions{0.0, 0.0});
  const bool three_d = g.ny > 1;
  const double r_top = inj.injured_radius(0.0);
  for (std::size_t iz = 0; iz < nz; ++iz) {
    for (int s = 0; s < kDepthSamples; ++s) {
      const double z = g.depth.top(iz) + (s + 0.5) / kDepthSamples * g.depth.dz;
      const double r_ch = inj.channel_radius(z), r_inj = inj.injured_radius(z);
      if (r_inj <= 0.0) continue;
      if (three_d) {
        std::vector<std::uint16_t> ch(g.columns(), 0), inj_hits(g.columns(), 0);
        cover_plane(p, r_ch, g, ch);
        cover_plane(p, r_inj, g, inj_hits);
        constexpr double samples = kLateralSamples * kLateralSamples;
        for (std::size_t c = 0; c < g.columns(); ++c) {
          f[c * nz + iz].channel += std::popcount(ch[c]) / samples / kDepthSamples;
          f[c * nz + iz].injured += std::popcount(inj_hits[c]) / samples / kDepthSamples;
        }
      } else {
        std::vector<double> ch(g.nx, 0.0), inj_cover(g.nx, 0.0);
        cover_line(p.x, r_ch * r_ch / r_top, g.dx, ch);
        cover_line(p.x, r_inj * r_inj / r_top, g.dx, inj_cover);
        for (std::size_t ix = 0; ix < g.nx; ++ix) {
          f[ix * nz + iz].channel += std::min(1.0, ch[ix] / g.dx) / kDepthSamples;
          f[ix * nz + iz].injured += std::min(1.0, inj_cover[ix] / g.dx) / kDepthSamples;
        }
      }
    }
  }
  return f;
}

}  // namespace citsim

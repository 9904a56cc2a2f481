#include "citsim/numerics/closure_shells.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

namespace citsim {
namespace {

/// Below this tail of the area the empty-space distribution is cut (its last bin takes the rest).
constexpr double kTail = 1e-14;

/// The histogram as a piecewise-linear cumulative distribution F (uniform density in each bin).
class Cumulative {
 public:
  explicit Cumulative(const DistanceHistogram& h) : d_(h.bin), w_(h.weight), C_(h.weight.size() + 1, 0.0) {
    if (!(d_ > 0.0) || w_.empty()) throw std::invalid_argument("distance histogram: needs bins of width > 0");
    const double total = std::accumulate(w_.begin(), w_.end(), 0.0);
    if (!(total > 0.0)) throw std::invalid_argument("distance histogram: no area");
    for (double& w : w_) w /= total;
    for (std::size_t j = 0; j < w_.size(); ++j) C_[j + 1] = C_[j] + w_[j];
    C_.back() = 1.0;
  }

  /// r with F(r) = q: within the first bin of weight > 0 that reaches q.
  double quantile(double q) const {
    const auto it = std::lower_bound(C_.begin() + 1, C_.end(), q);
    std::size_t j = static_cast<std::size_t>(std::min<std::ptrdiff_t>(it - C_.begin(), std::ssize(w_))) - 1;
    if (w_[j] <= 0.0) {  // only for q = 0 before the first bin with area (none near a channel)
      while (j + 1 < w_.size() && w_[j] <= 0.0) ++j;
      return d_ * static_cast<double>(j);
    }
    return d_ * (static_cast<double>(j) + std::clamp((q - C_[j]) / w_[j], 0.0, 1.0));
  }

  /// The density f(r), averaged over r's bin and its neighbours (a realised histogram is noisy).
  double density(double r) const {
    const std::size_t n = w_.size();
    const std::size_t j = std::min(n - 1, static_cast<std::size_t>(std::max(0.0, r / d_)));
    const std::size_t lo = j > 0 ? j - 1 : 0, hi = std::min(n - 1, j + 1);
    double s = 0.0;
    for (std::size_t k = lo; k <= hi; ++k) s += w_[k];
    return s / (d_ * static_cast<double>(hi - lo + 1));
  }

  /// Σ over the parts of bins within [r0, r1]: g(F at the part's start, F at its end, bin's f, part's mid r).
  template <class G>
  double over(double r0, double r1, G g) const {
    double sum = 0.0;
    const std::size_t n = w_.size();
    for (std::size_t j = static_cast<std::size_t>(std::max(0.0, r0 / d_)); j < n; ++j) {
      const double e0 = d_ * static_cast<double>(j), e1 = e0 + d_;
      if (e0 >= r1) break;
      if (w_[j] <= 0.0) continue;  // a gap: no area, no interface through it
      const double s0 = std::max(e0, r0), s1 = std::min(e1, r1);
      if (s1 <= s0) continue;
      const double f = w_[j] / d_;
      sum += g(C_[j] + f * (s0 - e0), C_[j] + f * (s1 - e0), f, 0.5 * (s0 + s1));
    }
    return sum;
  }

  double end() const { return d_ * static_cast<double>(w_.size()); }

 private:
  double d_;
  std::vector<double> w_, C_;
};

}  // namespace

double distance_bin(const ChannelLattice& lattice) {
  if (!(lattice.density > 0.0)) throw std::invalid_argument(fmt::format("distance_bin: density {} must be > 0", lattice.density));
  const double spacing = lattice.shape == ChannelShape::Slits ? 1.0 / lattice.density : 1.0 / std::sqrt(lattice.density);
  return spacing / 1000.0;
}

DistanceHistogram poisson_distances(const ChannelLattice& lattice, double bin) {
  if (!(lattice.density > 0.0) || !(bin > 0.0))
    throw std::invalid_argument(fmt::format("poisson_distances: density {} and bin {} must be > 0", lattice.density, bin));
  const bool slits = lattice.shape == ChannelShape::Slits;
  // 1 − F(r): the probability that no centre lies within r.
  auto empty = [&](double r) {
    return slits ? std::exp(-2.0 * lattice.density * r) : std::exp(-std::numbers::pi * lattice.density * r * r);
  };
  DistanceHistogram h{bin, {}};
  for (double r = 0.0, left = 1.0; left > kTail; r += bin) {
    const double next = empty(r + bin);
    h.weight.push_back(next > kTail ? left - next : left);
    left = next;
  }
  return h;
}

DistanceHistogram realised_distances(const ChannelPattern& ch, ChannelShape shape, double wx, double wy, double bin) {
  const bool slits = shape == ChannelShape::Slits;
  if (ch.size() == 0 || !(wx > 0.0) || !(bin > 0.0) || (!slits && !(wy > 0.0)))
    throw std::invalid_argument(fmt::format("realised_distances: {} channels on {} x {} mm with bins of {} mm",
                                            ch.size(), wx, wy, bin));
  const double step = bin / 4.0;
  const auto nx = static_cast<std::size_t>(std::ceil(wx / step));
  const auto ny = slits ? std::size_t{1} : static_cast<std::size_t>(std::ceil(wy / step));
  auto periodic = [](double d, double w) {
    d = std::fmod(std::abs(d), w);
    return std::min(d, w - d);
  };
  DistanceHistogram h{bin, {}};
  for (std::size_t i = 0; i < nx; ++i) {
    const double x = (static_cast<double>(i) + 0.5) * wx / static_cast<double>(nx);
    for (std::size_t j = 0; j < ny; ++j) {
      const double y = (static_cast<double>(j) + 0.5) * wy / static_cast<double>(ny);
      double r2 = std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < ch.size(); ++c) {
        const double dx = periodic(x - ch.x[c], wx);
        const double dy = slits ? 0.0 : periodic(y - ch.y[c], wy);
        r2 = std::min(r2, dx * dx + dy * dy);
      }
      const auto b = static_cast<std::size_t>(std::sqrt(r2) / bin);
      if (b >= h.weight.size()) h.weight.resize(b + 1, 0.0);
      h.weight[b] += 1.0;
    }
  }
  const double n = static_cast<double>(nx * ny);
  for (double& w : h.weight) w /= n;
  return h;
}

ShellGeometry shell_geometry(const DistanceHistogram& h, double a, int K) { return shell_geometry(h, a, K, a); }

ShellGeometry shell_geometry(const DistanceHistogram& h, double a, int K, double widest) {
  if (K < 1) throw std::invalid_argument(fmt::format("shell_geometry: {} shells, needs >= 1", K));
  const Cumulative F(h);
  const auto k = static_cast<std::size_t>(K);
  a = std::clamp(std::isnan(a) ? 0.0 : a, 0.0, 1.0);
  widest = std::max(a, std::clamp(std::isnan(widest) ? 0.0 : widest, 0.0, 1.0));
  ShellGeometry g;
  g.interface.assign(k, 0.0);
  g.coupling.assign(k, 0.0);
  g.boundary.assign(k, 0.0);
  g.face.assign(k, ExchangeGeometry{});
  // The core's edge at a; the shells' at the equal-area quantiles of the widest core's surround,
  // the same at every depth. Areas from the edges (exact, whatever the bins).
  std::vector<double>& q = g.edge;  // F at the compartments' edges
  q.assign(k + 2, 1.0);
  q[0] = 0.0;
  q[1] = a;
  for (std::size_t s = 1; s < k; ++s) q[s + 1] = widest + (1.0 - widest) * static_cast<double>(s) / K;
  g.area.assign(k + 1, 0.0);
  for (std::size_t s = 0; s <= k; ++s) g.area[s] = q[s + 1] - q[s];
  if (a >= 1.0) return g;
  std::vector<double> edge(k + 2);
  edge[0] = 0.0;
  for (std::size_t s = 1; s <= k; ++s) edge[s] = F.quantile(q[s]);
  edge[k + 1] = F.end();
  // Centroids ∫ r dF / area of the inner shells.
  std::vector<double> centroid(k + 1, 0.0);
  for (std::size_t s = 1; s <= k; ++s)
    if (g.area[s] > 0.0)
      centroid[s] = F.over(edge[s], edge[s + 1], [](double F0, double F1, double, double mid) { return (F1 - F0) * mid; }) /
                    g.area[s];
  for (std::size_t b = 0; b < k; ++b) g.boundary[b] = edge[b + 1];
  for (std::size_t b = a > 0.0 ? 0 : 1; b < k; ++b) {
    const double rb = edge[b + 1];
    const double S = F.density(rb);
    g.boundary[b] = rb;
    g.interface[b] = S;
    // A shell without area (all the surround in the core's first shell, for a widest core of
    // 1) exchanges nothing.
    if (!(S > 0.0) || !(g.area[b] > 0.0) || !(g.area[b + 1] > 0.0)) continue;
    // Inside: the core's pseudo-steady profile, or an inner shell's centroid.
    const double inside =
        b == 0 ? S / (a * a) *
                     F.over(0.0, rb, [](double F0, double F1, double f, double) { return (F1 * F1 * F1 - F0 * F0 * F0) / (3.0 * f * f); })
               : rb - centroid[b];
    // Outside: the outermost shell's pseudo-steady profile, or an inner shell's centroid.
    const double out_area = 1.0 - q[b + 1];
    const double outside =
        b + 1 == k ? S / (out_area * out_area) *
                         F.over(rb, F.end(),
                                [](double F0, double F1, double f, double) {
                                  const double G0 = 1.0 - F0, G1 = 1.0 - F1;
                                  return (G0 * G0 * G0 - G1 * G1 * G1) / (3.0 * f * f);
                                })
                   : centroid[b + 1] - rb;
    g.face[b] = {S, inside, outside};
    g.coupling[b] = S / (inside + outside);
  }
  return g;
}

}  // namespace citsim

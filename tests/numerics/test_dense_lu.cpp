// The small fixed-size LU: solutions against Eigen's full-pivoting LU, pivoting where the
// diagonal is zero, and reuse of one factorisation for many right-hand sides.
#include <catch2/catch.hpp>

#include <Eigen/LU>
#include <random>

#include "citsim/numerics/dense_lu.hpp"

using namespace citsim;

namespace {

using Matrix15 = Eigen::Matrix<double, 15, 15>;
using Vector15 = Eigen::Matrix<double, 15, 1>;

}  // namespace

TEST_CASE("dense LU: solves random 15 x 15 systems as accurately as Eigen's full-pivoting LU") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  DenseLU<15> lu;
  for (int trial = 0; trial < 50; ++trial) {
    Matrix15 a;
    Vector15 b;
    for (int i = 0; i < 15; ++i) {
      b[i] = uniform(rng);
      for (int j = 0; j < 15; ++j) a(i, j) = uniform(rng);
    }
    lu.compute(a);
    const Vector15 x = lu.solve(b);
    const Vector15 reference = a.fullPivLu().solve(b);
    INFO("trial " << trial);
    CHECK((a * x - b).norm() <= 1e-12 * (a.norm() * x.norm() + b.norm()));
    CHECK((x - reference).norm() <= 1e-9 * reference.norm());
  }
}

TEST_CASE("dense LU: pivots past zeros on the diagonal") {
  // A permutation of a diagonal matrix: every leading pivot is zero without row interchanges.
  Eigen::Matrix<double, 4, 4> a;
  a << 0, 2, 0, 0,  //
      0, 0, 0, 3,   //
      5, 0, 0, 0,   //
      0, 0, 7, 0;
  const Eigen::Vector4d x{1.0, -2.0, 3.0, -4.0};
  DenseLU<4> lu;
  lu.compute(a);
  const Eigen::Vector4d solved = lu.solve(a * x);
  for (int i = 0; i < 4; ++i) CHECK(solved[i] == Approx(x[i]).epsilon(1e-15));
}

TEST_CASE("dense LU: one factorisation serves many right-hand sides, in place") {
  Eigen::Matrix3d a;
  a << 1e-3, 1, 2,  //
      4, 5, 6,      //
      7, 8, 10;     // a tiny leading entry: without pivoting the multipliers would be ~1e3
  DenseLU<3> lu;
  lu.compute(a);
  for (const Eigen::Vector3d& x :
       {Eigen::Vector3d{1, 2, 3}, Eigen::Vector3d{-1, 0, 1}, Eigen::Vector3d{1e6, -1e-6, 0}}) {
    Eigen::Vector3d b = a * x;
    lu.solve_in_place(b);
    CHECK((b - x).norm() <= 1e-12 * x.norm());
  }
}

// Peer: the same 0D or 1D problem solved by SUNDIALS CVODE (BDF, Newton, banded direct solver)
// as one unsplit method-of-lines ODE, the exact semi-discrete problem that citsim's Strang
// splitting approximates.
//
//   citsim_bench_cvode RUN.h5 [--jac analytic|dq] [--rtol R] [--atol A] [--reps N] [--out PREFIX]
//
// The problem comes from a citsim output file, as a researcher would take it: every parameter
// from the attributes of /parameters (base values, with the `<name>_effective` a patient changes
// for the kinetics and the injury), the resting tissue over depth from /tissue/* on /z, the
// sessions from /sessions, the record times from /time, and sun exposure from the config text in
// the root attribute `config` (the only patient value the file holds nowhere else).
//
// The kinetics are citsim's own `kinetics_rhs` and `kinetics_rhs_jacobian` (the comparison is of
// integrators, not of right-hand sides; the independent check of the equations is the SciPy peer,
// bench/py/scipy_peer.py). Transport is the same finite-volume flux citsim's backward Euler uses
// (docs/model.md §4): diffusion, fibroblast flux −D_F·F_rest,face·∇(F/F_rest), chemotaxis of F and Mf
// up ∇T upwinded, here with T at the current time. Per-cell injury: exact cell means of φ and
// φ_ch from the session geometry (citsim::ChannelInjury, docs/model.md §2); in 0D the reticular means
// in /sessions/phi_reticular, /sessions/phi_ch_reticular.
//
// Sessions are jumps: integrate to the session (CVodeSetStopTime), apply the jump, CVodeReInit.
// The timed part is everything after reading the file: per-cell injury, CVODE set-up,
// integration with output at every record time. --out writes PREFIX.states.npy (record time ×
// cell × species) and PREFIX.before.npy (the state just before the first session).
#include <cvode/cvode.h>
#include <sundials/sundials_config.h>
#include <hdf5.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_band.h>
#include <sunmatrix/sunmatrix_band.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "citsim/io/config.hpp"
#include "citsim/model/injury.hpp"
#include "citsim/model/kinetics.hpp"
#include "citsim/model/parameters.hpp"
#include "citsim/model/tissue.hpp"
#include "measure.hpp"

using namespace citsim;
using citsim::bench::json_list;
using citsim::bench::process_cpu_seconds;
using citsim::bench::vm_hwm_kib;

namespace {

constexpr int kNs = kSpeciesCount;

// ------------------------------------------------------------------------------------------------
// Reading the citsim file (HDF5 C API; every call checked)
// ------------------------------------------------------------------------------------------------

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

template <class T>
T check_h5(T id, const std::string& what) {
  if (id < 0) fail("HDF5: " + what);
  return id;
}

std::vector<double> read_doubles(hid_t file, const std::string& path) {
  const hid_t d = check_h5(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "open " + path);
  const hid_t sp = check_h5(H5Dget_space(d), "space " + path);
  const hssize_t n = H5Sget_simple_extent_npoints(sp);
  std::vector<double> v(static_cast<std::size_t>(std::max<hssize_t>(n, 0)));
  if (n > 0) check_h5(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "read " + path);
  H5Sclose(sp);
  H5Dclose(d);
  return v;
}

std::vector<std::string> read_strings(hid_t file, const std::string& path) {
  const hid_t d = check_h5(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "open " + path);
  const hid_t sp = check_h5(H5Dget_space(d), "space " + path);
  const hssize_t n = H5Sget_simple_extent_npoints(sp);
  std::vector<std::string> out;
  if (n > 0) {
    const hid_t t = check_h5(H5Tcopy(H5T_C_S1), "type");
    check_h5(H5Tset_size(t, H5T_VARIABLE), "type size");
    check_h5(H5Tset_cset(t, H5T_CSET_UTF8), "type cset");
    std::vector<char*> raw(static_cast<std::size_t>(n), nullptr);
    check_h5(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "read " + path);
    for (char* s : raw) out.emplace_back(s ? s : "");
    check_h5(H5Dvlen_reclaim(t, sp, H5P_DEFAULT, raw.data()), "reclaim " + path);
    H5Tclose(t);
  }
  H5Sclose(sp);
  H5Dclose(d);
  return out;
}

bool has_attr(hid_t obj, const std::string& name) { return H5Aexists(obj, name.c_str()) > 0; }

double read_attr_double(hid_t obj, const std::string& name) {
  const hid_t a = check_h5(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "attribute " + name);
  double x = 0.0;
  check_h5(H5Aread(a, H5T_NATIVE_DOUBLE, &x), "read attribute " + name);
  H5Aclose(a);
  return x;
}

std::string read_attr_string(hid_t obj, const std::string& name) {
  const hid_t a = check_h5(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "attribute " + name);
  const hid_t ft = check_h5(H5Aget_type(a), "attribute type " + name);
  std::string s;
  if (H5Tis_variable_str(ft) > 0) {
    char* p = nullptr;
    const hid_t mt = check_h5(H5Tcopy(H5T_C_S1), "type");
    check_h5(H5Tset_size(mt, H5T_VARIABLE), "type size");
    check_h5(H5Aread(a, mt, &p), "read attribute " + name);
    s = p ? p : "";
    H5free_memory(p);
    H5Tclose(mt);
  } else {
    const std::size_t n = H5Tget_size(ft);
    std::vector<char> buf(n + 1, '\0');
    check_h5(H5Aread(a, ft, buf.data()), "read attribute " + name);
    s.assign(buf.data(), std::strlen(buf.data()));
  }
  H5Tclose(ft);
  H5Aclose(a);
  return s;
}

/// Sun exposure: in the config text (with its `# key=value` --set lines re-applied).
double sun_exposure_from_config(const std::string& text) {
  std::vector<std::string> overrides;
  std::istringstream in(text);
  std::string line;
  bool in_overrides = false;
  while (std::getline(in, line)) {
    if (line.rfind("# --set overrides", 0) == 0) in_overrides = true;
    else if (in_overrides && line.rfind("# ", 0) == 0 && line.find('=') != std::string::npos)
      overrides.push_back(line.substr(2));
  }
  try {
    return parse_config(text, "(config attribute)", overrides).patient.sun_exposure;
  } catch (const std::exception& e) {
    std::cerr << "citsim_bench_cvode: config attribute unreadable (" << e.what()
              << "); assuming sun_exposure = 0\n";
    return 0.0;
  }
}

// ------------------------------------------------------------------------------------------------
// The problem
// ------------------------------------------------------------------------------------------------

struct SessionRow {
  Session session;
  double d_derm_file;
  double phi_reticular, phi_ch_reticular;
};

struct Problem {
  bool zero_d = false;
  Parameters p;                    ///< base, with the kinetic/injury `_effective` values
  std::size_t n = 0;               ///< cells
  double z_bottom = 0.0, h = 0.0;  ///< domain bottom, cell size [mm]
  std::vector<double> v, F_rest, C_rest, q3, E_rest, uv, p_C, p_E, k_t3;
  std::vector<SessionRow> sessions;
  std::vector<double> record_times;
  double sun_exposure = 0.0;
};

Problem read_problem(const std::string& path) {
  Problem pr;
  const hid_t f = check_h5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + path);
  const hid_t root = check_h5(H5Gopen2(f, "/", H5P_DEFAULT), "root group");
  pr.zero_d = read_attr_string(root, "model_level") == "0d";
  pr.sun_exposure = sun_exposure_from_config(read_attr_string(root, "config"));
  H5Gclose(root);

  const hid_t par = check_h5(H5Gopen2(f, "/parameters", H5P_DEFAULT), "/parameters");
  pr.p = default_parameters();
  for (const ParameterSpec& spec : parameter_table()) {
    const std::string name(spec.name);
    if (!has_attr(par, name)) fail("/parameters has no attribute " + name);
    pr.p.*spec.field = read_attr_double(par, name);
  }
  // The values the kinetics and the injury actually use (patient modifiers and age on σ_T; the
  // anticoagulant's platelet factor is inside c_plt_effective, so the jump takes no extra factor).
  for (const char* name : {"sigma_T", "c_inj", "kappa_keloid", "c_plt"}) {
    const std::string eff = std::string(name) + "_effective";
    if (has_attr(par, eff)) pr.p.*find_parameter(name)->field = read_attr_double(par, eff);
  }
  H5Gclose(par);

  const std::vector<double> z = read_doubles(f, "/z");
  pr.n = z.size();
  pr.z_bottom = pr.p.z_bottom;
  pr.h = pr.z_bottom / static_cast<double>(pr.n);
  pr.v = read_doubles(f, "/tissue/v");
  pr.F_rest = read_doubles(f, "/tissue/F_rest");
  pr.C_rest = read_doubles(f, "/tissue/C_rest");
  pr.q3 = read_doubles(f, "/tissue/q3");
  pr.E_rest = read_doubles(f, "/tissue/E_rest");
  pr.uv = read_doubles(f, "/tissue/uv");
  pr.p_C = read_doubles(f, "/tissue/p_C");
  pr.p_E = read_doubles(f, "/tissue/p_E");
  pr.k_t3 = read_doubles(f, "/tissue/k_t3");
  pr.record_times = read_doubles(f, "/time");

  const std::vector<double> t = read_doubles(f, "/sessions/time");
  if (!t.empty()) {
    const auto L = read_doubles(f, "/sessions/needle_length");
    const auto rho = read_doubles(f, "/sessions/density");
    const auto dn = read_doubles(f, "/sessions/needle_diameter");
    const auto tip = read_doubles(f, "/sessions/tip_length");
    const auto sharp = read_doubles(f, "/sessions/sharpness");
    const auto dderm = read_doubles(f, "/sessions/d_derm");
    const auto phi = read_doubles(f, "/sessions/phi_reticular");
    const auto phich = read_doubles(f, "/sessions/phi_ch_reticular");
    const auto device = read_strings(f, "/sessions/device");
    const auto sterility = read_strings(f, "/sessions/sterility");
    for (std::size_t k = 0; k < t.size(); ++k) {
      SessionRow r{};
      r.session.time = t[k];
      r.session.device = device[k] == "roller" ? Device::Roller : Device::Pen;
      r.session.needle_length = L[k];
      r.session.density = rho[k];
      r.session.needle_diameter = dn[k];
      r.session.tip_length = tip[k];
      r.session.sharpness = sharp[k];
      r.session.sterility = sterility[k] == "non_sterile" ? Sterility::NonSterile : Sterility::Sterile;
      r.d_derm_file = dderm[k];
      r.phi_reticular = phi[k];
      r.phi_ch_reticular = phich[k];
      pr.sessions.push_back(r);
    }
  }
  H5Fclose(f);
  for (const auto* vec : {&pr.v, &pr.F_rest, &pr.C_rest, &pr.q3, &pr.E_rest, &pr.uv, &pr.p_C, &pr.p_E, &pr.k_t3})
    if (vec->size() != pr.n) fail("a /tissue profile does not match /z");
  return pr;
}

// ------------------------------------------------------------------------------------------------
// The method-of-lines ODE
// ------------------------------------------------------------------------------------------------

struct Mobile {
  int s;
  double chi;
  std::vector<double> a, b;  ///< diffusive face coefficients D·g_up/h, D·g_down/h per face
};

struct Model {
  const Problem* pr;
  std::vector<SiteRates> rates;
  std::vector<Mobile> mobile;
  std::vector<std::vector<InjuryFractions>> injury;  ///< per session, per cell
  int mu = 0, ml = 0;                                ///< band widths
};

Model build_model(const Problem& pr) {
  Model m;
  m.pr = &pr;
  const Parameters& p = pr.p;
  for (std::size_t i = 0; i < pr.n; ++i) {
    SiteRates s{};
    s.F_rest = pr.F_rest[i];
    s.q3 = pr.q3[i];
    s.v = pr.v[i];
    s.p_C = pr.p_C[i];
    s.p_E = pr.p_E[i];
    s.k_t3 = pr.k_t3[i];
    s.C_rest = pr.C_rest[i];
    s.sigma_T = p.sigma_T;
    s.P_uv = p.a_UV * pr.sun_exposure * pr.uv[i];
    s.kappa_keloid = p.kappa_keloid;
    m.rates.push_back(s);
  }
  if (pr.n > 1) {
    const std::pair<int, double> D[] = {{B, p.D_B},   {N, p.D_N}, {M1, p.D_M1}, {M2, p.D_M2}, {Cp, p.D_Cp},
                                        {Ca, p.D_Ca}, {T, p.D_T}, {F, p.D_F},   {Mf, p.D_Mf}};
    for (const auto& [s, Ds] : D) {
      Mobile mo{s, s == F ? p.chi_F : (s == Mf ? p.chi_Mf : 0.0), {}, {}};
      for (std::size_t f = 0; f + 1 < pr.n; ++f) {
        double gu = 1.0, gd = 1.0;
        if (s == F) {
          const double face = 0.5 * (pr.F_rest[f] + pr.F_rest[f + 1]);
          gu = face / pr.F_rest[f];
          gd = face / pr.F_rest[f + 1];
        }
        mo.a.push_back(Ds * gu / pr.h);
        mo.b.push_back(Ds * gd / pr.h);
      }
      if (Ds != 0.0 || mo.chi != 0.0) m.mobile.push_back(std::move(mo));
    }
    // rows (i, s) reach columns (i±1, s) and, for chemotaxis, (i±1, T)
    m.mu = kNs;
    m.ml = kNs;
    for (const Mobile& mo : m.mobile)
      if (mo.chi != 0.0) {
        m.mu = std::max(m.mu, kNs + T - mo.s);
        m.ml = std::max(m.ml, kNs + mo.s - T);
      }
  } else {
    m.mu = m.ml = kNs - 1;
  }
  // Per-cell injury (the timed set-up, like citsim's build_column_model).
  for (const SessionRow& r : pr.sessions) {
    std::vector<InjuryFractions> cells(pr.n);
    if (pr.zero_d) {
      cells[0] = {r.phi_ch_reticular, r.phi_reticular};
    } else {
      const ChannelInjury inj(r.session, p);
      if (std::abs(inj.d_derm() - r.d_derm_file) > 1e-12)
        fail("session geometry disagrees with /sessions/d_derm");
      for (std::size_t i = 0; i < pr.n; ++i) {
        const double top = static_cast<double>(i) * pr.h, bottom = static_cast<double>(i + 1) * pr.h;
        cells[i] = {inj.mean_channel_fraction(top, bottom), inj.mean_injured_fraction(top, bottom)};
      }
    }
    m.injury.push_back(std::move(cells));
  }
  return m;
}

int rhs(sunrealtype /*t*/, N_Vector y, N_Vector ydot, void* user) {
  const Model& m = *static_cast<const Model*>(user);
  const double* Y = N_VGetArrayPointer(y);
  double* Fd = N_VGetArrayPointer(ydot);
  const std::size_t n = m.pr->n;
  for (std::size_t i = 0; i < n; ++i) {
    const SpeciesVector u = Eigen::Map<const SpeciesVector>(Y + kNs * i);
    Eigen::Map<SpeciesVector>(Fd + kNs * i) = kinetics_rhs(u, m.rates[i], m.pr->p);
  }
  const double h = m.pr->h;
  for (const Mobile& mo : m.mobile) {
    for (std::size_t f = 0; f + 1 < n; ++f) {
      const double* u0 = Y + kNs * f;
      const double* u1 = u0 + kNs;
      double alpha = mo.a[f], beta = mo.b[f];
      if (mo.chi != 0.0) {
        const double a = mo.chi * (u1[T] - u0[T]) / h;
        alpha += std::max(a, 0.0);
        beta += std::max(-a, 0.0);
      }
      const double flux = (alpha * u0[mo.s] - beta * u1[mo.s]) / h;
      Fd[kNs * f + mo.s] -= flux;
      Fd[kNs * (f + 1) + mo.s] += flux;
    }
  }
  return 0;
}

int jacobian(sunrealtype /*t*/, N_Vector y, N_Vector /*fy*/, SUNMatrix J, void* user, N_Vector,
             N_Vector, N_Vector) {
  const Model& m = *static_cast<const Model*>(user);
  const double* Y = N_VGetArrayPointer(y);
  const std::size_t n = m.pr->n;
  if (SUNMatZero(J) != SUNMAT_SUCCESS) return -1;
  SpeciesVector f;
  SpeciesMatrix Jk;
  for (std::size_t i = 0; i < n; ++i) {
    const SpeciesVector u = Eigen::Map<const SpeciesVector>(Y + kNs * i);
    kinetics_rhs_jacobian(u, m.rates[i], m.pr->p, f, Jk);
    const auto o = static_cast<sunindextype>(kNs * i);
    for (int c = 0; c < kNs; ++c) {
      double* col = SUNBandMatrix_Column(J, o + c);
      for (int r = 0; r < kNs; ++r)
        if (Jk(r, c) != 0.0) SM_COLUMN_ELEMENT_B(col, o + r, o + c) = Jk(r, c);
    }
  }
  const double h = m.pr->h;
  auto add = [&](std::size_t row, std::size_t col, double x) {
    SM_ELEMENT_B(J, static_cast<sunindextype>(row), static_cast<sunindextype>(col)) += x;
  };
  for (const Mobile& mo : m.mobile) {
    const auto s = static_cast<std::size_t>(mo.s);
    for (std::size_t fc = 0; fc + 1 < n; ++fc) {
      const double* u0 = Y + kNs * fc;
      const double* u1 = u0 + kNs;
      const std::size_t r0 = kNs * fc + s, r1 = kNs * (fc + 1) + s;
      double alpha = mo.a[fc], beta = mo.b[fc];
      if (mo.chi != 0.0) {
        const double a = mo.chi * (u1[T] - u0[T]) / h;
        alpha += std::max(a, 0.0);
        beta += std::max(-a, 0.0);
        // chemotactic flux a·u_upwind: ∂/∂T_{f+1} = χ/h·u_up, ∂/∂T_f = −χ/h·u_up
        const double up = a >= 0.0 ? u0[mo.s] : u1[mo.s];
        const double g = mo.chi / h * up / h;
        const std::size_t t0 = kNs * fc + T, t1 = kNs * (fc + 1) + T;
        add(r0, t1, -g);
        add(r0, t0, g);
        add(r1, t1, g);
        add(r1, t0, -g);
      }
      add(r0, r0, -alpha / h);
      add(r0, r1, beta / h);
      add(r1, r0, alpha / h);
      add(r1, r1, -beta / h);
    }
  }
  return 0;
}

// ------------------------------------------------------------------------------------------------
// Driver
// ------------------------------------------------------------------------------------------------

void check_cv(int flag, const char* call) {
  if (flag < 0) fail(std::string("CVODE: ") + call + " failed with flag " + std::to_string(flag));
}

template <class T>
T* check_ptr(T* p, const char* call) {
  if (p == nullptr) fail(std::string("CVODE: ") + call + " returned NULL");
  return p;
}

struct Stats {
  long steps = 0, rhs = 0, rhs_ls = 0, jac = 0, setups = 0, newton = 0, conv_fails = 0, err_fails = 0;
};

struct Outcome {
  double wall = 0.0, setup = 0.0, cpu = 0.0;
  Stats stats;
  std::vector<double> states;  ///< record time × N
  std::vector<double> before;  ///< N
};

void add_stats(void* mem, Stats& s) {
  long x = 0;
  check_cv(CVodeGetNumSteps(mem, &x), "CVodeGetNumSteps"); s.steps += x;
  check_cv(CVodeGetNumRhsEvals(mem, &x), "CVodeGetNumRhsEvals"); s.rhs += x;
  check_cv(CVodeGetNumLinRhsEvals(mem, &x), "CVodeGetNumLinRhsEvals"); s.rhs_ls += x;
  check_cv(CVodeGetNumJacEvals(mem, &x), "CVodeGetNumJacEvals"); s.jac += x;
  check_cv(CVodeGetNumLinSolvSetups(mem, &x), "CVodeGetNumLinSolvSetups"); s.setups += x;
  check_cv(CVodeGetNumNonlinSolvIters(mem, &x), "CVodeGetNumNonlinSolvIters"); s.newton += x;
  check_cv(CVodeGetNumNonlinSolvConvFails(mem, &x), "CVodeGetNumNonlinSolvConvFails"); s.conv_fails += x;
  check_cv(CVodeGetNumErrTestFails(mem, &x), "CVodeGetNumErrTestFails"); s.err_fails += x;
}

Outcome solve(const Problem& pr, bool analytic, double rtol, double atol, bool keep_states) {
  Outcome out;
  const auto started = std::chrono::steady_clock::now();
  const double cpu_started = process_cpu_seconds();
  Model m = build_model(pr);
  const std::size_t n = pr.n;
  const auto N = static_cast<sunindextype>(kNs * n);

  SUNContext ctx = nullptr;
  check_cv(SUNContext_Create(nullptr, &ctx), "SUNContext_Create");
  N_Vector y = check_ptr(N_VNew_Serial(N, ctx), "N_VNew_Serial");
  double* Y = N_VGetArrayPointer(y);
  for (std::size_t i = 0; i < n; ++i) {  // the resting state (docs/model.md §3)
    const DerivedRest d = derive_rest({pr.C_rest[i], pr.q3[i], pr.E_rest[i], pr.F_rest[i]}, pr.p);
    Eigen::Map<SpeciesVector> u(Y + kNs * i);
    u.setZero();
    u[F] = pr.F_rest[i];
    u[C3] = d.C3;
    u[C1] = d.C1;
    u[Cx] = d.Cx;
    u[E] = pr.E_rest[i];
  }
  const sunindextype mu = std::min<sunindextype>(m.mu, N - 1), ml = std::min<sunindextype>(m.ml, N - 1);
  SUNMatrix A = check_ptr(SUNBandMatrix(N, mu, ml, ctx), "SUNBandMatrix");
  SUNLinearSolver LS = check_ptr(SUNLinSol_Band(y, A, ctx), "SUNLinSol_Band");
  void* mem = check_ptr(CVodeCreate(CV_BDF, ctx), "CVodeCreate");
  const double t_end = pr.record_times.back();
  double t = 0.0;
  check_cv(CVodeInit(mem, rhs, t, y), "CVodeInit");
  check_cv(CVodeSStolerances(mem, rtol, atol), "CVodeSStolerances");
  check_cv(CVodeSetUserData(mem, &m), "CVodeSetUserData");
  check_cv(CVodeSetLinearSolver(mem, LS, A), "CVodeSetLinearSolver");
  if (analytic) check_cv(CVodeSetJacFn(mem, jacobian), "CVodeSetJacFn");
  check_cv(CVodeSetMaxNumSteps(mem, 1000000), "CVodeSetMaxNumSteps");
  out.setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (keep_states) out.states.reserve(pr.record_times.size() * static_cast<std::size_t>(N));
  out.before.assign(Y, Y + N);
  auto record = [&]() {
    if (keep_states) out.states.insert(out.states.end(), Y, Y + N);
  };
  std::size_t next_rec = 0, next_session = 0;
  bool fresh = true;  // CVodeInit/ReInit happened at t with the current y
  while (true) {
    // sessions at this time: the jump, then restart the integrator
    while (next_session < pr.sessions.size() && pr.sessions[next_session].session.time <= t) {
      if (next_session == 0) out.before.assign(Y, Y + N);
      const SessionRow& r = pr.sessions[next_session];
      for (std::size_t i = 0; i < n; ++i) {
        SpeciesVector u = Eigen::Map<SpeciesVector>(Y + kNs * i);
        apply_injury(u, m.injury[next_session][i], pr.v[i], r.session, pr.p, false);
        Eigen::Map<SpeciesVector>(Y + kNs * i) = u;
      }
      ++next_session;
      fresh = false;
    }
    if (!fresh) {
      add_stats(mem, out.stats);
      check_cv(CVodeReInit(mem, t, y), "CVodeReInit");
      fresh = true;
    }
    const double t_seg = next_session < pr.sessions.size() ? pr.sessions[next_session].session.time : t_end;
    check_cv(CVodeSetStopTime(mem, t_seg), "CVodeSetStopTime");
    // records in [t, t_seg): the one at t (right-continuous: after the jump) needs no step
    while (next_rec < pr.record_times.size() && pr.record_times[next_rec] < t_seg) {
      const double tr = pr.record_times[next_rec];
      if (tr > t) {
        double tret = t;
        check_cv(CVode(mem, tr, y, &tret, CV_NORMAL), "CVode");
      }
      record();
      ++next_rec;
    }
    if (t < t_seg) {
      double tret = t;
      check_cv(CVode(mem, t_seg, y, &tret, CV_NORMAL), "CVode");
      if (std::abs(tret - t_seg) > 1e-9 * std::max(1.0, t_seg)) fail("CVODE stopped short of a session");
    }
    t = t_seg;
    if (t >= t_end) {
      while (next_rec < pr.record_times.size()) {  // the end time itself
        record();
        ++next_rec;
      }
      break;
    }
  }
  add_stats(mem, out.stats);
  out.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out.cpu = process_cpu_seconds() - cpu_started;

  CVodeFree(&mem);
  check_cv(SUNLinSolFree(LS), "SUNLinSolFree");
  SUNMatDestroy(A);
  N_VDestroy(y);
  check_cv(SUNContext_Free(&ctx), "SUNContext_Free");
  return out;
}

void write_npy(const std::string& path, const std::vector<double>& data, const std::vector<std::size_t>& shape) {
  std::string dims;
  for (std::size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + dims + "), }";
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream o(path, std::ios::binary);
  if (!o) fail("cannot write " + path);
  const char magic[] = {'\x93', 'N', 'U', 'M', 'P', 'Y', '\x01', '\x00'};
  o.write(magic, sizeof magic);
  const auto len = static_cast<std::uint16_t>(header.size());
  const char lenb[] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  o.write(lenb, 2);
  o.write(header.data(), static_cast<std::streamsize>(header.size()));
  o.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size() * sizeof(double)));
  if (!o) fail("cannot write " + path);
}

int usage() {
  std::cerr << "usage: citsim_bench_cvode RUN.h5 [--jac analytic|dq] [--rtol R] [--atol A] [--reps N] [--out PREFIX]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string path = argv[1];
  std::string jac = "analytic", out_prefix;
  double rtol = 1e-4, atol = 1e-7;
  int reps = 1;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string v = argv[++i];
    if (a == "--jac") jac = v;
    else if (a == "--rtol") rtol = std::atof(v.c_str());
    else if (a == "--atol") atol = std::atof(v.c_str());
    else if (a == "--reps") reps = std::max(1, std::atoi(v.c_str()));
    else if (a == "--out") out_prefix = v;
    else return usage();
  }
  if (jac != "analytic" && jac != "dq") return usage();
  try {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported by check_h5
    const Problem pr = read_problem(path);
    std::vector<double> wall, setup, cpu;
    Outcome last;
    for (int r = 0; r < reps; ++r) {
      last = solve(pr, jac == "analytic", rtol, atol, !out_prefix.empty() && r == 0);
      wall.push_back(last.wall);
      setup.push_back(last.setup);
      cpu.push_back(last.cpu);
      if (r == 0 && !out_prefix.empty()) {
        write_npy(out_prefix + ".states.npy", last.states, {pr.record_times.size(), pr.n, static_cast<std::size_t>(kNs)});
        write_npy(out_prefix + ".before.npy", last.before, {pr.n, static_cast<std::size_t>(kNs)});
        last.states.clear();
        last.states.shrink_to_fit();
      }
    }
    const Stats& s = last.stats;
    std::cout.precision(9);
    std::cout << "{\"solver\": \"cvode\", \"sundials\": \"" << SUNDIALS_VERSION << "\", \"jac\": \"" << jac << "\", \"cells\": " << pr.n
              << ", \"rtol\": " << rtol << ", \"atol\": " << atol << ", \"wall_s\": " << json_list(wall)
              << ", \"cpu_s\": " << json_list(cpu) << ", \"setup_s\": " << json_list(setup) << ", \"steps\": " << s.steps
              << ", \"rhs_evals\": " << s.rhs + s.rhs_ls << ", \"rhs_evals_jac_dq\": " << s.rhs_ls
              << ", \"jac_evals\": " << s.jac << ", \"lin_setups\": " << s.setups
              << ", \"newton_iters\": " << s.newton << ", \"conv_fails\": " << s.conv_fails
              << ", \"err_test_fails\": " << s.err_fails << ", \"peak_rss_kib\": " << vm_hwm_kib() << "}\n";
  } catch (const std::exception& e) {
    std::cerr << "citsim_bench_cvode: " << e.what() << '\n';
    return 3;
  }
  return 0;
}

// docs/model.md §3, term by term. The Jacobian is written next to each equation so the two cannot
// drift apart; tests/model/test_kinetics.cpp checks it against finite differences.
#include "citsim/model/kinetics.hpp"

namespace citsim {
namespace {

/// h(x, K) = x/(K + x) and its derivative.
struct Hill {
  double value, slope;
};
inline Hill hill(double x, double K) {
  const double d = K + x;
  return {x / d, K / (d * d)};
}

/// The pieces of S shared by S, S·f3 and their derivatives (see collagen_synthesis).
struct SynthesisTerms {
  double K0;      ///< p_C·(1 + σ_T·h_C)·(1 − C/C_max)·(1 + σ_fill·deficit)/(1 + Cp/K_CpC)
  double W;       ///< F + β_Mf·Mf
  double Num;     ///< F·(f3_0 + Δf3·h_C) + β_Mf·Mf·f3_Mf
  Hill hC;        ///< h(T, K_TC)
  double gain, crowd, fill, inhib;
  bool deficit;   ///< C below its resting total: the deficit term acts
};

inline SynthesisTerms synthesis_terms(const SpeciesVector& u, const SiteRates& s,
                                      const Parameters& p) {
  SynthesisTerms t{};
  t.hC = hill(u[T], p.K_TC);
  t.gain = 1.0 + s.sigma_T * t.hC.value;
  const double C = u[C3] + u[C1] + u[Cx];
  t.crowd = 1.0 - C / p.C_max;
  // A defect in the matrix (a needle channel, the injured zone) is filled faster than intact
  // tissue turns over: zero at and above rest, so homeostasis and the derived rates stay.
  t.deficit = C < s.C_rest;
  t.fill = t.deficit ? 1.0 + p.sigma_fill * (1.0 - C / s.C_rest) : 1.0;
  t.inhib = 1.0 / (1.0 + u[Cp] / p.K_CpC);
  t.K0 = s.p_C * t.gain * t.crowd * t.fill * t.inhib;
  t.W = u[F] + p.beta_Mf * u[Mf];
  t.Num = u[F] * (s.q3 + p.Delta_f3 * t.hC.value) + p.beta_Mf * u[Mf] * p.f3_Mf;
  return t;
}

template <bool WithJacobian>
void evaluate(const SpeciesVector& u, const SiteRates& s, const Parameters& p, SpeciesVector& f,
              SpeciesMatrix* jp) {
  if constexpr (WithJacobian) jp->setZero();
  auto J = [jp](int i, int j) -> double& { return (*jp)(i, j); };

  // Debris: phagocytic clearance and slow decay.
  const double phag = u[N] + p.lambda_M * (u[M1] + u[M2]);
  f[D] = -p.k_D * phag * u[D] - p.k_D0 * u[D];
  if constexpr (WithJacobian) {
    J(D, D) = -p.k_D * phag - p.k_D0;
    J(D, N) = -p.k_D * u[D];
    J(D, M1) = J(D, M2) = -p.k_D * p.lambda_M * u[D];
  }

  // Bacteria: logistic growth, saturable innate clearance, killing by N and M1.
  const double sat = 1.0 + u[B] / p.K_Bi;
  const double kill = p.k_BN * u[N] + p.k_BM * u[M1];
  f[B] = p.r_B * u[B] * (1.0 - u[B]) - p.k_Bi * u[B] / sat - kill * u[B];
  if constexpr (WithJacobian) {
    J(B, B) = p.r_B * (1.0 - 2.0 * u[B]) - p.k_Bi / (sat * sat) - kill;
    J(B, N) = -p.k_BN * u[B];
    J(B, M1) = -p.k_BM * u[B];
  }

  // Neutrophils: recruited through the vessels by cytokines, debris and bacteria.
  const Hill hN = hill(u[Cp] + p.w_D * u[D] + p.w_B * u[B], p.K_N);
  f[N] = p.s_N * s.v * hN.value - p.mu_N * u[N];
  if constexpr (WithJacobian) {
    const double g = p.s_N * s.v * hN.slope;
    J(N, Cp) = g;
    J(N, D) = g * p.w_D;
    J(N, B) = g * p.w_B;
    J(N, N) = -p.mu_N;
  }

  // Macrophages: M1 recruited, switch to M2 (efferocytosis, IL-10), back-switch under Cp.
  const Hill hM = hill(u[Cp] + p.w_D * u[D], p.K_M);
  const Hill hCa = hill(u[Ca], p.K_Ca);
  const Hill hBack = hill(u[Cp], p.K_Cp);
  const double k_sw = p.k_12 * (1.0 + p.a_eff * p.mu_N * u[N] / p.K_eff + p.a_Ca * hCa.value);
  const double back = p.k_back * hBack.value;
  f[M1] = p.s_M * s.v * hM.value - k_sw * u[M1] + back * u[M2] - p.mu_M * u[M1];
  f[M2] = k_sw * u[M1] - back * u[M2] - p.mu_M * u[M2];
  if constexpr (WithJacobian) {
    const double dksw_dN = p.k_12 * p.a_eff * p.mu_N / p.K_eff;
    const double dksw_dCa = p.k_12 * p.a_Ca * hCa.slope;
    const double dback_dCp = p.k_back * hBack.slope;
    const double g = p.s_M * s.v * hM.slope;
    J(M1, Cp) = g + dback_dCp * u[M2];
    J(M1, D) = g * p.w_D;
    J(M1, M1) = -k_sw - p.mu_M;
    J(M1, M2) = back;
    J(M1, N) = -dksw_dN * u[M1];
    J(M1, Ca) = -dksw_dCa * u[M1];
    J(M2, M1) = k_sw;
    J(M2, M2) = -back - p.mu_M;
    J(M2, N) = dksw_dN * u[M1];
    J(M2, Ca) = dksw_dCa * u[M1];
    J(M2, Cp) = -dback_dCp * u[M2];
  }

  // Pro-inflammatory cytokines, inhibited by IL-10.
  const double release = p.a_D * u[D] + p.a_N * u[N] + p.a_M1 * u[M1] + p.a_B * u[B];
  const double inh = 1.0 / (1.0 + u[Ca] / p.K_I);
  f[Cp] = release * inh - p.delta_Cp * u[Cp];
  if constexpr (WithJacobian) {
    J(Cp, D) = p.a_D * inh;
    J(Cp, N) = p.a_N * inh;
    J(Cp, M1) = p.a_M1 * inh;
    J(Cp, B) = p.a_B * inh;
    J(Cp, Ca) = -release * inh * inh / p.K_I;
    J(Cp, Cp) = -p.delta_Cp;
  }

  // IL-10 from M2 and apoptotic neutrophils.
  f[Ca] = p.a_M2 * u[M2] + p.a_aN * p.mu_N * u[N] - p.delta_a * u[Ca];
  if constexpr (WithJacobian) {
    J(Ca, M2) = p.a_M2;
    J(Ca, N) = p.a_aN * p.mu_N;
    J(Ca, Ca) = -p.delta_a;
  }

  // Active TGF-β from M2 and (autocrine) from fibroblasts and myofibroblasts.
  const Hill hAuto = hill(u[T], p.K_auto);
  f[T] = p.a_TM * u[M2] + p.a_TF * (u[F] * hAuto.value + p.beta_T * u[Mf]) - p.delta_T * u[T];
  if constexpr (WithJacobian) {
    J(T, M2) = p.a_TM;
    J(T, F) = p.a_TF * hAuto.value;
    J(T, Mf) = p.a_TF * p.beta_T;
    J(T, T) = p.a_TF * u[F] * hAuto.slope - p.delta_T;
  }

  // Fibroblasts: homeostatic renewal, TGF-β-driven proliferation, differentiation to Mf.
  const Hill hTF = hill(u[T], p.K_TF);
  const Hill hMyo = hill(u[T], p.K_myo);
  const double cells = u[F] + u[Mf];
  const double renew = p.r_h * (1.0 - cells / s.F_rest);
  const double room = 1.0 - cells / (p.F_max * s.F_rest);
  const double grow = p.r_F * hTF.value * room;
  f[F] = u[F] * (renew + grow) - p.k_myo * hMyo.value * u[F];
  // Myofibroblasts: apoptosis slowed by TGF-β survival signalling and keloid tendency.
  const double surv = 1.0 + u[T] / p.K_surv;
  const double death = p.mu_Mf * (1.0 - s.kappa_keloid);
  f[Mf] = p.k_myo * hMyo.value * u[F] - death * u[Mf] / surv;
  if constexpr (WithJacobian) {
    const double dcrowd = -p.r_h / s.F_rest - p.r_F * hTF.value / (p.F_max * s.F_rest);
    J(F, F) = renew + grow + u[F] * dcrowd - p.k_myo * hMyo.value;
    J(F, Mf) = u[F] * dcrowd;
    J(F, T) = u[F] * p.r_F * hTF.slope * room - p.k_myo * hMyo.slope * u[F];
    J(Mf, F) = p.k_myo * hMyo.value;
    J(Mf, T) = p.k_myo * hMyo.slope * u[F] + death * u[Mf] / (p.K_surv * surv * surv);
    J(Mf, Mf) = -death / surv;
  }

  // Collagen: synthesis S split into type III (S·f3) and type I; cross-linking; turnover by MMP.
  const SynthesisTerms st = synthesis_terms(u, s, p);
  const double S = st.K0 * st.W;
  const double S3 = st.K0 * st.Num;
  const double deg = p.d_P * u[P];
  f[C3] = S3 - (s.k_t3 + deg) * u[C3];
  f[C1] = (S - S3) - p.k_x * u[C1] - (p.k_t1 + deg) * u[C1];
  f[Cx] = p.k_x * u[C1] - (p.k_tx + p.xi * deg) * u[Cx];
  if constexpr (WithJacobian) {
    // ∂K0/∂x for x ∈ {T, Cp, C3, C1, Cx}
    const double dK0_dT = s.p_C * s.sigma_T * st.hC.slope * st.crowd * st.fill * st.inhib;
    const double dfill_dC = st.deficit ? -p.sigma_fill / s.C_rest : 0.0;
    const double dK0_dC = s.p_C * st.gain * st.inhib * (-st.fill / p.C_max + st.crowd * dfill_dC);
    const double dK0_dCp = -st.K0 * st.inhib / p.K_CpC;
    const double dNum_dF = s.q3 + p.Delta_f3 * st.hC.value;
    const double dNum_dMf = p.beta_Mf * p.f3_Mf;
    const double dNum_dT = u[F] * p.Delta_f3 * st.hC.slope;
    // S = K0·W, S3 = K0·Num
    const double dS_dF = st.K0, dS_dMf = st.K0 * p.beta_Mf;
    const double dS_dT = dK0_dT * st.W, dS_dCp = dK0_dCp * st.W, dS_dC = dK0_dC * st.W;
    const double dS3_dF = st.K0 * dNum_dF, dS3_dMf = st.K0 * dNum_dMf;
    const double dS3_dT = dK0_dT * st.Num + st.K0 * dNum_dT;
    const double dS3_dCp = dK0_dCp * st.Num, dS3_dC = dK0_dC * st.Num;

    J(C3, F) = dS3_dF;
    J(C3, Mf) = dS3_dMf;
    J(C3, T) = dS3_dT;
    J(C3, Cp) = dS3_dCp;
    J(C3, C3) = dS3_dC - (s.k_t3 + deg);
    J(C3, C1) = dS3_dC;
    J(C3, Cx) = dS3_dC;
    J(C3, P) = -p.d_P * u[C3];

    J(C1, F) = dS_dF - dS3_dF;
    J(C1, Mf) = dS_dMf - dS3_dMf;
    J(C1, T) = dS_dT - dS3_dT;
    J(C1, Cp) = dS_dCp - dS3_dCp;
    J(C1, C3) = dS_dC - dS3_dC;
    J(C1, C1) = dS_dC - dS3_dC - p.k_x - (p.k_t1 + deg);
    J(C1, Cx) = dS_dC - dS3_dC;
    J(C1, P) = -p.d_P * u[C1];

    J(Cx, C1) = p.k_x;
    J(Cx, Cx) = -(p.k_tx + p.xi * deg);
    J(Cx, P) = -p.xi * p.d_P * u[Cx];
  }

  // Elastin: slow synthesis boosted by TGF-β, very slow turnover, elastase from N and M1.
  const double elastase = p.d_EN * u[N] + p.d_EM * u[M1];
  f[E] = s.p_E * u[F] * (1.0 + p.sigma_E * st.hC.value) - p.k_E0 * u[E] - elastase * u[E];
  if constexpr (WithJacobian) {
    J(E, F) = s.p_E * (1.0 + p.sigma_E * st.hC.value);
    J(E, T) = s.p_E * u[F] * p.sigma_E * st.hC.slope;
    J(E, E) = -p.k_E0 - elastase;
    J(E, N) = -p.d_EN * u[E];
    J(E, M1) = -p.d_EM * u[E];
  }

  // MMP activity from neutrophils, M1, cytokine-stimulated fibroblasts, and UV after-care.
  const Hill hP = hill(u[Cp], p.K_PCp);
  f[P] = p.a_PN * u[N] + p.a_PM * u[M1] + p.a_PF * u[F] * hP.value + s.P_uv - p.delta_MMP * u[P];
  if constexpr (WithJacobian) {
    J(P, N) = p.a_PN;
    J(P, M1) = p.a_PM;
    J(P, F) = p.a_PF * hP.value;
    J(P, Cp) = p.a_PF * u[F] * hP.slope;
    J(P, P) = -p.delta_MMP;
  }
}

}  // namespace

Synthesis collagen_synthesis(const SpeciesVector& u, const SiteRates& s, const Parameters& p) {
  const SynthesisTerms t = synthesis_terms(u, s, p);
  return {t.K0 * t.W, t.K0 * t.Num};
}

SpeciesVector kinetics_rhs(const SpeciesVector& u, const SiteRates& s, const Parameters& p) {
  SpeciesVector f;
  evaluate<false>(u, s, p, f, nullptr);
  return f;
}

void kinetics_rhs_jacobian(const SpeciesVector& u, const SiteRates& s, const Parameters& p,
                           SpeciesVector& dudt, SpeciesMatrix& jac) {
  evaluate<true>(u, s, p, dudt, &jac);
}

}  // namespace citsim

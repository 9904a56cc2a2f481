"""The citsim problem as a researcher would rebuild it from a citsim output file, and the readouts.

Everything comes from the HDF5 file citsim wrote (docs/file-format.md): parameters from the
attributes of /parameters (base values; `<name>_effective` where the patient changes the kinetics
or the injury), the resting tissue from /tissue/* over /z, the sessions from /sessions, the record
times from /time. Sun exposure is the one patient value the file holds only in the config text
(root attribute `config`). Nothing here imports citsim.

- `load_problem(path)` -> Problem: per-cell rates, resting state, per-cell injured fractions
  (exact cell means of phi and phi_ch on the fine grid citsim's injury.cpp uses), sessions.
- `make_kinetics(problem)`: docs/model.md §3, term by term as src/model/kinetics.cpp; works on
  Python floats (0D) and on numpy arrays (1D, any trailing shape).
- `make_transport(problem)`: docs/model.md §4 as a method-of-lines flux (the same finite-volume
  flux citsim's backward Euler uses, with T at the current time).
- `readouts(problem, states, before)`: R0 (virtual Cutometer, src/readouts/cutometer.cpp) and
  collagen induction (src/run.cpp) from states at the record times.
"""

import math
import tomllib

import h5py
import numpy as np

SPECIES = ["D", "B", "N", "M1", "M2", "Cp", "Ca", "T", "F", "Mf", "C3", "C1", "Cx", "E", "P"]
NS = len(SPECIES)
IX = {s: i for i, s in enumerate(SPECIES)}
KINETIC_EFFECTIVE = ("sigma_T", "c_inj", "kappa_keloid", "c_plt")
FINE_INTERVALS = 4000  # src/model/injury.cpp: midpoint means on 4000 intervals


def _str(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def _config_value(text, dotted, default):
    """A config value from the TOML text, with the `# key=value` --set lines re-applied."""
    value = default
    try:
        node = tomllib.loads(text)
        for part in dotted.split("."):
            node = node[part]
        value = node
    except (KeyError, tomllib.TOMLDecodeError, TypeError):
        pass
    lines = text.splitlines()
    if "# --set overrides" in lines:
        for line in lines[lines.index("# --set overrides") + 1:]:
            if line.startswith("# ") and "=" in line:
                k, v = line[2:].split("=", 1)
                if k.strip() == dotted:
                    value = v.strip()
    return float(value)


class Problem:
    pass


def covered_fraction(density, radius):
    return -np.expm1(-density * math.pi * radius * radius / 100.0)


def cell_fractions(base, sess, k, top, bottom):
    """Exact cell means of phi_ch and phi over [top, bottom] for session k (docs/model.md §2)."""
    eta = base["eta_pen"] if sess["device"][k] == "pen" else base["eta_roller"]
    d_eff = eta * sess["needle_length"][k]
    d_derm = min(max(d_eff - base["epidermis"], 0.0), base["z_bottom"])
    if abs(d_derm - sess["d_derm"][k]) > 1e-12:
        raise ValueError("session geometry disagrees with /sessions/d_derm")
    r0 = base["channel_closure"] * sess["needle_diameter"][k] * (
        1.0 + base["blunt_widening"] * (1.0 - sess["sharpness"][k]))
    tip = sess["tip_length"][k]
    h = (bottom - top) / FINE_INTERVALS
    z = top[:, None] + (np.arange(FINE_INTERVALS)[None, :] + 0.5) * h[:, None]
    r = np.where((z < d_derm) & (z >= 0.0), r0 * np.minimum(1.0, (d_derm - z) / tip), 0.0)
    rho = sess["density"][k]
    phi_ch = covered_fraction(rho, r).sum(axis=1) / FINE_INTERVALS
    phi = covered_fraction(rho, r * (1.0 + base["halo"])).sum(axis=1) / FINE_INTERVALS
    return phi_ch, phi


def load_problem(path):
    pr = Problem()
    with h5py.File(path, "r") as f:
        pr.level = _str(f.attrs["model_level"])
        pr.zero_d = pr.level == "0d"
        pr.config = _str(f.attrs["config"])
        a = f["parameters"].attrs
        base = {k: float(a[k]) for k in a.keys() if np.ndim(a[k]) == 0}
        eff = dict(base)
        for k in KINETIC_EFFECTIVE:
            if k + "_effective" in base:
                eff[k] = base[k + "_effective"]
        pr.base, pr.p = base, eff
        pr.z = f["z"][:]
        pr.time = f["time"][:]
        pr.tissue = {k: f["tissue"][k][:] for k in
                     ("v", "F_rest", "C_rest", "q3", "E_rest", "uv", "p_C", "p_E", "k_t3")}
        s = f["sessions"]
        pr.sessions = {k: s[k][:] for k in ("time", "needle_length", "density", "needle_diameter",
                                            "tip_length", "sharpness", "d_derm", "phi_reticular",
                                            "phi_ch_reticular")}
        pr.sessions["device"] = [_str(x) for x in s["device"][:]]
        pr.sessions["sterility"] = [_str(x) for x in s["sterility"][:]]
        # citsim's own readouts, for the comparison
        pr.citsim = {k: f["readouts"][k][:] for k in ("R0", "collagen_induction")}
        pr.pre_treatment_R0 = float(f.attrs["pre_treatment_R0"])
        pr.profile_time = f["profile_time"][:]
        pr.profiles = {sp: f["profiles"][sp][:] for sp in SPECIES}
    pr.n = len(pr.z)
    pr.h = pr.base["z_bottom"] / pr.n
    pr.sun_exposure = _config_value(pr.config, "patient.sun_exposure", 0.0)
    pr.end = float(pr.time[-1])
    return pr


def injury_fractions(pr):
    """Per session: (phi_ch, phi) arrays over the cells (0D: the reticular means)."""
    out = []
    for k in range(len(pr.sessions["time"])):
        if pr.zero_d:
            out.append((np.array([pr.sessions["phi_ch_reticular"][k]]),
                        np.array([pr.sessions["phi_reticular"][k]])))
        else:
            top = np.arange(pr.n) * pr.h
            bottom = (np.arange(pr.n) + 1) * pr.h
            out.append(cell_fractions(pr.base, pr.sessions, k, top, bottom))
    return out


def resting_state(pr):
    """(n, 15): zero inflammation, F = F_rest, matrix at its homeostatic split (docs/model.md §3)."""
    p, t = pr.p, pr.tissue
    ratio = p["k_x"] / p["k_tx"]
    u = np.zeros((pr.n, NS))
    u[:, IX["F"]] = t["F_rest"]
    u[:, IX["C3"]] = t["q3"] * t["C_rest"]
    c1 = (1.0 - t["q3"]) * t["C_rest"] / (1.0 + ratio)
    u[:, IX["C1"]] = c1
    u[:, IX["Cx"]] = ratio * c1
    u[:, IX["E"]] = t["E_rest"]
    return u


def apply_injury(pr, u, k, fractions):
    """The jump of docs/model.md §2 at session k on u (n, 15), in place."""
    p = pr.p
    phi_ch, phi = fractions[k]
    v = pr.tissue["v"]
    u[:, IX["D"]] += phi * (1.0 - u[:, IX["D"]])
    for s in ("F", "Mf", "C3", "C1", "Cx", "E"):
        u[:, IX[s]] *= 1.0 - phi_ch
    u[:, IX["Cp"]] += p["c_inj"] * phi
    u[:, IX["T"]] += p["c_plt"] * phi * v  # c_plt_effective holds the anticoagulant factor
    if pr.sessions["sterility"][k] == "non_sterile":
        u[:, IX["B"]] += p["b_inoc"] * phi


def site_rates(pr, shape=None):
    """Per-cell rates: floats in 0D (shape None), else arrays reshaped to `shape`."""
    t, p = pr.tissue, pr.p
    vals = dict(v=t["v"], F_rest=t["F_rest"], q3=t["q3"], p_C=t["p_C"], p_E=t["p_E"],
                k_t3=t["k_t3"], C_rest=t["C_rest"], P_uv=p["a_UV"] * pr.sun_exposure * t["uv"])
    if shape is None:
        return {k: float(x[0]) for k, x in vals.items()}
    return {k: np.asarray(x, dtype=float).reshape(shape) for k, x in vals.items()}


def make_kinetics(pr, rates):
    """R(u): docs/model.md §3 exactly as src/model/kinetics.cpp. `u` is a sequence of the 15
    species (floats, or arrays broadcasting with the rates); returns the list of 15 rates."""
    p = pr.p
    k_D, lambda_M, k_D0 = p["k_D"], p["lambda_M"], p["k_D0"]
    r_B, k_Bi, K_Bi, k_BN, k_BM = p["r_B"], p["k_Bi"], p["K_Bi"], p["k_BN"], p["k_BM"]
    s_N, K_N, w_D, w_B, mu_N = p["s_N"], p["K_N"], p["w_D"], p["w_B"], p["mu_N"]
    s_M, K_M, mu_M = p["s_M"], p["K_M"], p["mu_M"]
    k_12, a_eff, K_eff, a_Ca, K_Ca = p["k_12"], p["a_eff"], p["K_eff"], p["a_Ca"], p["K_Ca"]
    k_back, K_Cp = p["k_back"], p["K_Cp"]
    a_D, a_N, a_M1, a_B, K_I, delta_Cp = p["a_D"], p["a_N"], p["a_M1"], p["a_B"], p["K_I"], p["delta_Cp"]
    a_M2, a_aN, delta_a = p["a_M2"], p["a_aN"], p["delta_a"]
    a_TM, a_TF, K_auto, beta_T, delta_T = p["a_TM"], p["a_TF"], p["K_auto"], p["beta_T"], p["delta_T"]
    r_h, r_F, K_TF, F_max = p["r_h"], p["r_F"], p["K_TF"], p["F_max"]
    k_myo, K_myo, mu_Mf, K_surv = p["k_myo"], p["K_myo"], p["mu_Mf"], p["K_surv"]
    sigma_T, K_TC, K_CpC, C_max = p["sigma_T"], p["K_TC"], p["K_CpC"], p["C_max"]
    beta_Mf, Delta_f3, f3_Mf = p["beta_Mf"], p["Delta_f3"], p["f3_Mf"]
    k_x, k_t1, k_tx, xi, d_P = p["k_x"], p["k_t1"], p["k_tx"], p["xi"], p["d_P"]
    k_E0, sigma_E, d_EN, d_EM = p["k_E0"], p["sigma_E"], p["d_EN"], p["d_EM"]
    a_PN, a_PM, a_PF, K_PCp, delta_MMP = p["a_PN"], p["a_PM"], p["a_PF"], p["K_PCp"], p["delta_MMP"]
    death_rate = mu_Mf * (1.0 - p["kappa_keloid"])
    v, F_rest, q3 = rates["v"], rates["F_rest"], rates["q3"]
    p_C, p_E, k_t3, P_uv = rates["p_C"], rates["p_E"], rates["k_t3"], rates["P_uv"]
    C_rest, sigma_fill = rates["C_rest"], p["sigma_fill"]
    sNv, sMv = s_N * v, s_M * v
    F_cap = F_max * F_rest
    ksw_N = a_eff * mu_N / K_eff

    def kinetics(u):
        D, B, N, M1, M2, Cp, Ca, T, F, Mf, C3, C1, Cx, E, P = u
        dD = -k_D * (N + lambda_M * (M1 + M2)) * D - k_D0 * D
        dB = r_B * B * (1.0 - B) - k_Bi * B / (1.0 + B / K_Bi) - (k_BN * N + k_BM * M1) * B
        xN = Cp + w_D * D + w_B * B
        dN = sNv * xN / (K_N + xN) - mu_N * N
        xM = Cp + w_D * D
        k_sw = k_12 * (1.0 + ksw_N * N + a_Ca * Ca / (K_Ca + Ca))
        back = k_back * Cp / (K_Cp + Cp)
        dM1 = sMv * xM / (K_M + xM) - k_sw * M1 + back * M2 - mu_M * M1
        dM2 = k_sw * M1 - back * M2 - mu_M * M2
        dCp = (a_D * D + a_N * N + a_M1 * M1 + a_B * B) / (1.0 + Ca / K_I) - delta_Cp * Cp
        dCa = a_M2 * M2 + a_aN * mu_N * N - delta_a * Ca
        dT = a_TM * M2 + a_TF * (F * T / (K_auto + T) + beta_T * Mf) - delta_T * T
        cells = F + Mf
        hMyo = T / (K_myo + T)
        dF = F * (r_h * (1.0 - cells / F_rest) + r_F * T / (K_TF + T) * (1.0 - cells / F_cap)) \
            - k_myo * hMyo * F
        dMf = k_myo * hMyo * F - death_rate * Mf / (1.0 + T / K_surv)
        hC = T / (K_TC + T)
        C = C3 + C1 + Cx
        fill = 1.0 + sigma_fill * np.maximum(0.0, 1.0 - C / C_rest)  # the matrix deficit (v3)
        K0 = p_C * (1.0 + sigma_T * hC) * (1.0 - C / C_max) * fill / (1.0 + Cp / K_CpC)
        S = K0 * (F + beta_Mf * Mf)
        S3 = K0 * (F * (q3 + Delta_f3 * hC) + beta_Mf * Mf * f3_Mf)
        deg = d_P * P
        dC3 = S3 - (k_t3 + deg) * C3
        dC1 = (S - S3) - k_x * C1 - (k_t1 + deg) * C1
        dCx = k_x * C1 - (k_tx + xi * deg) * Cx
        dE = p_E * F * (1.0 + sigma_E * hC) - k_E0 * E - (d_EN * N + d_EM * M1) * E
        dP = a_PN * N + a_PM * M1 + a_PF * F * Cp / (K_PCp + Cp) + P_uv - delta_MMP * P
        return [dD, dB, dN, dM1, dM2, dCp, dCa, dT, dF, dMf, dC3, dC1, dCx, dE, dP]

    return kinetics


def mobile_species(pr):
    """(species index, D, chi) of every species that moves (docs/model.md §4)."""
    p = pr.p
    out = []
    for s, d, chi in (("B", "D_B", None), ("N", "D_N", None), ("M1", "D_M1", None),
                      ("M2", "D_M2", None), ("Cp", "D_Cp", None), ("Ca", "D_Ca", None),
                      ("T", "D_T", None), ("F", "D_F", "chi_F"), ("Mf", "D_Mf", "chi_Mf")):
        D, c = p[d], (p[chi] if chi else 0.0)
        if D != 0.0 or c != 0.0:
            out.append((IX[s], D, c))
    return out


def make_transport(pr, trailing=1):
    """Adds the transport flux divergence to du (lists of (n, trailing) arrays), in place."""
    h = pr.h
    Fr = pr.tissue["F_rest"]
    face = 0.5 * (Fr[:-1] + Fr[1:])
    g_up = (face / Fr[:-1])[:, None]
    g_down = (face / Fr[1:])[:, None]
    iT, iF = IX["T"], IX["F"]
    terms = []
    for s, D, chi in mobile_species(pr):
        if s == iF:
            a0, b0 = D * g_up / h, D * g_down / h
        else:
            a0 = b0 = D / h
        terms.append((s, a0, b0, chi))

    def transport(u, du):
        vel = (u[iT][1:] - u[iT][:-1]) / h
        for s, a0, b0, chi in terms:
            x = u[s]
            if chi != 0.0:
                a = chi * vel
                alpha = a0 + np.maximum(a, 0.0)
                beta = b0 + np.maximum(-a, 0.0)
            else:
                alpha, beta = a0, b0
            flux = (alpha * x[:-1] - beta * x[1:]) / h
            du[s][:-1] -= flux
            du[s][1:] += flux

    return transport


# ------------------------------------------------------------------------------------------------
# Readouts (docs/model.md §5), as src/readouts/cutometer.cpp and src/run.cpp compute them
# ------------------------------------------------------------------------------------------------

def _smooth_step(z, zb, w):
    return 0.5 * (1.0 + np.tanh((z - zb) / w))


def _blend(z, b, pap, ret, hyp):
    s1 = _smooth_step(z, b["z_papillary"], b["w_transition"])
    s2 = _smooth_step(z, b["z_reticular"], b["w_transition"])
    return pap + (ret - pap) * s1 + (hyp - ret) * s2


def _grid(pr):
    top = np.arange(pr.n) * pr.h
    return top, top + pr.h


def cutometer_weights(pr):
    if pr.zero_d:
        return np.array([1.0])
    b = pr.base
    top, bottom = _grid(pr)
    lam, zr = b["lambda_c"], b["z_reticular"]
    overlap = np.maximum(0.0, np.minimum(zr, bottom) - np.maximum(0.0, top))
    bb = np.minimum(bottom, zr)
    w = np.where((overlap > 0) & (bb > top),
                 lam * (np.exp(-top / lam) - np.exp(-np.maximum(bb, top) / lam)), 0.0)
    return w / w.sum()


def dermis_weights(pr):
    if pr.zero_d:
        return np.array([1.0])
    top, bottom = _grid(pr)
    w = np.maximum(0.0, np.minimum(pr.base["z_reticular"], bottom) - np.maximum(0.0, top))
    return w / w.sum()


def reference_stiffness(pr, w):
    """The same tissue at rest at age 25, laxity 'aging', no patient modifiers (base values)."""
    b = pr.base
    age = b["age_cutometer_ref"]
    fc = max(b["age_C_floor"], 1.0 - b["age_C_slope"] * (age - b["age_ref"]))
    fe = max(b["age_E_floor"], 1.0 - b["age_E_slope"] * (age - b["age_ref"]))
    if pr.zero_d:
        C, q3, E = fc * b["C_reticular"], b["q3_reticular"], fe * b["E_reticular"]
        C, q3, E = np.array([C]), np.array([q3]), np.array([E])
    else:
        z = (np.arange(pr.n) + 0.5) * pr.h
        C = fc * _blend(z, b, b["C_papillary"], b["C_reticular"], b["C_hypodermis"])
        q3 = _blend(z, b, b["q3_papillary"], b["q3_reticular"], b["q3_hypodermis"])
        E = fe * _blend(z, b, b["E_papillary"], b["E_reticular"], b["E_hypodermis"])
    ratio = b["k_x"] / b["k_tx"]
    C3 = q3 * C
    C1 = (1.0 - q3) * C / (1.0 + ratio)
    Cx = ratio * C1
    return (float(np.dot(w, C1 + b["kappa_x"] * Cx + b["kappa_3"] * C3)), float(np.dot(w, E)))


def cutometer_R0(b, c_hat, e_hat):
    c2 = c_hat * c_hat
    E1 = b["E_e"] * e_hat + b["E_c"] * c2
    E2 = b["E_v"] * c2
    eta = b["eta_visc"] * c2
    tau = eta * (E1 + E2) / (E1 * E2)
    load = b["g_cutometer"] * b["suction"]
    return load * (1.0 / E1 - E2 / (E1 * (E1 + E2)) * np.exp(-b["t_on"] / tau))


def readouts(pr, states, before):
    """R0 [mm] and collagen induction [%] at every record time from states (times, n, 15) and the
    state just before the first session (n, 15)."""
    b = pr.base
    wc, wd = cutometer_weights(pr), dermis_weights(pr)
    ref_c, ref_e = reference_stiffness(pr, wc)
    C3, C1, Cx, E = (states[:, :, IX[s]] for s in ("C3", "C1", "Cx", "E"))
    c_hat = (C1 + b["kappa_x"] * Cx + b["kappa_3"] * C3) @ wc / ref_c
    e_hat = E @ wc / ref_e
    R0 = cutometer_R0(b, c_hat, e_hat)
    C_dermis = (C3 + C1 + Cx) @ wd
    C_before = float(np.dot(wd, before[:, IX["C3"]] + before[:, IX["C1"]] + before[:, IX["Cx"]]))
    return R0, 100.0 * (C_dermis - C_before) / C_before


def self_check(pr):
    """This module's readouts on citsim's own profiles must reproduce citsim's /readouts."""
    idx = np.searchsorted(pr.time, pr.profile_time)
    states = np.stack([pr.profiles[s] for s in SPECIES], axis=-1)  # (profile_time, n, 15)
    first = pr.sessions["time"][0] if len(pr.sessions["time"]) else None
    if first is not None and first > 0:
        return None  # the pre-treatment state is not in the file: skip
    R0, CI = readouts(pr, states, resting_state(pr))
    e_R0 = float(np.max(np.abs(R0 - pr.citsim["R0"][idx]) / pr.citsim["R0"][idx]))
    e_CI = float(np.max(np.abs(CI - pr.citsim["collagen_induction"][idx])))
    return e_R0, e_CI


def compare(pr, R0, CI, ref_R0=None, ref_CI=None):
    """Largest differences against citsim's trajectories (or the given reference):
    R0 pointwise relative; collagen induction relative to its largest magnitude, and in points."""
    rR0 = pr.citsim["R0"] if ref_R0 is None else ref_R0
    rCI = pr.citsim["collagen_induction"] if ref_CI is None else ref_CI
    d_R0 = float(np.max(np.abs(R0 - rR0) / np.abs(rR0)))
    d_CI_pp = float(np.max(np.abs(CI - rCI)))
    return {"R0_rel": d_R0, "CI_rel": d_CI_pp / float(np.max(np.abs(rCI))), "CI_pp": d_CI_pp,
            "CI_end_rel": float(abs(CI[-1] - rCI[-1]) / abs(rCI[-1]))}

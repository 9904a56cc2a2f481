#!/usr/bin/python3
"""`citsim report` pages in a real browser: Debian's headless Chromium driven by Selenium.

    /usr/bin/python3 tests/report/check_report_browser.py <citsim-binary> <source-dir>
    /usr/bin/python3 tests/report/check_report_browser.py <citsim-binary> <source-dir> \
        --page REPORT.html [--screenshots DIR]

Without --page, runs two short 1D runs and a 0D run and writes two pages: one run, and all
three overlaid. On each page it checks: no console errors; nothing fetched over the network
(the page is self-contained, and every host name is made unresolvable); every plot drew a chart
with data and coloured pixels; moving the time slider (with the keyboard, as a user would)
changes the clock, the plotted data and the picture; hovering shows values and dragging zooms;
the Cutometer selector changes its plot;
the session and parameter tables are filled. --screenshots saves the top of the page
(report.png) and the depth-profile section (report_profile.png).

Needs chromium, chromium-driver and python3-selenium (scripts/debian-packages.txt). Prints one
line per check; the last line is `N passed, M failed`.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from headless_chromium import CHROMEDRIVER, CHROMIUM, browser  # noqa: E402
from tally import Tally  # noqa: E402

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

PLOTS_1D = ["plot-firmness", "plot-matrix", "plot-cutometer", "plot-wave", "plot-profile"]

TALLY = Tally()
check = TALLY.check



# Pixels of a chart's canvas: how many are drawn (not transparent, not white), how many colours.
CANVAS_STATS = """
const c = document.querySelector('#' + arguments[0] + ' canvas');
if (!c) return null;
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
let drawn = 0; const colours = new Set();
for (let i = 0; i < d.length; i += 4) {
  if (d[i + 3] > 0 && !(d[i] > 245 && d[i + 1] > 245 && d[i + 2] > 245)) {
    drawn++; if (colours.size < 64) colours.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2]);
  }
}
return {w: c.width, h: c.height, drawn: drawn, colours: colours.size, url: c.toDataURL()};
"""


def chart_points(d, plot):
    """Points with a value in the chart's series (beyond x)."""
    return d.execute_script(
        "const u = window.citsimReport.charts[arguments[0]]; if (!u) return 0;"
        "return u.data.slice(1).reduce((n, s) => n + s.filter(v => v !== null && isFinite(v)).length, 0);", plot)


def check_page(page, label, expect_plots, screenshots=None):
    with tempfile.TemporaryDirectory(prefix="citsim_chromium.") as profile:
        d = browser(profile)
        try:
            d.get("file://" + os.path.abspath(page))
            deadline = time.time() + 60
            while time.time() < deadline and not d.execute_script("return !!(window.citsimReport && window.citsimReport.ready)"):
                time.sleep(0.2)
            ready = d.execute_script("return !!(window.citsimReport && window.citsimReport.ready)")
            check(ready, f"[{label}] the page script ran to the end")

            # 1. Every plot rendered: a uPlot chart with data and a drawn, coloured canvas.
            for plot in expect_plots:
                stats = d.execute_script(CANVAS_STATS, plot)
                points = chart_points(d, plot)
                check(stats is not None and stats["w"] > 200 and stats["h"] > 100, f"[{label}] {plot}: canvas drawn",
                      str(stats and {k: stats[k] for k in ("w", "h")}))
                check(points > 10, f"[{label}] {plot}: {points} data points")
                check(stats is not None and stats["drawn"] > 2000 and stats["colours"] >= 3,
                      f"[{label}] {plot}: lines and axes on the canvas",
                      str(stats and {k: stats[k] for k in ("drawn", "colours")}))

            # 2. The time slider moves the depth profile.
            if "plot-profile" in expect_plots:
                slider = d.find_element(By.ID, "profile-slider")
                clock = d.find_element(By.ID, "profile-clock")
                before = (clock.text, d.execute_script(CANVAS_STATS, "plot-profile")["url"],
                          d.execute_script("return JSON.stringify(window.citsimReport.charts['plot-profile'].data)"))
                check(before[0].startswith("day 0"), f"[{label}] slider starts at day 0", before[0])
                slider.click()
                slider.send_keys(Keys.END)
                time.sleep(0.3)
                after = (clock.text, d.execute_script(CANVAS_STATS, "plot-profile")["url"],
                         d.execute_script("return JSON.stringify(window.citsimReport.charts['plot-profile'].data)"))
                last_day = d.execute_script("const t = window.citsimReport.profileTimes; return t[t.length - 1];")
                check(slider.get_attribute("value") == slider.get_attribute("max"), f"[{label}] End key moves the slider to the end")
                check(after[0] != before[0] and after[0].startswith(f"day {last_day:g}"),
                      f"[{label}] the clock follows the slider", f"{before[0]!r} -> {after[0]!r}")
                check(after[2] != before[2], f"[{label}] the slider changes the plotted profile data")
                check(hashlib.sha1(after[1].encode()).digest() != hashlib.sha1(before[1].encode()).digest(),
                      f"[{label}] the slider changes the picture")
                slider.send_keys(Keys.HOME)
                for _ in range(5):
                    slider.send_keys(Keys.ARROW_RIGHT)
                time.sleep(0.2)
                check(slider.get_attribute("value") == "5" or int(slider.get_attribute("max")) < 5,
                      f"[{label}] arrow keys step the slider", slider.get_attribute("value"))

            # 3. Hover shows values in the legend; dragging across the plot zooms in.
            if "plot-firmness" in expect_plots:
                over = d.find_element(By.CSS_SELECTOR, "#plot-firmness .u-over")
                values = lambda: [e.text for e in d.find_elements(By.CSS_SELECTOR, "#plot-firmness .u-legend .u-value")]
                before = values()
                ActionChains(d).move_to_element_with_offset(over, 40, 0).perform()
                time.sleep(0.3)
                hovered = values()
                check(hovered != before and any(v.endswith("%") for v in hovered[1:]),
                      f"[{label}] hovering shows values in the legend", f"{before} -> {hovered}")
                scale = "const x = window.citsimReport.charts['plot-firmness'].scales.x; return [x.min, x.max];"
                full = d.execute_script(scale)
                ActionChains(d).move_to_element_with_offset(over, -150, 0).click_and_hold() \
                    .move_by_offset(120, 0).release().perform()
                time.sleep(0.3)
                zoomed = d.execute_script(scale)
                check(zoomed[1] - zoomed[0] < 0.5 * (full[1] - full[0]), f"[{label}] dragging zooms in",
                      f"{full} -> {zoomed}")

            # 4. The Cutometer selector changes its plot.
            if "plot-cutometer" in expect_plots:
                before = d.execute_script(CANVAS_STATS, "plot-cutometer")["url"]
                d.find_element(By.CSS_SELECTOR, "#cutometer-select option[value='R7']").click()
                time.sleep(0.3)
                after = d.execute_script(CANVAS_STATS, "plot-cutometer")["url"]
                check(after != before, f"[{label}] choosing R7 redraws the Cutometer plot")

            # 5. Tables and explanations.
            rows = d.execute_script("return document.querySelectorAll('#sessions tr').length")
            check(rows >= 2, f"[{label}] session table filled", f"{rows} rows")
            prows = d.execute_script("return document.querySelectorAll('#parameters tr').length")
            check(prows > 50, f"[{label}] parameter table filled", f"{prows} rows")
            text = d.find_element(By.TAG_NAME, "body").text
            check("R7" in text and "Remodeling" in text and "Inflammation" in text,
                  f"[{label}] Cutometer readouts and healing phases explained")

            # 6. Self-contained: nothing fetched, no console errors.
            fetched = d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
            check(fetched == [], f"[{label}] nothing fetched from the network", str(fetched[:5]))
            errors = [e for e in d.get_log("browser") if e.get("level") in ("SEVERE", "ERROR")]
            check(not errors, f"[{label}] no console errors", "; ".join(e.get("message", "") for e in errors[:5]))

            if screenshots:
                os.makedirs(screenshots, exist_ok=True)
                slider = d.find_element(By.ID, "profile-slider")
                d.execute_script("const s = arguments[0]; s.value = Math.round(s.max * 0.45);"
                                 "s.dispatchEvent(new Event('input'));", slider)
                d.execute_script("window.scrollTo(0, 0)")
                d.set_window_size(1200, 1150)
                time.sleep(0.5)
                d.save_screenshot(os.path.join(screenshots, "report.png"))
                d.find_element(By.ID, "profile-section").screenshot(os.path.join(screenshots, "report_profile.png"))
                print(f"  saved {screenshots}/report.png and report_profile.png")
        finally:
            d.quit()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("citsim")
    ap.add_argument("source")
    ap.add_argument("--page", help="check this page instead of generating test pages")
    ap.add_argument("--screenshots", help="directory for report.png and report_profile.png")
    args = ap.parse_args()
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not os.access(tool, os.X_OK):
            print(f"FAIL  {tool} is missing: run scripts/setup.sh (chromium, chromium-driver)")
            print("0 passed, 1 failed")
            return 1

    if args.page:
        check_page(args.page, os.path.basename(args.page), PLOTS_1D, args.screenshots)
    else:
        with tempfile.TemporaryDirectory(prefix="citsim_report.") as out:
            presets = os.path.join(args.source, "configs", "presets")
            short = ["--set", "protocol.end_days=40", "--set", "numerics.dz=0.05", "--set", "output.profile_dt=2"]
            runs = {"pen": ("single_session.toml", []),
                    "roller": ("home_roller_0.5mm.toml", ["--set", "protocol.series.count=1"]),
                    "zero_d": ("single_session.toml", ["--set", "model.level=0d"])}
            files = []
            for name, (preset, extra) in runs.items():
                h5 = os.path.join(out, name + ".h5")
                r = subprocess.run([args.citsim, "run", os.path.join(presets, preset), "-o", h5, "--quiet",
                                    *short, *extra], capture_output=True, text=True)
                check(r.returncode == 0, f"citsim run ({name})", r.stderr.strip())
                files.append(h5)
            one, many = os.path.join(out, "one.html"), os.path.join(out, "many.html")
            for page, inputs in ((one, files[:1]), (many, files)):
                r = subprocess.run([args.citsim, "report", *inputs, "-o", page], capture_output=True, text=True)
                check(r.returncode == 0 and os.path.getsize(page) > 10000, f"citsim report -> {os.path.basename(page)}",
                      r.stderr.strip())
            check_page(one, "one run", PLOTS_1D, args.screenshots)
            check_page(many, "three runs overlaid", PLOTS_1D)
    return TALLY.summary()


if __name__ == "__main__":
    sys.exit(main())

"""``dvc plots show`` draws every chart with no network: the repository's HTML template inlines Vega.

DVC's default page loads vega, vega-lite and vega-embed from cdn.jsdelivr.net, so on a machine with
no network its charts stay empty. ``.dvc/config`` sets ``plots.html_template`` to
``.dvc/plots/offline.html`` (written by ``web/build_plots_template.sh``), which carries the three
libraries inline. Here a real headless Chromium, with the network switched off and every request
recorded, opens the page ``dvc plots show`` writes from ``file://`` and counts the charts drawn.
"""

import json
import re
import shutil
import time

from latentspace.tools import browser
import pytest

from helpers import ROOT, dvc_in, git_init

CURVES = ("epoch,loss,reconst_loss,diverg_loss,class_loss,val_loss,val_reconst_loss,val_diverg_loss,val_class_loss\n"
          "1,375.9,327.3,26.1,22.4,247.5,209.1,23.0,15.3\n"
          "2,221.6,189.9,20.8,10.8,207.1,178.2,19.5,9.3\n"
          "3,190.2,161.0,20.1,9.1,186.4,158.8,19.9,7.7\n")
OVERLAY = ("model,epoch,loss,reconst_loss,diverg_loss,class_loss,val_loss,val_reconst_loss,val_diverg_loss,val_class_loss\n"
           "ae,1,304.5,,,,210.5,,,\n"
           "ae,2,192.0,,,,174.5,,,\n"
           "vae,1,330.1,301.2,28.9,,240.3,212.0,28.3,\n"
           "vae,2,230.7,205.5,25.2,,221.0,196.9,24.1,\n")
# The way dvc.yaml declares the project's two kinds of chart (a top-level `plots:` needs no stage).
DVC_YAML = """plots:
  - plots/curves/vae.csv:
      template: losses
      x: epoch
      title: Losses of vae (nats per image)
  - plots/losses.csv:
      template: overlay
      x: epoch
      title: Every model's losses (nats per image)
"""
CHARTS = 2

# Per vega-embed container (the element vegaEmbed() drew into; DVC's div): how many of Vega's
# canvas or SVG renderings (class "marks", in vega-embed's div.chart-wrapper; the actions menu's own
# <svg> icon is not one) have a non-zero size and are painted (a canvas: more than one colour; an
# SVG: some marks).
DRAWN = """[...document.querySelectorAll('.vega-embed')].map(container => {
    const marks = [...container.querySelectorAll('canvas.marks, svg.marks')];
    const sized = marks.filter(m => { const r = m.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
    const painted = sized.filter(m => {
        if (m.tagName.toLowerCase() === 'svg') return m.querySelector('path, line, rect, text') !== null;
        const pixels = m.getContext('2d').getImageData(0, 0, m.width, m.height).data;
        for (let i = 4; i < pixels.length; i += 4)
            for (let c = 0; c < 4; c++) if (pixels[i + c] !== pixels[c]) return true;
        return false;
    });
    return {id: container.id, sized: sized.length, painted: painted.length};
})"""


@pytest.fixture
def project(tmp_path):
    """A git + DVC project with the repository's chart templates, HTML template and DVC config."""
    path = tmp_path / "project"
    git_init(path)
    dvc_in(path)("init", "-q")
    shutil.copytree(ROOT / ".dvc/plots", path / ".dvc/plots")
    shutil.copy2(ROOT / ".dvc/config", path / ".dvc/config")
    (path / "plots/curves").mkdir(parents=True)
    (path / "plots/curves/vae.csv").write_text(CURVES)
    (path / "plots/losses.csv").write_text(OVERLAY)
    (path / "dvc.yaml").write_text(DVC_YAML)
    return path


def plots_show(project, out: str) -> str:
    """Run ``dvc plots show -o out``; the page it wrote."""
    dvc_in(project)("plots", "show", "-o", out)
    return (project / out / "index.html").read_text(encoding="utf-8")


def open_offline(chromium_path, page, screenshot, timeout=30):
    """Open ``page`` from disk with the network off; wait for every chart. (drawn, requested URLs, errors)."""
    with browser.Browser(chromium_path) as chromium:
        chromium.send("Network.enable", session=True)
        chromium.send("Network.emulateNetworkConditions", session=True, offline=True, latency=0,
                      downloadThroughput=-1, uploadThroughput=-1)
        chromium.send("Runtime.enable", session=True)
        chromium.open(page.as_uri())
        deadline = time.monotonic() + timeout
        while True:  # vega-embed draws asynchronously, after the load event
            drawn = chromium.evaluate(f"JSON.stringify({DRAWN})")
            drawn = json.loads(drawn)
            done = len(drawn) >= CHARTS and all(d["sized"] and d["painted"] for d in drawn)
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        if not done:
            screenshot.write_bytes(chromium.screenshot())
        errors = [e["params"] for e in chromium.events
                  if e.get("method") in ("Runtime.exceptionThrown", "Network.loadingFailed")
                  or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")]
        return drawn, browser.requested_urls(chromium.events), errors


@pytest.mark.slow
def test_plots_show_draws_every_chart_from_disk_with_no_network(project, chromium_path, tmp_path):
    html_template = dvc_in(ROOT)("config", "plots.html_template").stdout.strip()
    assert (ROOT / ".dvc" / html_template).is_file(), f"plots.html_template = {html_template!r}, relative to .dvc/"

    page = plots_show(project, "offline_plots")
    assert not re.search(r"<script[^>]*\bsrc\s*=", page), "the offline page still loads a script from elsewhere"
    assert page.count("vegaEmbed('#") == CHARTS

    screenshot = tmp_path / "offline_plots.png"
    drawn, urls, errors = open_offline(chromium_path, project / "offline_plots/index.html", screenshot)
    where = f"drawn {drawn}; errors {errors}; requests {urls}; screenshot of the page: {screenshot}"
    assert len(drawn) == CHARTS, where
    assert all(d["sized"] == 1 and d["painted"] == 1 for d in drawn), where
    assert urls and urls[0].startswith("file://"), where  # the recording works: it saw the page itself
    assert not [url for url in urls if re.match(r"https?:", url, re.IGNORECASE)], where


@pytest.mark.slow
def test_without_the_template_the_page_needs_a_cdn_and_draws_nothing_offline(project, chromium_path, tmp_path):
    """What the test above guards against: DVC's own page, offline, draws no chart."""
    dvc_in(project)("config", "--unset", "plots.html_template")
    page = plots_show(project, "default_plots")
    sources = re.findall(r"<script[^>]*\bsrc\s*=\s*\"([^\"]+)\"", page)
    assert sources and all(re.match(r"https?://", s) for s in sources), sources

    drawn, urls, _ = open_offline(chromium_path, project / "default_plots/index.html", tmp_path / "default.png",
                                  timeout=5)
    assert not any(d["sized"] for d in drawn), drawn
    assert set(sources) <= set(urls), urls  # the recording sees the attempts to reach the CDN

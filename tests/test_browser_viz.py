"""The pages in headless Chromium: the overview of the default build, a 2,000-node synthetic graph and
an ego view draw (nodes in the vis.js DataSet, a non-blank screenshot) in under 5 s each; tooltips
show evidence counts and source links; script in a label or sentence is shown as text, never run.

Chromium and chromedriver are required: without them these tests fail (``.ci/run`` installs them).
Run with ``-s`` to see the measured draw times."""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kg import viz
from kg.graph.nx import from_store
from tests.test_viz import make_explore_store, synthetic_graph

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from bench_viz import chromium, draw_ms  # noqa: E402

sys.path.pop(0)
BUDGET_MS = 5000

PAINTED = """
const done = arguments[arguments.length - 1];
const r = document.querySelector('#mynetwork canvas').getBoundingClientRect(), k = window.devicePixelRatio;
const img = new Image();
img.onload = function () {
  const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
  const x = c.getContext('2d'); x.drawImage(img, 0, 0);
  const left = Math.max(0, r.left * k), top = Math.max(0, r.top * k);
  const w = Math.min(img.width, r.right * k) - left, h = Math.min(img.height, r.bottom * k) - top;
  const d = x.getImageData(left, top, w, h).data;  // only the part of the canvas inside the screenshot
  let n = 0;
  for (let i = 0; i < d.length; i += 4) { if (d[i] < 230 || d[i + 1] < 230 || d[i + 2] < 230) n++; }
  done(n / (w * h));
};
img.src = 'data:image/png;base64,' + arguments[0];
"""


@pytest.fixture(scope="module")
def driver():
    with chromium() as d:  # RuntimeError (a test error, not a skip) when Chromium is missing
        yield d


def painted(driver) -> float:
    """Share of non-white pixels inside the network canvas in a real screenshot of the page."""
    driver.execute_script("document.getElementById('nkkg-info').style.display = 'none';")
    return driver.execute_async_script(PAINTED, driver.get_screenshot_as_base64())


def check_drawn(driver, page: Path, nodes: int, name: str) -> float:
    ms, shown = draw_ms(driver, page)
    print(f"\n{name}: {shown} nodes drawn in {ms:.0f} ms from navigation start")
    assert shown == nodes
    assert ms < BUDGET_MS, f"{name} took {ms:.0f} ms"
    assert painted(driver) > 0.005, f"{name}: blank canvas"
    assert driver.execute_script("return network.physics.options.enabled") is False
    return ms


def test_overview_of_the_default_build(driver, built, tmp_path):
    page = viz.overview_html(built / "store", tmp_path / "graph.html")
    n = from_store(ox.Store.read_only(str(built / "store"))).number_of_nodes()
    check_drawn(driver, page, n, "default build overview")


def test_synthetic_2000_nodes(driver, tmp_path):
    g = synthetic_graph(2000)
    page = viz.render(g, tmp_path / "s2000.html", max_nodes=2000, cache_dir=tmp_path)
    check_drawn(driver, page, g.number_of_nodes(), "synthetic 2,000-node graph")


def test_ego_view_of_the_default_build(driver, built, tmp_path):
    page = viz.focus_html(built / "store", "nkkg:ilixadencel", 2, tmp_path / "ego.html")
    g = from_store(ox.Store.read_only(str(built / "store")))
    size = nx.ego_graph(g, "nkkg:ilixadencel", radius=2, undirected=True).number_of_nodes()
    check_drawn(driver, page, size, "ilixadencel ego view (2 hops)")


def hover(driver, node: str) -> str:
    """Move the mouse onto ``node`` and return the vis.js tooltip's HTML once it shows."""
    canvas = driver.find_element(By.CSS_SELECTOR, "#mynetwork canvas")
    ActionChains(driver).move_to_element_with_offset(canvas, -canvas.size["width"] // 2 + 3,
                                                     -canvas.size["height"] // 2 + 3).perform()
    driver.execute_script("network.focus(arguments[0], {scale: 1.5, animation: false});", node)
    x, y = driver.execute_script("var p = network.canvasToDOM(network.getPosition(arguments[0])); return [p.x, p.y];", node)
    ActionChains(driver).move_to_element_with_offset(canvas, int(x - canvas.size["width"] / 2),
                                                     int(y - canvas.size["height"] / 2)).perform()
    return WebDriverWait(driver, 5).until(lambda d: d.execute_script(
        "var t = document.querySelector('div.vis-tooltip');"
        "return t && t.style.visibility === 'visible' && t.textContent.indexOf(arguments[0]) >= 0 ? t.innerHTML : null;",
        node))


def test_tooltips_links_and_escaping(driver, tmp_path):
    store = make_explore_store(tmp_path / "store")
    page = viz.overview_html(store, tmp_path / "graph.html")
    draw_ms(driver, page)
    tip = hover(driver, "nkkg:rec-x")
    assert "evidence: 3" in tip
    for pmid in ("1001", "1002", "1003"):
        assert f'href="https://pubmed.ncbi.nlm.nih.gov/{pmid}"' in tip
    tip = hover(driver, "nkkg:evil")
    text = driver.execute_script("return document.querySelector('div.vis-tooltip').textContent;")
    assert '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">' in text
    assert driver.execute_script("return document.querySelectorAll('div.vis-tooltip script, div.vis-tooltip img').length") == 0
    ActionChains(driver).click().perform()  # the click panel shows the same, escaped
    WebDriverWait(driver, 5).until(lambda d: "__pwned" in d.find_element(By.ID, "nkkg-info").text)
    assert driver.execute_script("return document.querySelectorAll('#nkkg-info script, #nkkg-info img').length") == 0
    assert driver.execute_script("return window.__pwned === undefined")

"""The query page in headless Chromium: it loads, runs a catalogue query and shows rows."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from .browser_util import chromium
from .server_util import running_server


@pytest.fixture(scope="module")
def server(built):
    with running_server(built / "store", "--workers", "2") as base:
        yield base


def test_query_page_runs_catalogue_query(server, tmp_path):
    driver = chromium()
    try:
        t0 = time.time()
        driver.get(server + "/")
        Select(driver.find_element(By.ID, "catalogue")).select_by_value("agents_by_platform")
        assert "nkv:usesPlatform" in driver.find_element(By.ID, "query").get_attribute("value")
        driver.find_element(By.ID, "run").click()
        WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "status").get_attribute("data-rows"))
        rows = driver.find_elements(By.CSS_SELECTOR, "#results tr")
        assert len(rows) > 10  # header + results
        assert "dendritic-cell vaccine" in driver.find_element(By.ID, "results").text
        links = driver.find_elements(By.CSS_SELECTOR, "#results a[href^='/entity/']")
        assert links, "entity IRIs link to entity pages"
        permalink = driver.find_element(By.ID, "permalink").get_attribute("href")
        assert "/?query=" in permalink
        driver.save_screenshot(str(tmp_path / "query_page.png"))
        print(f"query page: loaded and ran a catalogue query in {time.time() - t0:.2f} s")
    finally:
        driver.quit()


def test_entity_page_script_is_escaped(server):
    driver = chromium()
    try:
        driver.get(server + "/?query=" + "%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E")
        assert driver.execute_script("return window.pwned === undefined")
        assert "<script>window.pwned=1</script>" in driver.find_element(By.ID, "query").get_attribute("value")
    finally:
        driver.quit()

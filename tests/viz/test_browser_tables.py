"""Jobs (a) and (b) of the researcher workbench (issue 17), done by clicking from the home page in
headless Chromium, four clicks or fewer each: which officials signed "explanations" and to whom;
which relatives were persecuted to pressure an exile. No request may leave 127.0.0.1; a
screenshot of each step is kept in build/test-artifacts/.
"""

from __future__ import annotations

from tests.viz import test_browser as shared
from tests.viz.test_browser import ARTIFACTS, _requested_hosts, _wait_for

# The browser and the live server of the network-view test, as fixtures of this module too.
browser = shared.browser
live_server = shared.live_server

MOST_CLICKS = 4
LOCAL = {"127.0.0.1", "data", "blob", "about"}


class Clicks:
    """Clicks a link by its text, waits for the next page, and keeps a screenshot."""

    def __init__(self, driver, job: str) -> None:  # type: ignore[no-untyped-def]
        self.driver, self.job, self.count = driver, job, 0

    def link(self, text: str, partial: bool = False) -> None:
        from selenium.webdriver.common.by import By

        before = self.driver.current_url
        found = self.driver.find_element(By.PARTIAL_LINK_TEXT if partial else By.LINK_TEXT, text)
        found.click()
        self.count += 1
        _wait_for(self.driver, f"return location.href !== {before!r} && document.readyState === 'complete'")
        self.shot()

    def shot(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(ARTIFACTS / f"{self.job}-{self.count}.png"))


def _table(driver) -> tuple[list[str], list[list[str]]]:  # type: ignore[no-untyped-def]
    headings = driver.execute_script("return [...document.querySelectorAll('thead th')].map(th => th.innerText)")
    rows = driver.execute_script(
        "return [...document.querySelectorAll('tbody tr')].map(tr => [...tr.cells].map(td => td.innerText))"
    )
    return headings, rows


def test_job_a_officials_who_signed_explanations_and_to_whom(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    browser.get(live_server + "/")
    clicks = Clicks(browser, "job-a-explanation-signers")
    clicks.shot()
    clicks.link('Officials who signed "explanations"')
    headings, rows = _table(browser)
    assert headings == [
        "Official", "Post", "Institution", "Place", "Whom it warned", "Who signed, as the text says", "Sources",
    ]  # fmt: skip
    assert [row[:5] for row in rows] == [
        ["D. Shuykebayev", "prosecutor of Almaty", "Prosecutor's Office of Almaty", "Almaty",
         "'Explanations' of the consequences of the DCK ban"],
        ["Zh. Smatov", "prosecutor of the city of Astana", "Prosecutor's Office of Astana", "Astana",
         "'Explanations' of the consequences of the DCK ban"],
    ]  # fmt: skip
    # Sorted by place, the other way round: a header is a link.
    clicks.link("Place")
    clicks.link("Place ▲")
    assert [row[0] for row in _table(browser)[1]] == ["Zh. Smatov", "D. Shuykebayev"]
    # The evidence: the line of the report, opened with its citation.
    clicks.link("line 129", partial=True)
    assert browser.execute_script("return location.hash") == "#L129"
    citation = browser.execute_script("return document.querySelector('#L129 .cite').innerText")
    assert citation.startswith(
        "Open Dialogue Foundation, [Report on the persecution of DCK supporters after the March 2018 ban], 2018, "
        "line 129: “"
    )
    assert citation.endswith(
        "Cited by: 'Explanations' of the consequences of the DCK ban, Almaty, Astana, D. Shuykebayev, "
        "Prosecutor's Office of Almaty, Prosecutor's Office of Astana, Zh. Smatov"
    )
    assert clicks.count <= MOST_CLICKS
    assert _requested_hosts(browser) <= LOCAL


def test_job_b_relatives_persecuted_to_pressure_an_exile(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    browser.get(live_server + "/")
    clicks = Clicks(browser, "job-b-relatives-as-hostages")
    clicks.shot()
    clicks.link("Relatives and associates persecuted to put pressure on someone")
    headings, rows = _table(browser)
    assert headings[:3] == ["Relative or associate", "Pressured through them", "Tie"]
    assert "pressured_id" not in browser.page_source
    assert browser.find_element("css selector", ".hidden-note").text.startswith(
        "Some records are hidden from public readers"
    )
    # Only the relatives (not business associates): the type facet.
    clicks.link("Relative")
    headings, rows = _table(browser)
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("Bekizhan Mendygazyev", "Barlyk Mendygazyev", "Bekizhan Mendygazyev is the brother of Barlyk Mendygazyev"),
        ("Gaini Yerimbetova", "Iskander Yerimbetov", "Gaini Yerimbetova is the parent of Iskander Yerimbetov"),
        ("Myrzahan Yerimbetov", "Iskander Yerimbetov", "Myrzahan Yerimbetov is the parent of Iskander Yerimbetov"),
    ]
    # The exile's record, from the table.
    clicks.link("Barlyk Mendygazyev")
    assert browser.find_element("tag name", "h1").text == "Barlyk Mendygazyev"
    assert "Exile" in browser.find_element("css selector", ".labels").text
    assert clicks.count <= MOST_CLICKS
    assert _requested_hosts(browser) <= LOCAL

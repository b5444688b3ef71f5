"""The CSV panel (issue #13): upload and messages atop the page, not in the sidebar; Share says the data stays out."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import launch, open_tab, seen
from tests.test_reliability import assert_alive, assert_trains, csv_page, good_csv, text_columns_csv

PROMPT = "Upload a CSV file in the CSV data panel above"
NOT_IN_LINK = "The uploaded CSV data is not in this link"


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="csv_file").set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def panel(at: AppTest):
    """The CSV data expander, which must be in the main area."""
    panels = [e for e in at.main.expander if e.label.startswith("CSV data")]
    assert len(panels) == 1, [e.label for e in at.main.expander]
    return panels[0]


def texts(elements) -> str:
    return "\n".join(seen(str(e.value)) for e in elements)


def share_tab(at: AppTest):
    return open_tab(at, "Share")


def test_the_csv_panel_is_in_the_main_area_and_open_until_a_file_is_in():
    at = launch({"dataset": "csv"}, check=True)
    assert not at.sidebar.get("file_uploader") and "CSV data" not in [e.label for e in at.sidebar.expander]
    assert [u.key for u in panel(at).get("file_uploader")] == ["csv_file"]
    assert panel(at).proto.expanded
    assert PROMPT in texts(at.main.info) and "sidebar" not in texts(at.info)


def test_a_bad_file_shows_its_error_in_the_open_panel_and_a_good_one_then_trains():
    at = upload(launch({"dataset": "csv"}), "text.csv", text_columns_csv())
    assert "feature columns must hold numbers" in texts(panel(at).error)
    assert not at.sidebar.error and panel(at).proto.expanded
    assert PROMPT in texts(at.main.info)  # the page still says what to do
    upload(at, "good.csv", good_csv())
    assert_alive(at)
    assert not at.error
    assert "80 rows · 2 features · binary" in texts(panel(at).caption)
    assert_trains(at)


def test_a_usable_file_collapses_the_panel_which_keeps_its_pickers():
    at = upload(launch({"dataset": "csv"}), "good.csv", good_csv())
    box = panel(at)
    assert not box.proto.expanded and "good.csv" in seen(box.label)
    assert {s.key for s in box.selectbox} == {"csv_target", "csv_task_y"}
    assert "csv_target" not in {s.key for s in at.sidebar.selectbox}
    # A problem type that can't be trained on reopens the panel with its error there; the file is kept.
    at.selectbox(key="csv_target").set_value("a").run()
    assert_alive(at)
    at.selectbox(key="csv_task_a").set_value("binary").run()
    assert not at.exception and panel(at).proto.expanded and panel(at).label == "CSV data"
    assert "the target 'a' has 80 classes" in texts(panel(at).error) and not at.sidebar.error
    assert panel(at).get("file_uploader")[0].value is not None
    at.selectbox(key="csv_task_a").set_value("regression").run()
    assert_alive(at)
    assert not panel(at).proto.expanded and not at.error


def test_share_says_the_uploaded_data_is_not_in_the_link():
    at = upload(launch({"dataset": "csv"}), "good.csv", good_csv())
    tab = share_tab(at)
    assert NOT_IN_LINK in texts(tab.info) and "upload the same file" in texts(tab.info)
    assert tab.code and "dataset=csv" in tab.code[0].value


def test_share_has_no_such_notice_for_a_built_in_dataset():
    at = launch({"dataset": "moons"}, check=True)
    assert NOT_IN_LINK not in texts(share_tab(at).info)
    assert NOT_IN_LINK not in texts(at.info)


def test_a_csv_runs_link_opened_without_the_file_shows_the_upload_prompt():
    at = upload(launch({"dataset": "csv"}), "good.csv", good_csv())
    link = share_tab(at).code[0].value
    fresh = launch(dict(parse_qsl(urlsplit(link).query)), check=True)
    assert not fresh.error and not fresh.warning, texts(fresh.error) + texts(fresh.warning)
    assert PROMPT in texts(fresh.main.info)
    assert panel(fresh).proto.expanded and panel(fresh).get("file_uploader")


# ---------------------------------------------------------------- in chromium

OPEN_JS = "() => { const d = document.querySelector('.st-key-csv_panel details'); return d ? d.open : null; }"


@pytest.mark.browser
def test_the_panel_sits_above_the_charts_and_folds_once_a_file_trains(app_server, browser_context, tmp_path):
    page, _, (bad, good) = csv_page(app_server, browser_context, tmp_path,
                                    {"text.csv": text_columns_csv(), "good.csv": good_csv()})
    assert page.evaluate(OPEN_JS) is True
    assert page.locator("[data-testid=stSidebar] .st-key-csv_file").count() == 0
    uploader = page.locator("[data-testid=stMain] .st-key-csv_file input[type=file]")
    uploader.set_input_files(str(bad))
    page.locator(".st-key-csv_panel [data-testid=stAlert]").filter(has_text="feature columns must hold numbers") \
        .wait_for(timeout=30_000)
    assert page.evaluate(OPEN_JS) is True
    uploader.set_input_files(str(good))
    page.wait_for_selector("iframe[title$='live_chart']", timeout=60_000)
    page.wait_for_function(f"() => ({OPEN_JS})() === false", timeout=15_000)
    panel = page.locator(".st-key-csv_panel").bounding_box()
    chart = page.locator("iframe[title$='live_chart']").first.bounding_box()
    assert panel["y"] + panel["height"] <= chart["y"], (panel, chart)
    page.locator(".st-key-csv_panel summary").click()  # still there: open it and change the target
    page.wait_for_function(f"() => ({OPEN_JS})() === true", timeout=15_000)
    page.wait_for_timeout(1_500)  # its rerun keeps it open
    assert page.evaluate(OPEN_JS) is True
    page.get_by_role("tab", name="Share").click()
    page.get_by_text(NOT_IN_LINK).wait_for(timeout=15_000)
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()

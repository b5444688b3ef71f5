"""Tests for the CSV upload loader: good files end to end, every rejection by its message text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.config import RunConfig
from playground.engine import csvdata
from playground.engine.csvdata import CsvCheck, check_table, csv_dataset, default_target, infer_task
from playground.engine.csvread import CsvTable, read_csv
from playground.engine.data import Dataset


def csv_bytes(frame: pd.DataFrame, sep: str = ",") -> bytes:
    return frame.to_csv(index=False, sep=sep).encode("utf-8")


def table(n: int = 60, seed: int = 0, labels=("cat", "dog")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 3)).round(4), columns=["x1", "x2", "x3"])
    frame["label"] = [labels[i % len(labels)] for i in range(n)]
    return frame


def read_ok(data: bytes) -> pd.DataFrame:
    result = read_csv(data)
    assert result.errors == () and result.frame is not None
    return result.frame


def only_error(result) -> str:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# ---------------------------------------------------------------- good files end to end


def test_good_file_end_to_end():
    frame = read_ok(csv_bytes(table(60)))
    target = default_target(frame)
    check = check_table(frame, target)
    assert target == "label"
    assert check.errors == () and check.notices == () and check.bad_rows == 0
    assert check.task == "binary" and check.feature_names == ("x1", "x2", "x3")
    assert check.x.shape == (60, 3) and check.y.shape == (60,)
    ds = csv_dataset(check, RunConfig(val_frac=0.3, seed=3), name="upload")
    assert isinstance(ds, Dataset) and ds.name == "upload" and ds.task == "binary"
    assert ds.class_names == ("cat", "dog") and ds.n_classes == 2
    assert ds.x_train.shape == (42, 3) and ds.x_val.shape == (18, 3)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert ds.feature_names == ("x1", "x2", "x3")


def test_split_is_stratified_and_seeded():
    check = check_table(read_ok(csv_bytes(table(100, labels=("a", "b", "b", "b")))), "label")
    cfg = RunConfig(val_frac=0.2, seed=7)
    first, again = csv_dataset(check, cfg), csv_dataset(check, cfg)
    other = csv_dataset(check, cfg.replace(seed=8))
    assert np.bincount(first.y_val).tolist() == [5, 15]  # 25% "a" in both splits
    assert np.bincount(first.y_train).tolist() == [20, 60]
    np.testing.assert_array_equal(first.x_val, again.x_val)
    assert not np.array_equal(first.x_val, other.x_val)
    assert len(csv_dataset(check, cfg.replace(val_frac=0.5)).y_val) == 50


def test_multiclass_numeric_labels_and_ten_classes():
    frame = table(200, labels=tuple(range(10)))
    check = check_table(read_ok(csv_bytes(frame)), "label")
    assert check.errors == () and check.task == "multiclass"
    ds = csv_dataset(check, RunConfig())
    assert ds.n_classes == 10 and ds.n_outputs == 10
    assert ds.class_names == tuple(str(i) for i in range(10))


def test_regression_file():
    frame = table(50)
    frame["label"] = frame["x1"] * 3.0 + 0.5
    check = check_table(read_ok(csv_bytes(frame)), "label")
    assert check.task == "regression" and check.errors == ()
    ds = csv_dataset(check, RunConfig())
    assert ds.n_classes == 1 and ds.y_train.dtype == np.float32
    assert abs(ds.y_train.mean()) < 1e-5


def test_user_can_override_task():
    frame = table(50, labels=(0, 1, 2))
    frame_read = read_ok(csv_bytes(frame))
    assert check_table(frame_read, "label").task == "multiclass"
    check = check_table(frame_read, "label", task="regression")
    assert check.errors == () and check.task == "regression" and check.y.dtype == np.float64


def test_other_column_as_target_and_bool_labels():
    frame = table(30)
    frame["flag"] = [i % 2 == 0 for i in range(30)]
    frame = frame.drop(columns="label")
    check = check_table(read_ok(csv_bytes(frame)), "flag")
    assert check.task == "binary" and check.errors == ()
    assert csv_dataset(check, RunConfig()).class_names == ("False", "True")
    as_feature = check_table(read_ok(csv_bytes(frame)), "x1")  # a bool feature becomes 0/1
    assert as_feature.errors == () and as_feature.task == "regression"
    assert set(as_feature.x[:, 2]) == {0.0, 1.0}


def test_semicolon_file_with_decimal_commas_and_bom():
    lines = ["\ufeffheight;weight;kind"] + [f"{i},5;{i * 2}.25;{'ab'[i % 2]}" for i in range(12)]
    frame = read_ok("\n".join(lines).encode("utf-8"))
    assert list(frame.columns) == ["height", "weight", "kind"]
    assert frame["height"].iloc[1] == 1.5 and frame["weight"].iloc[1] == 2.25
    assert check_table(frame, "kind").errors == ()


def test_tab_and_spaced_and_quoted_files():
    tab = read_ok(b"a\tb\tc\n" + b"".join(b"%d\t%d\t%d\n" % (i, i, i % 2) for i in range(12)))
    assert list(tab.columns) == ["a", "b", "c"]
    rows = b"".join(b"%d, %d, %d\n" % (i, -i, i % 2) for i in range(12))
    spaced = read_ok(b'"first, name", b , y\n' + rows)
    assert spaced.columns[0] == "first, name"
    assert check_table(spaced, default_target(spaced)).errors == ()


def test_windows_line_endings_and_blank_lines():
    body = b"".join(b"%d,%d\r\n\r\n" % (i, i % 2) for i in range(12))
    frame = read_ok(b"a,y\r\n" + body)
    assert frame.shape == (12, 2)


def test_default_target_is_last_column():
    assert default_target(pd.DataFrame(columns=["a", "b", "zz"])) == "zz"
    assert default_target(pd.DataFrame()) == ""


# ---------------------------------------------------------------- read_csv rejections


def test_file_over_upload_limit_names_sizes():
    message = only_error(read_csv(b"a,b\n" + b"1,2\n" * 300_000))
    assert "the upload limit is 1 MB" in message
    assert "the file is 1.14 MB (1,200,004 bytes)" in message


def test_custom_byte_limit():
    message = only_error(read_csv(b"a,b\n1,2\n", max_bytes=4))
    assert "(8 bytes)" in message and "(4 bytes)" in message


@pytest.mark.parametrize("data", [b"", b"   \n\n \r\n"])
def test_empty_file(data):
    result = read_csv(data)
    assert result.frame is None and only_error(result) == "the file is empty"


def test_not_utf8():
    message = only_error(read_csv("a,b\ncafé,1\n".encode("latin-1")))
    assert "not UTF-8 text" in message and "byte 0xe9 at position 7" in message and "CSV UTF-8" in message


def test_binary_or_utf16_file():
    message = only_error(read_csv("a,b\n1,2\n".encode("utf-16")))
    assert "NUL bytes" in message and "not CSV text" in message
    assert "not UTF-8" in only_error(read_csv(b"PK\x03\x04\x14\x06\xff\xfe"))


def test_not_bytes():
    assert "not file contents (got str)" in only_error(read_csv("a,b\n1,2\n"))


def test_unparseable_csv_names_the_line():
    message = only_error(read_csv(b"a,b\n1,2\n3,4,5\n"))
    assert message.startswith("the file could not be read as CSV")
    assert "Expected 2 fields in line 3, saw 3" in message
    assert "EOF inside string" in only_error(read_csv(b'a,b\n"1,2\n'))


def test_more_values_than_header():
    message = only_error(read_csv(b"a,b\n7,1,2\n9,3,4\n"))
    assert "more values than the header has column names" in message


def test_header_only():
    message = only_error(read_csv(b"a,b,c\n"))
    assert "no data rows" in message and "at least 10 rows" in message


def test_too_many_rows():
    data = b"a,b\n" + b"1,0\n" * 6000
    assert only_error(read_csv(data)) == "the file has 6,000 rows; the limit is 5,000"
    message = only_error(read_csv(b"a,b\n" + b"1,0\n" * 11, max_rows=10))
    assert message == "the file has 11 rows; the limit is 10"
    assert read_csv(b"a,b\n" + b"1,0\n" * 5000).errors == ()


def test_too_many_columns_is_refused_before_parsing():
    wide = ",".join(f"c{i}" for i in range(1500)).encode()
    assert only_error(read_csv(wide + b"\n")) == "line 1 has 1,500 values; the limit is 1,000 columns"
    message = only_error(read_csv(b"a,b\n1,2\n" + b"1," * 2000 + b"\n"))
    assert message.startswith("line 3 has 2,001 values")


# ---------------------------------------------------------------- check_table rejections


def test_too_few_rows():
    check = check_table(table(9), "label")
    assert check.x is None and "the table has 9 rows; at least 10 are needed" in check.errors


def test_too_few_rows_after_dropping():
    frame = table(12)
    frame.loc[[0, 1, 2, 3], "x2"] = np.nan
    check = check_table(frame, "label", drop_bad_rows=True)
    assert check.bad_rows == 4
    assert ("only 8 rows are left after dropping rows with missing or infinite values; "
            "at least 10 are needed") in check.errors


def test_non_numeric_features_are_listed():
    frame = read_ok(b"size,colour,shape,y\n" + b"".join(b"%d,red,round,%d\n" % (i, i % 2) for i in range(12)))
    check = check_table(frame, "y")
    assert check.x is None
    assert only_error(check).startswith(
        "feature columns must hold numbers, but 2 hold text: 'colour', 'shape'; convert them")


def test_many_non_numeric_features_are_abbreviated():
    frame = pd.DataFrame({f"t{i}": ["a"] * 12 for i in range(11)} | {"y": [0, 1] * 6})
    message = only_error(check_table(frame, "y"))
    assert "11 hold text: 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7' and 3 more;" in message


def test_mostly_numeric_column_with_text_is_reported():
    frame = table(20)
    frame["x2"] = frame["x2"].astype(str)
    frame.loc[5, "x2"] = "?"
    assert "1 holds text: 'x2'" in only_error(check_table(read_ok(csv_bytes(frame)), "label"))


def test_missing_and_infinite_values_are_counted():
    frame = table(30)
    frame.loc[[1, 2], "x1"] = np.nan
    frame.loc[3, "x3"] = np.inf
    frame.loc[[3, 4], "label"] = None
    check = check_table(read_ok(csv_bytes(frame)), "label")
    assert check.x is None and check.bad_rows == 4
    assert only_error(check) == ("4 rows have missing or infinite values (in 'x1', 'x3', 'label'); "
                                 "they can be dropped to continue")


def test_one_bad_row_singular():
    frame = table(30)
    frame.loc[0, "label"] = None
    message = only_error(check_table(frame, "label"))
    assert message.startswith("1 row has missing or infinite values (in 'label')")


def test_drop_bad_rows_path():
    frame = table(30)
    frame.loc[[1, 2], "x1"] = np.nan
    frame.loc[3, "x3"] = -np.inf
    frame.loc[4, "label"] = None
    check = check_table(read_ok(csv_bytes(frame)), "label", drop_bad_rows=True)
    assert check.errors == () and check.bad_rows == 4
    assert check.notices == ("dropped 4 rows with missing or infinite values",)
    assert check.x.shape == (26, 3) and np.isfinite(check.x).all() and len(check.y) == 26
    assert csv_dataset(check, RunConfig()).x_train.shape[0] + len(csv_dataset(check, RunConfig()).y_val) == 26


def test_single_class():
    frame = table(20, labels=("setosa",))
    message = only_error(check_table(frame, "label"))
    assert message == ("the target 'label' has a single class ('setosa'); "
                       "classification needs at least 2 classes")


def test_regression_on_text_target():
    check = check_table(table(20), "label", task="regression")
    assert check.x is None and check.task == "regression"
    assert only_error(check) == ("regression needs a numeric target, but 'label' holds text such as 'cat'; "
                                 "choose binary or multiclass classification")


def test_target_not_in_table():
    check = check_table(table(20), "price")
    assert check.x is None
    assert only_error(check) == ("the target column 'price' is not in the table; "
                                 "its columns are 'x1', 'x2', 'x3', 'label'")


def test_no_feature_columns():
    frame = pd.DataFrame({"y": [0, 1] * 10})
    message = only_error(check_table(frame, "y"))
    assert message.startswith("there are no feature columns") and "at least 1 other numeric column" in message


def test_too_many_classes_suggests_regression():
    frame = table(100, labels=tuple(f"c{i}" for i in range(15)))
    message = only_error(check_table(frame, "label"))
    assert message == ("the target 'label' has 15 classes; classification here allows at most 10. "
                       "If 'label' is a quantity to predict, choose regression")
    frame = table(100)
    frame["label"] = np.arange(100)  # integer-valued, but a quantity
    assert check_table(frame, "label").task == "regression"
    assert "has 100 classes" in only_error(check_table(frame, "label", task="multiclass"))


def test_binary_with_three_classes():
    message = only_error(check_table(table(30, labels=("a", "b", "c")), "label", task="binary"))
    assert message == ("binary classification needs exactly 2 classes, but 'label' has 3 "
                       "('a', 'b', 'c'); choose multiclass")


def test_unknown_task():
    message = only_error(check_table(table(20), "label", task="ranking"))
    assert message == "unknown problem type 'ranking'; choose binary, multiclass or regression"


def test_repeated_column_names_and_non_frames():
    frame = pd.DataFrame([[1, 2, 0]] * 12, columns=["a", "a", "y"])
    assert only_error(check_table(frame, "y")) == "column names repeat: 'a'; give each column its own name"
    assert "got list" in only_error(check_table([[1, 2]], "y"))


def test_several_errors_are_reported_together():
    frame = pd.DataFrame({"word": ["w"] * 5, "y": ["a"] * 5})
    errors = check_table(frame, "y").errors
    assert len(errors) == 3
    assert any("holds text: 'word'" in e for e in errors)
    assert "the table has 5 rows; at least 10 are needed" in errors
    assert any("single class ('a')" in e for e in errors)


def test_csv_dataset_refuses_a_failed_check():
    with pytest.raises(ValueError, match="single class"):
        csv_dataset(check_table(table(20, labels=("z",)), "label"), RunConfig())


# ---------------------------------------------------------------- user text in messages


def test_very_long_column_name_is_clipped():
    long = "a_really_long_column_name_" * 10
    frame = table(20).rename(columns={"x2": long})
    frame[long] = "text"
    message = only_error(check_table(frame, "label"))
    assert f"'{long[:40]}…'" in message and long not in message
    missing = only_error(check_table(frame.drop(columns=long), long))
    assert missing.startswith(f"the target column '{long[:40]}…' is not in the table")


def test_html_and_newlines_in_names_stay_plain_text():
    name = "<b>bold</b>\n<script>alert(1)</script>"
    data = f'x1,"{name}",y\n'.encode() + b"".join(b"1,word,%d\n" % (i % 2) for i in range(12))
    frame = read_ok(data)
    assert name in frame.columns
    message = only_error(check_table(frame, "y"))
    assert "1 holds text: '<b>bold</b> <script>alert(1)</script>';" in message
    assert "&lt;" not in message and "\n" not in message


def test_long_class_label_is_clipped():
    label = "x" * 100
    message = only_error(check_table(table(20, labels=(label,)), "label"))
    assert f"('{'x' * 40}…')" in message


# ---------------------------------------------------------------- task inference


@pytest.mark.parametrize("values, expected", [
    (["yes", "no", "yes"], "binary"),
    (["a", "b", "c"], "multiclass"),
    (["only"], "binary"),
    ([True, False, True], "binary"),
    ([0, 1, 1, 0], "binary"),
    ([0.0, 1.0, np.nan], "binary"),
    ([1, 2, 3, 2], "multiclass"),
    (list(range(10)) * 3, "multiclass"),
    (list(range(11)) * 3, "regression"),  # 11 values in 33 rows is not < 5%
    (list(range(20)) * 30, "multiclass"),  # 20 values in 600 rows is < 5%
    (list(range(21)) * 30, "regression"),
    ([0.5, 1.5, 0.5], "regression"),
    (np.linspace(0, 1, 50), "regression"),
    ([], "binary"),
])
def test_infer_task(values, expected):
    assert infer_task(pd.Series(values)) == expected


def test_infer_task_on_read_columns():
    frame = read_ok(b"a,b,c,d\n" + b"".join(b"%d,%d.5,x%d,%d\n" % (i, i, i % 3, i % 2) for i in range(30)))
    assert [infer_task(frame[c]) for c in "abcd"] == ["regression", "regression", "multiclass", "binary"]


# ---------------------------------------------------------------- never raises

CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["a", "b", "", "NaN", "inf", "1,5", "<i>", "é"]), st.text(max_size=5),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    result = read_csv(data, max_bytes=200)
    assert isinstance(result, CsvTable)
    assert (result.frame is None) == bool(result.errors)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(st.sampled_from(list('ab1,;.\t"\n\r -e')), max_size=12), min_size=1, max_size=25))
def test_random_csv_like_text_never_raises(lines):
    result = read_csv("\n".join(lines).encode())
    assert (result.frame is None) == bool(result.errors)
    if result.frame is not None:
        check = check_table(result.frame, default_target(result.frame), drop_bad_rows=True)
        assert isinstance(check, CsvCheck)


COLUMN_KINDS = {
    "numbers": st.floats(-1e6, 1e6),
    "whole": st.integers(0, 3),
    "gappy": st.one_of(st.floats(-1e6, 1e6), st.sampled_from([np.nan, np.inf, 0.0])),
    "labels": st.sampled_from(["a", "b", "c", "<i>"]),
    "mixed": CELLS,
}
KIND_WEIGHTS = ["numbers"] * 4 + ["whole"] * 2 + ["gappy", "labels", "mixed"]


@st.composite
def small_tables(draw) -> pd.DataFrame:
    n_rows = draw(st.integers(0, 30))
    kinds = draw(st.lists(st.sampled_from(KIND_WEIGHTS), min_size=2, max_size=4))
    columns = {f"c{i}": draw(st.lists(COLUMN_KINDS[k], min_size=n_rows, max_size=n_rows))
               for i, k in enumerate(kinds)}
    return pd.DataFrame(columns)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables(), st.sampled_from([None, "binary", "multiclass", "regression", "bogus"]),
       st.booleans(), st.booleans())
def test_random_small_tables_never_raise(frame, task, drop, via_csv):
    if via_csv:
        result = read_csv(csv_bytes(frame))
        if result.frame is None:
            return
        frame = result.frame
    check = check_table(frame, default_target(frame), task=task, drop_bad_rows=drop)
    assert isinstance(check, CsvCheck)
    assert (check.x is None) == bool(check.errors)
    if check.x is not None:
        assert check.x.shape == (len(check.y), len(check.feature_names))
        assert np.isfinite(check.x).all()
        assert csv_dataset(check, RunConfig()).task == check.task


def test_module_has_no_streamlit_import():
    import inspect

    assert "streamlit" not in inspect.getsource(csvdata)

"""Configuration from the environment: typed helpers and ``*_FILE`` secrets."""

from __future__ import annotations

import pytest

from legemiddel.lib.env import ConfigError, env_bool, env_int, env_list, env_str

NAME = "LEGEMIDDEL_TEST_SETTING"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    monkeypatch.delenv(f"{NAME}_FILE", raising=False)


@pytest.fixture
def secret_file(tmp_path, monkeypatch):
    """``secret_file("text")`` writes a file and points ``NAME_FILE`` at it."""

    def write(text: str):
        path = tmp_path / "secret"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv(f"{NAME}_FILE", str(path))
        return path

    return write


# --- env_str --------------------------------------------------------------------------------


def test_env_str_returns_the_variable_as_given(monkeypatch):
    monkeypatch.setenv(NAME, " value with spaces ")
    assert env_str(NAME) == " value with spaces "


def test_env_str_returns_the_default_when_the_variable_is_unset():
    assert env_str(NAME) is None
    assert env_str(NAME, "fallback") == "fallback"


def test_env_str_returns_an_empty_variable_as_empty_not_the_default(monkeypatch):
    monkeypatch.setenv(NAME, "")
    assert env_str(NAME, "fallback") == ""


def test_env_str_reads_the_secret_from_the_file_named_by_the_file_variable(secret_file):
    secret_file("s3cret-ÆØÅ\n")
    assert env_str(NAME) == "s3cret-ÆØÅ"


def test_env_str_ignores_an_empty_file_variable(monkeypatch):
    monkeypatch.setenv(f"{NAME}_FILE", "")
    monkeypatch.setenv(NAME, "direct")
    assert env_str(NAME) == "direct"


def test_env_str_refuses_both_the_variable_and_the_file_variable(monkeypatch, secret_file):
    secret_file("from-file")
    monkeypatch.setenv(NAME, "direct")
    with pytest.raises(ConfigError) as excinfo:
        env_str(NAME)
    assert NAME in str(excinfo.value)
    assert f"{NAME}_FILE" in str(excinfo.value)


def test_env_str_refuses_both_even_when_the_variable_is_empty(monkeypatch, secret_file):
    secret_file("from-file")
    monkeypatch.setenv(NAME, "")
    with pytest.raises(ConfigError):
        env_str(NAME)


def test_env_str_names_the_variable_and_path_when_the_secret_file_cannot_be_read(
    tmp_path, monkeypatch
):
    missing = tmp_path / "does-not-exist"
    monkeypatch.setenv(f"{NAME}_FILE", str(missing))
    with pytest.raises(ConfigError) as excinfo:
        env_str(NAME)
    assert f"{NAME}_FILE" in str(excinfo.value)
    assert str(missing) in str(excinfo.value)


# --- env_bool -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "True", "yes", "on", "ja", "Ja", " yes "])
def test_env_bool_reads_true_spellings(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    assert env_bool(NAME, default=False) is True


@pytest.mark.parametrize("raw", ["0", "false", "FALSE", "no", "off", "nei", "NEI", " off "])
def test_env_bool_reads_false_spellings(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    assert env_bool(NAME, default=True) is False


def test_env_bool_treats_an_explicitly_empty_variable_as_false(monkeypatch):
    monkeypatch.setenv(NAME, "")
    assert env_bool(NAME, default=True) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_returns_the_default_when_unset(default):
    assert env_bool(NAME, default=default) is default


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "sant"])
def test_env_bool_rejects_other_values_naming_the_variable_and_value(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ConfigError) as excinfo:
        env_bool(NAME)
    assert NAME in str(excinfo.value)
    assert repr(raw) in str(excinfo.value)


def test_env_bool_can_come_from_a_secret_file(secret_file):
    secret_file("ja\n")
    assert env_bool(NAME) is True


# --- env_int --------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("42", 42), ("-3", -3), (" 7 ", 7), ("0", 0)])
def test_env_int_reads_whole_numbers(monkeypatch, raw, expected):
    monkeypatch.setenv(NAME, raw)
    assert env_int(NAME, 99) == expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_env_int_returns_the_default_when_unset_or_blank(monkeypatch, raw):
    if raw is not None:
        monkeypatch.setenv(NAME, raw)
    assert env_int(NAME, 15) == 15


@pytest.mark.parametrize("raw", ["4.5", "ten", "1e3", "5 min"])
def test_env_int_rejects_anything_but_a_whole_number(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ConfigError) as excinfo:
        env_int(NAME, 1)
    assert NAME in str(excinfo.value)
    assert repr(raw) in str(excinfo.value)


def test_env_int_can_come_from_a_secret_file(secret_file):
    secret_file("8080\n")
    assert env_int(NAME, 1) == 8080


# --- env_list -------------------------------------------------------------------------------


def test_env_list_splits_on_commas_trims_and_drops_blanks(monkeypatch):
    monkeypatch.setenv(NAME, " a.example.no, b.example.no,, ,c ")
    assert env_list(NAME) == ["a.example.no", "b.example.no", "c"]


def test_env_list_of_an_empty_variable_is_empty_not_the_default(monkeypatch):
    monkeypatch.setenv(NAME, "")
    assert env_list(NAME, ["default"]) == []


def test_env_list_returns_a_copy_of_the_default_when_unset():
    default = ["localhost"]
    result = env_list(NAME, default)
    assert result == ["localhost"]
    result.append("changed")
    assert default == ["localhost"]
    assert env_list(NAME) == []

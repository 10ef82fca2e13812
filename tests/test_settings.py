"""Settings: one documented table; environment and file both work; bad values are explained."""

from __future__ import annotations

import re

import pytest

from registry.runtime.settings import SETTINGS, SettingsError, load_settings
from registry.vocab.model import ROOT


def documented() -> dict[str, str]:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `(LDR_[A-Z_]+)` \| `([^`]*)` \|", text, flags=re.M))


def test_every_setting_is_documented_with_its_default():
    docs = documented()
    for setting in SETTINGS:
        assert setting.name in docs, f"{setting.name} is not in docs/settings.md"
        assert docs[setting.name] == str(setting.default), setting.name
    assert set(docs) == {s.name for s in SETTINGS}, (
        "docs/settings.md lists a setting that does not exist"
    )


def test_environment_overrides_default():
    values = load_settings(environ={"LDR_STORE_DIR": "/data/ldr", "LDR_MAX_INPUT_BYTES": "2MB"})
    assert values["LDR_STORE_DIR"] == "/data/ldr"
    assert values["LDR_MAX_INPUT_BYTES"] == 2 * 1024 * 1024


def test_config_file_is_read_and_environment_wins(tmp_path):
    config = tmp_path / "ldr.toml"
    config.write_text('store_dir = "/from/file"\nLDR_PORT = 9000\n', encoding="utf-8")
    values = load_settings(environ={"LDR_CONFIG": str(config), "LDR_PORT": "9100"})
    assert values["LDR_STORE_DIR"] == "/from/file"
    assert values["LDR_PORT"] == 9100


def test_unknown_key_in_file_is_refused_by_name(tmp_path):
    config = tmp_path / "ldr.toml"
    config.write_text('stor_dir = "/typo"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="stor_dir"):
        load_settings(environ={"LDR_CONFIG": str(config)})


def test_bad_value_names_the_setting():
    with pytest.raises(SettingsError, match="LDR_PORT"):
        load_settings(environ={"LDR_PORT": "eighty"})
    with pytest.raises(SettingsError, match="LDR_BASE"):
        load_settings(environ={"LDR_BASE": "ftp://x"})

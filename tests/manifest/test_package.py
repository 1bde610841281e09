"""The Teams app package: schema-valid manifest, honest settings errors, zip layout, icons."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from bot.cli import main
from bot.errors import BotError, SettingsError
from bot.teams_package import (
    LANGUAGE_FILES,
    MANIFEST_DIR,
    MANIFEST_VERSION,
    RSC_PERMISSIONS,
    SCHEMA_ROOT,
    SETTINGS,
    ManifestInvalid,
    PackageSettings,
    build_localization,
    build_manifest,
    fill_template,
    localized_manifest,
    newest_schema_version,
    validate_package,
    write_package,
)

BOT_ID = "6f1c0d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f"

ENV = {
    "MICROSOFT_APP_ID": BOT_ID,
    "WORKSHOPBOT_PUBLIC_URL": "https://workshops.example.dk/",
    "WORKSHOPBOT_DEVELOPER_NAME": "HK Udvikling",
    "WORKSHOPBOT_PRIVACY_URL": "https://example.dk/workshopbot/privacy",
    "WORKSHOPBOT_TERMS_URL": "https://example.dk/workshopbot/terms",
}
REQUIRED = [s.env[0] for s in SETTINGS.values() if s.required]


@pytest.fixture(scope="module")
def settings() -> PackageSettings:
    return PackageSettings.from_env(ENV)


@pytest.fixture(scope="module")
def manifest(settings: PackageSettings) -> dict[str, Any]:
    return build_manifest(settings)


@pytest.fixture(scope="module")
def danish() -> dict[str, Any]:
    return build_localization("da")


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory, settings: PackageSettings) -> Path:
    out = tmp_path_factory.mktemp("pkg") / "workshopbot.zip"
    write_package(out, settings, validate="require")
    return out


# --- schema ---------------------------------------------------------------------------


def test_uses_the_newest_schema_the_npm_package_ships(manifest: dict[str, Any]) -> None:
    newest = newest_schema_version(SCHEMA_ROOT)
    assert newest == MANIFEST_VERSION
    assert manifest["manifestVersion"] == newest
    assert manifest["$schema"].endswith(f"/v{newest}/MicrosoftTeams.schema.json")


def test_manifest_and_danish_file_validate_against_official_schema(
    manifest: dict[str, Any], danish: dict[str, Any]
) -> None:
    validate_package(manifest, {"da": danish})  # raises ManifestInvalid with every error


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m, d: m["bots"][0].__setitem__("botId", "not-a-guid"), "bots/0/botId"),
        (lambda m, d: m.__setitem__("manifestVersion", "1.29"), "manifestVersion: '1.30' was"),
        (lambda m, d: m["bots"][0].__setitem__("scopes", ["meetings"]), "bots/0/scopes/0"),
        (lambda m, d: d.__setitem__("name.short", "W" * 31), "as da users see it: name/short"),
        (lambda m, d: d.__setitem__("name.nickname", "W"), "da.json"),
        (lambda m, d: m.__setitem__("accentColor", "teal"), "accentColor"),
    ],
    ids=["bad-guid", "old-version", "bad-scope", "long-danish-name", "unknown-key", "colour"],
)
def test_validation_reports_what_breaks_the_schema(
    manifest: dict[str, Any], danish: dict[str, Any], change: Any, expected: str
) -> None:
    broken_manifest, broken_danish = copy.deepcopy(manifest), copy.deepcopy(danish)
    change(broken_manifest, broken_danish)
    with pytest.raises(ManifestInvalid) as info:
        validate_package(broken_manifest, {"da": broken_danish}, version=MANIFEST_VERSION)
    assert expected in str(info.value)


def _ajv_errors(schema: Path, instance: Any, tmp_path: Path) -> list[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make setup installs the project's node tools)")
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(instance), encoding="utf-8")
    proc = subprocess.run(
        [node, str(Path(__file__).with_name("ajv_validate.js")), str(schema), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return list(json.loads(proc.stdout))


def test_microsofts_own_validator_agrees(
    manifest: dict[str, Any], danish: dict[str, Any], tmp_path: Path
) -> None:
    schema = SCHEMA_ROOT / f"v{MANIFEST_VERSION}" / "MicrosoftTeams.schema.json"
    assert _ajv_errors(schema, manifest, tmp_path) == []
    assert _ajv_errors(schema, localized_manifest(manifest, danish), tmp_path) == []
    broken = copy.deepcopy(manifest)
    broken["bots"][0]["botId"] = "nope"
    assert any("/bots/0/botId" in e for e in _ajv_errors(schema, broken, tmp_path))


# --- content --------------------------------------------------------------------------


def test_filled_from_settings(manifest: dict[str, Any]) -> None:
    assert manifest["id"] == BOT_ID
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["webApplicationInfo"]["id"] == BOT_ID
    assert manifest["validDomains"] == ["workshops.example.dk"]
    assert manifest["developer"] == {
        "name": "HK Udvikling",
        "websiteUrl": "https://workshops.example.dk",
        "privacyUrl": ENV["WORKSHOPBOT_PRIVACY_URL"],
        "termsOfUseUrl": ENV["WORKSHOPBOT_TERMS_URL"],
    }
    from importlib.metadata import version

    assert manifest["version"] == version("workshopbot")


def test_optional_settings_override_defaults() -> None:
    other = "0a0b0c0d-1111-2222-3333-444455556666"
    env = {
        **ENV,
        "WORKSHOPBOT_APP_VERSION": "2.4.1",
        "WORKSHOPBOT_TEAMS_APP_ID": other,
        "WORKSHOPBOT_WEBSITE_URL": "https://hk.dk",
    }
    manifest = build_manifest(PackageSettings.from_env(env))
    assert (manifest["version"], manifest["id"]) == ("2.4.1", other)
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["developer"]["websiteUrl"] == "https://hk.dk"


def test_no_placeholder_left(manifest: dict[str, Any], danish: dict[str, Any]) -> None:
    for document in (manifest, danish):
        text = json.dumps(document, ensure_ascii=False)
        assert "{{" not in text


def test_every_template_placeholder_is_one_the_code_fills() -> None:
    with pytest.raises(BotError, match="nobody fills: HOST"):
        fill_template({"a": "{{HOST}}"}, {})
    with pytest.raises(BotError, match="lacks placeholders for: EXTRA"):
        fill_template({"a": "x"}, {"EXTRA": 1})


def test_bot_hears_every_scope_and_meeting(manifest: dict[str, Any]) -> None:
    bot = manifest["bots"][0]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert bot["isNotificationOnly"] is False
    assert bot["supportsFiles"] is False
    assert manifest["defaultGroupCapability"]["meetings"] == "bot"


def test_resource_specific_consent(manifest: dict[str, Any]) -> None:
    granted = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {(p["name"], p["type"]) for p in granted} == {
        (n, "Application") for n in RSC_PERMISSIONS
    }
    for needed in (
        "ChannelMessage.Read.Group",
        "ChatMessage.Read.Chat",
        "OnlineMeeting.ReadBasic.Chat",
        "ChannelMeeting.ReadBasic.Group",
    ):
        assert needed in RSC_PERMISSIONS
    assert manifest["webApplicationInfo"]["resource"] == f"api://botid-{BOT_ID}"


# --- settings -------------------------------------------------------------------------


def test_missing_settings_are_each_named() -> None:
    with pytest.raises(SettingsError) as info:
        PackageSettings.from_env({})
    message = str(info.value)
    assert len(REQUIRED) == 5
    for name in REQUIRED:
        assert name in message
    assert f"{len(REQUIRED)} setting(s) missing" in message


@pytest.mark.parametrize("dropped", REQUIRED)
def test_one_missing_setting_is_named_alone(dropped: str) -> None:
    env = {k: v for k, v in ENV.items() if k != dropped}
    with pytest.raises(SettingsError) as info:
        PackageSettings.from_env(env)
    message = str(info.value)
    assert dropped in message
    assert [name for name in REQUIRED if name in message] == [dropped]


def test_blank_setting_counts_as_missing() -> None:
    with pytest.raises(SettingsError, match="WORKSHOPBOT_TERMS_URL"):
        PackageSettings.from_env({**ENV, "WORKSHOPBOT_TERMS_URL": "   "})


def test_azure_spelling_of_app_id_is_accepted() -> None:
    env = {k: v for k, v in ENV.items() if k != "MICROSOFT_APP_ID"} | {"MicrosoftAppId": BOT_ID}
    assert PackageSettings.from_env(env).bot_app_id == BOT_ID


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MICROSOFT_APP_ID", "my-bot"),
        ("WORKSHOPBOT_PUBLIC_URL", "http://localhost:3978"),
        ("WORKSHOPBOT_PRIVACY_URL", "example.dk/privacy"),
        ("WORKSHOPBOT_DEVELOPER_NAME", "x" * 33),
        ("WORKSHOPBOT_APP_VERSION", "1.0"),
    ],
    ids=["app-id", "http", "no-scheme", "long-name", "version"],
)
def test_invalid_setting_is_named_with_its_value(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as info:
        PackageSettings.from_env({**ENV, name: value})
    assert f"{name} = {value!r} is invalid" in str(info.value)


# --- the zip --------------------------------------------------------------------------


def test_zip_layout(package: Path, manifest: dict[str, Any]) -> None:
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        assert sorted(names) == sorted(["manifest.json", "color.png", "outline.png", "da.json"])
        assert all("/" not in name for name in names)
        packed = json.loads(archive.read("manifest.json"))
        assert packed == manifest
        assert archive.read("color.png") == (MANIFEST_DIR / "color.png").read_bytes()
        for path in packed["icons"].values():
            assert path in names
        for extra in packed["localizationInfo"]["additionalLanguages"]:
            assert extra["file"] in names
            assert extra["file"] == LANGUAGE_FILES[extra["languageTag"]]
            json.loads(archive.read(extra["file"]))


def test_invalid_manifest_writes_no_zip(tmp_path: Path, settings: PackageSettings) -> None:
    source = tmp_path / "src"
    shutil.copytree(MANIFEST_DIR, source)
    template = json.loads((source / "manifest.template.json").read_text(encoding="utf-8"))
    template["accentColor"] = "teal {{ACCENT_COLOR}}"
    (source / "manifest.template.json").write_text(json.dumps(template), encoding="utf-8")
    out = tmp_path / "bad.zip"
    with pytest.raises(ManifestInvalid, match="accentColor"):
        write_package(out, settings, source_dir=source, validate="require")
    assert not out.exists()


def test_cli_writes_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "workshopbot.zip"
    assert main(["package", "--out", str(out), "--validate", "require"]) == 0
    assert zipfile.is_zipfile(out)
    assert BOT_ID in capsys.readouterr().out


def test_cli_names_every_missing_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for setting in SETTINGS.values():
        for name in setting.env:
            monkeypatch.delenv(name, raising=False)
    out = tmp_path / "workshopbot.zip"
    assert main(["package", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("workshopbot package: error:")
    for name in REQUIRED:
        assert name in err[0]
    assert not out.exists()


# --- icons ----------------------------------------------------------------------------


def _icon(package: Path, name: str) -> Image.Image:
    with zipfile.ZipFile(package) as archive, archive.open(name) as handle:
        image = Image.open(handle)
        assert image.format == "PNG"
        return image.convert("RGBA")


def test_color_icon_is_192_square_and_opaque(package: Path) -> None:
    image = _icon(package, "color.png")
    assert image.size == (192, 192)
    assert image.getchannel("A").getextrema() == (255, 255)
    assert len(np.unique(np.asarray(image)[:, :, 0])) > 2  # a drawing, not a flat square


def test_outline_icon_is_32_white_on_transparent(package: Path) -> None:
    image = _icon(package, "outline.png")
    assert image.size == (32, 32)
    pixels = np.asarray(image)
    visible = pixels[pixels[:, :, 3] > 0]
    assert (visible[:, :3] == 255).all()
    assert 0 < len(visible) < pixels.shape[0] * pixels.shape[1] // 2
    for corner in ((0, 0), (31, 0), (0, 31), (31, 31)):
        assert image.getpixel(corner)[3] == 0


def test_committed_icons_are_what_the_script_draws(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(MANIFEST_DIR / "make_icons.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    for name in ("color.png", "outline.png"):
        with Image.open(tmp_path / name) as fresh, Image.open(MANIFEST_DIR / name) as committed:
            assert fresh.size == committed.size
            assert np.array_equal(
                np.asarray(fresh.convert("RGBA")), np.asarray(committed.convert("RGBA"))
            ), f"{name} differs from make_icons.py's drawing; run it and commit the result"


def test_unknown_schema_version_is_named(manifest: dict[str, Any]) -> None:
    with pytest.raises(BotError, match=r"no schema for manifest version '1\.99'"):
        validate_package(manifest, {}, version="1.99")


def test_require_fails_without_schemas_and_auto_warns(
    tmp_path: Path, settings: PackageSettings, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = tmp_path / "no-schemas"
    with pytest.raises(BotError, match="no schemas at"):
        write_package(tmp_path / "a.zip", settings, validate="require", schema_root=nowhere)
    assert not (tmp_path / "a.zip").exists()
    with caplog.at_level("WARNING", logger="bot.teams_package"):
        write_package(tmp_path / "b.zip", settings, validate="auto", schema_root=nowhere)
    assert zipfile.is_zipfile(tmp_path / "b.zip")
    assert "NOT validated" in caplog.text


def test_package_is_reproducible(tmp_path: Path, settings: PackageSettings) -> None:
    write_package(tmp_path / "one.zip", settings)
    write_package(tmp_path / "two.zip", settings)
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    assert not list(tmp_path.glob("*.part"))


def test_missing_output_folder_is_named(tmp_path: Path, settings: PackageSettings) -> None:
    with pytest.raises(BotError, match="does not exist"):
        write_package(tmp_path / "nope" / "x.zip", settings)

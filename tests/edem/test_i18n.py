"""Every string is translated: ru and uk have no untranslated or fuzzy entry, and no string in
the code is missing from the catalogues."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (
    "edem",
    "cabinets",
    "appeals",
    "consultations",
    "analytics",
    "integrations",
    "templates",
    "manage.py",
)

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is not installed")


def statistics(po):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stderr.strip()


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_catalogue_has_no_untranslated_or_fuzzy_entry(lang):
    stats = statistics(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po")
    assert "untranslated" not in stats and "fuzzy" not in stats, stats


def test_english_catalogue_exists_and_compiles():
    statistics(ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po")


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path, lang):
    """makemessages over a copy of the sources must find nothing new to translate."""
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, tmp_path / name)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", lang, "--no-obsolete", "--no-location"],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    stats = statistics(tmp_path / "locale" / lang / "LC_MESSAGES" / "django.po")
    assert "untranslated" not in stats and "fuzzy" not in stats, stats

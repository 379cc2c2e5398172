"""docs/ stays true to the code: the rule book as implemented (docs/rules.md) has one entry per
rule, every rule the code or the tests cite has its entry, and every test it names exists."""

import ast
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
RULES_DOC = ROOT / "docs" / "rules.md"
# The project's rule book lives outside the repository; where a checkout has it at hand (the
# team's machines), EDEM_RULES_BOOK points to it and the entries are checked against it too.
RULES_BOOK = os.environ.get("EDEM_RULES_BOOK", "")
CODE_DIRS = ("appeals", "cabinets", "consultations", "edem", "analytics", "tests")


def entries():
    """The rule numbers of docs/rules.md's entries (``### R12. Answer``), in order."""
    return [int(n) for n in re.findall(r"^### R(\d+)\. ", RULES_DOC.read_text(), re.MULTILINE)]


def cited_rules():
    """Rule numbers cited by the code (``# R9``, docstrings) and by test names (``test_R9_``)."""
    cited = {}
    for directory in CODE_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number in re.findall(r"(?<![A-Za-z0-9/])R(\d{1,2})(?!\d)", path.read_text()):
                cited.setdefault(int(number), path.relative_to(ROOT).as_posix())
    return cited


def named_tests():
    """``tests/...py::test_name`` references of docs/rules.md."""
    return sorted(set(re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", RULES_DOC.read_text())))


def test_one_entry_per_rule_from_R1_without_gaps():
    numbers = entries()
    assert numbers, "docs/rules.md has no rule entries"
    assert numbers == list(range(1, len(numbers) + 1)), numbers


def test_every_rule_cited_in_code_or_tests_has_an_entry():
    documented = set(entries())
    missing = {n: where for n, where in cited_rules().items() if n not in documented}
    assert not missing, f"rules cited but not in docs/rules.md: {missing}"


@pytest.mark.skipif(not RULES_BOOK, reason="EDEM_RULES_BOOK is not set")
def test_every_rule_of_the_book_has_an_entry():
    book = {int(n) for n in re.findall(r"^\*\*R(\d+)\. ", Path(RULES_BOOK).read_text(), re.M)}
    assert book, "no rules found in the rule book"
    assert set(entries()) == book


def test_every_test_named_in_the_rule_book_exists():
    references = named_tests()
    assert len(references) > 100  # the page lists the rule tests, not a handful
    defined = {}
    missing = []
    for file, name in references:
        path = ROOT / file
        if file not in defined:
            defined[file] = (
                {
                    node.name
                    for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                }
                if path.exists()
                else set()
            )
        if name not in defined[file]:
            missing.append(f"{file}::{name}")
    assert not missing, f"docs/rules.md names tests that do not exist: {missing}"


def test_every_rule_test_is_named_in_the_rule_book():
    """A new ``test_R<N>_...`` belongs on the page of its rule."""
    named = {name for _file, name in named_tests()}
    unnamed = []
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and re.match(r"test_R\d+_", node.name)
                and node.name not in named
            ):
                unnamed.append(f"{path.relative_to(ROOT).as_posix()}::{node.name}")
    assert not unnamed, f"rule tests missing from docs/rules.md: {unnamed}"


def test_readme_and_docs_link_only_to_files_in_the_repository():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)", page.read_text()):
            if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
                continue
            resolved = (page.parent / target).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, broken
    readme = (ROOT / "README.md").read_text()
    assert "docs/architecture.md" in readme and "docs/rules.md" in readme

"""axe-core checks for the browser tests."""

from functools import cache

import pytest
from axe_playwright_python.sync_playwright import Axe

#: Impacts that fail a test (issue 2: 0 serious or critical violations). "moderate" and "minor"
#: findings are left to manual audits.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


@cache
def _axe():
    return Axe()  # reads the bundled axe.min.js once


def blocking_violations(page, context=None):
    """axe-core violations of ``page`` (optionally only inside the CSS selector ``context``)
    whose impact is serious or critical."""
    results = _axe().run(page, context=context, options={"resultTypes": ["violations"]})
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def assert_accessible(page, context=None):
    """Fail with the rule ids, help texts and target selectors if axe-core finds a serious or
    critical violation on the page as it is now."""
    violations = blocking_violations(page, context=context)
    if violations:
        pytest.fail(
            f"axe-core: {len(violations)} serious/critical violation(s) on {page.url}\n"
            + describe(violations),
            pytrace=False,
        )

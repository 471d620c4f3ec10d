"""axe-core in a Playwright page: the accessibility violations a browser test asserts away.

The script comes from node_modules (npm dev dependency `axe-core`, pinned in package.json and installed by
`make test` through `npm ci`), injected into the page, so no network is needed. Only serious and critical
violations count: minor/moderate ones are advice, not failures.

    from tests.browser.axe import axe_violations, describe
    violations = axe_violations(page)
    assert violations == [], describe(violations)
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_violations(page, *, context: str | None = None, impacts: tuple[str, ...] = BLOCKING) -> list[dict]:
    """Run axe on `page` (the whole document, or the CSS selector `context`); the violations of `impacts`.

    Each violation is axe's dict (id, impact, help, helpUrl, nodes[{target, html, failureSummary}]).
    """
    if not AXE_SCRIPT.exists():
        raise RuntimeError(f"{AXE_SCRIPT} is missing: run `npm ci` (make test does)")
    # The page as a person meets it: its stylesheets loaded and the admin's theme set (Django's theme.js
    # names the theme toggle's label by it; before that, a busy machine lets axe see a button with no name).
    page.wait_for_load_state("load", timeout=15000)
    page.wait_for_function(
        "() => !document.querySelector('.theme-toggle') || document.documentElement.dataset.theme", timeout=15000
    )
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate(
        """async (context) => {
            const options = {resultTypes: ["violations"]};
            return await window.axe.run(context ? document.querySelector(context) : document, options);
        }""",
        context,
    )
    return [violation for violation in results["violations"] if violation.get("impact") in impacts]


def describe(violations: list[dict]) -> str:
    """A readable message for an assertion: each rule, its impact and the first few offending elements."""
    if not violations:
        return "no serious or critical accessibility violations"
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            target = " ".join(str(part) for part in node.get("target", []))
            lines.append(f"    at {target}: {node.get('html', '')[:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page, *, context: str | None = None) -> None:
    """Fail with a readable list unless axe finds no serious or critical violation."""
    violations = axe_violations(page, context=context)
    assert violations == [], describe(violations)

"""axe-core (the npm package pinned in package.json) run inside a page: every violation, of any impact, fails."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def violations(page: Page) -> list[dict]:
    """axe's violations on the page as it is now (evaluated through the browser's debugger, so the CSP stays on)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    return page.evaluate("""async () => {
        const result = await window.axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")


def assert_accessible(page: Page, where: str = "") -> None:
    """Fail with axe's findings, worded for a person reading the test output, if the page has any violation."""
    found = violations(page)
    assert not found, f"axe found {len(found)} violation(s) on {where or page.url}:\n" + "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']} at {', '.join(v['targets'])}" for v in found)

"""Helpers for the browser tests: sign in, screenshot, check NHS.UK frontend, run axe."""

import json
from pathlib import Path

from tests.factories import PASSWORD

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# axe is served to the page from this made-up same-origin path (see inject_axe).
AXE_URL_PATH = "/__e2e__/axe.min.js"
# Outside the repository on purpose: screenshots are for looking at, not committing.
SHOTS_DIR = Path("/tmp/portal-shots")  # noqa: S108
NHS_BLUE = "rgb(0, 94, 184)"


def screenshot(page, name):
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SHOTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    path.with_suffix(".html").write_text(page.content())
    return path


def assert_frontend_loaded(page):
    """NHS.UK frontend's CSS and JavaScript both arrived and ran, under the CSP."""
    assert not page.problems, f"Problems loading {page.url}:\n{page.problems.describe()}"
    state = page.evaluate(
        """() => ({
            header: getComputedStyle(document.querySelector('.nhsuk-header')).backgroundColor,
            body: document.body.className,
            headerInit: document.querySelector('.nhsuk-header')
                .hasAttribute('data-nhsuk-header-init'),
        })"""
    )
    assert state["header"] == NHS_BLUE, f"NHS.UK CSS not applied on {page.url}: {state}"
    assert "nhsuk-frontend-supported" in state["body"], f"inline script blocked: {state}"
    assert state["headerInit"], f"NHS.UK JavaScript did not initialise on {page.url}: {state}"


def assert_references_resolve(page):
    """Every id that aria-describedby, aria-labelledby or a label's for names exists.

    axe passes aria-describedby if any one of its ids exists, so an error message
    whose id the input does not point at (say "-error" against Django's
    "_error") would go unread by screen readers without failing axe.
    """
    missing = page.evaluate(
        """() => {
            const missing = [];
            for (const el of document.querySelectorAll(
                '[aria-describedby], [aria-labelledby], label[for]'
            )) {
                for (const attr of ['aria-describedby', 'aria-labelledby', 'for']) {
                    for (const id of (el.getAttribute(attr) || '').split(/\\s+/)) {
                        if (id && !document.getElementById(id)) {
                            missing.push(`${el.outerHTML.slice(0, 120)} ${attr}=${id}`);
                        }
                    }
                }
            }
            return missing;
        }"""
    )
    assert not missing, f"References to missing ids on {page.url}:\n" + "\n".join(missing)


def inject_axe(page):
    """Load axe-core into the page without weakening the site's CSP.

    The site's Content-Security-Policy allows only same-origin scripts and the
    one inline script carrying the per-request nonce, so add_script_tag(path=...)
    (which inlines the file's text) would be blocked. Rather than turn CSP off
    for the whole context (bypass_csp=True, which would also hide any CSP
    breakage of the site's own scripts), the browser answers a made-up
    same-origin URL with axe.min.js itself, which script-src 'self' permits.
    """
    origin = page.evaluate("location.origin")
    page.route(
        f"{origin}{AXE_URL_PATH}",
        lambda route: route.fulfill(
            path=str(AXE_JS), content_type="application/javascript; charset=utf-8"
        ),
    )
    page.add_script_tag(url=AXE_URL_PATH)
    page.wait_for_function("typeof window.axe !== 'undefined'")


def axe_check(page, name):
    """Screenshot the page, run axe and fail on any serious or critical violation."""
    page.wait_for_load_state("load")
    screenshot(page, name)
    assert_frontend_loaded(page)
    assert_references_resolve(page)
    inject_axe(page)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    # Every violation, minor ones included, kept beside the screenshot for review.
    (SHOTS_DIR / f"{name}.axe.json").write_text(json.dumps(results["violations"], indent=2))
    blocking = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    report = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]],
        }
        for v in blocking
    ]
    assert not blocking, (
        f"axe found {len(blocking)} serious/critical violation(s) on {page.url} ({name}):\n"
        + json.dumps(report, indent=2)
    )
    return results


def sign_in(page, user, password=PASSWORD):
    """Sign in through the real form; returns on whatever page allauth lands on."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Sign in").click()

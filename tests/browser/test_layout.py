"""What every page shares: the skip link, the accessibility statement, sign-in errors in the
design system's pattern, and content that reflows at 400% zoom (a 320 CSS pixel wide window)."""

from .keyboard import FOCUS_VISIBLE_JS, activate, choose_radio, press
from .steps import sign_in

HORIZONTAL_OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const main = document.getElementById("main-content");
  const outside = [...main.querySelectorAll("*")].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > root.clientWidth + 1 || box.left < -1);
  });
  return {page: root.scrollWidth - root.clientWidth,
          outside: outside.slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))};
}"""


def test_skip_link_and_accessibility_statement_by_keyboard(page, people):
    page.goto("/accounts/login/")
    page.audit.check()
    # The organisation's own name, typeface and colours: not GOV.UK's crown, font or blue.
    header = page.get_by_role("banner")
    assert header.get_by_role("link", name="Northmoor Children's Services").is_visible()
    assert header.locator("svg").count() == 0 and "GOV.UK" not in header.inner_text()
    fonts = page.evaluate(
        "() => [...document.querySelectorAll('body, h1, .govuk-button')].map(el => getComputedStyle(el).fontFamily)"
    )
    assert all(font.startswith("arial") for font in fonts), fonts
    assert (
        page.locator(".app-header").evaluate("el => getComputedStyle(el).backgroundColor")
        == "rgb(16, 96, 90)"
    )
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    assert skip_link.evaluate("el => el === document.activeElement"), (
        "the skip link is not the first thing Tab reaches"
    )
    assert skip_link.is_visible() and skip_link.evaluate(FOCUS_VISIBLE_JS)
    page.keyboard.press("Enter")
    assert page.evaluate(
        "() => document.getElementById('main-content').contains(document.activeElement)"
    )

    activate(
        page, page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement")
    )
    page.audit.check()
    assert (
        page.get_by_role("heading", level=1).inner_text().startswith("Accessibility statement for")
    )
    assert "WCAG" in page.locator("main").inner_text()


def test_sign_in_errors_follow_the_design_system(page, people):
    page.goto("/accounts/login/")
    page.audit.check()
    activate(page, page.get_by_role("button", name="Sign in"))
    page.audit.check()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert summary.evaluate("el => el === document.activeElement")
    links = summary.locator("a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#id_username",
        "#id_password",
    ]
    for field_id in ("id_username", "id_password"):
        field = page.locator(f"#{field_id}")
        described_by = field.get_attribute("aria-describedby")
        assert "This field is required." in page.locator(f"#{described_by}").inner_text()
    # Following a link in the summary puts the focus in that field, ready to type.
    activate(page, links.nth(1), navigates=False)
    assert page.locator("#id_password").evaluate("el => el === document.activeElement")


def test_pages_reflow_at_400_percent_zoom(new_page, people, quiz, module):
    page = new_page(width=320, height=640)
    sign_in(page, "sam.staff")
    pages_seen = []

    def assert_no_horizontal_scrolling():
        overflow = page.evaluate(HORIZONTAL_OVERFLOW_JS)
        pages_seen.append(page.url)
        assert overflow["page"] <= 0 and not overflow["outside"], (
            f"{page.url} scrolls sideways at 320px: {overflow}"
        )

    assert_no_horizontal_scrolling()  # My learning, with its table of modules
    # The menu collapses behind a button that works from the keyboard.
    menu = page.get_by_role("button", name="Menu")
    activate(page, menu, navigates=False)
    assert menu.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="My learning").is_visible()

    page.goto("/learn/")  # the catalogue of modules
    page.audit.check()
    assert_no_horizontal_scrolling()
    activate(page, page.get_by_role("link", name=module.title))
    page.audit.check()
    activate(page, page.get_by_role("button", name="Start module"))
    page.audit.check()
    activate(page, page.get_by_role("button", name="Continue"))
    page.audit.check()
    assert_no_horizontal_scrolling()  # a decision
    choose_radio(page, name="choice", index=1)
    press(page, "Enter")  # Enter in a radio group submits its form
    page.audit.check()
    assert_no_horizontal_scrolling()  # the decision's feedback
    assert "This is not what the policy expects." in page.locator("#feedback").inner_text()


def test_password_reset_link_and_the_email_page_meet_the_standard(page, people):
    page.goto("/accounts/login/")
    page.audit.check()
    activate(page, page.get_by_role("link", name="Forgot your password?"))
    page.audit.check()
    assert "/accounts/password/reset/" in page.url
    sign_in(page, "sam.staff")
    page.goto("/accounts/email/")
    page.audit.check()
    assert "comes from your organisation" in page.locator("main").inner_text()

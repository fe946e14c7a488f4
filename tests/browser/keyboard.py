"""Driving pages with the keyboard alone, as someone who cannot use a mouse would: Tab to move,
arrow keys within a radio group, Space to choose, Enter to follow or submit. Every element reached
must show where the focus is."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

DESCRIBE_FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "nothing";
  const name = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 60);
  return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${name}"`;
}"""

# GOV.UK Frontend draws focus as a yellow box-shadow (links, buttons) or a thick outline; a radio's
# input is hidden and its focus ring is drawn on the label's ::before.
FOCUS_VISIBLE_JS = """el => {
  const shows = style => (style.boxShadow && style.boxShadow !== "none")
    || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
        && !["transparent", "rgba(0, 0, 0, 0)"].includes(style.outlineColor));
  if (shows(getComputedStyle(el))) return true;
  if (el.matches("input[type=radio], input[type=checkbox]") && el.labels.length) {
    return shows(getComputedStyle(el.labels[0], "::before"));
  }
  return false;
}"""


def focused_description(page):
    return page.evaluate(DESCRIBE_FOCUS_JS)


def _has_focus(locator):
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, *, max_presses=60):
    """Press Tab until ``locator`` has the focus, and check that the focus can be seen."""
    locator.wait_for(state="attached")
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if _has_focus(locator):
            _expect_focus_drawn(page, locator)
            return locator
    pytest.fail(
        f"could not reach {locator} with the Tab key; focus ended on {focused_description(page)}",
        pytrace=False,
    )


def _expect_focus_drawn(page, locator):
    """The focus ring on ``locator`` must appear. Wagtail's menus move the focus from their own
    scripts as a panel opens or closes, so the ring may be drawn a frame after the key press: wait
    for it, as Playwright's ``expect`` would, rather than read the style at one instant."""
    element = locator.element_handle()
    try:
        page.wait_for_function(FOCUS_VISIBLE_JS, arg=element, timeout=2_000)
    except PlaywrightTimeoutError:
        pytest.fail(f"focus on {focused_description(page)} cannot be seen", pytrace=False)


def activate(page, locator, *, key="Enter", navigates=True):
    """Tab to a link or button and press Enter (or Space); by default, wait for the page it leads to."""
    tab_to(page, locator)
    press(page, key, navigates=navigates)


def open_modal(page, button):
    """Tab to ``button`` and press Enter to open a Wagtail chooser's modal; return the modal once
    it holds the focus. The modal fades in and only then moves the focus onto itself, so a key
    pressed before that would land wherever the focus was and be taken back from it."""
    activate(page, button, navigates=False)
    try:
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.matches('.modal')",
            timeout=5_000,
        )
    except PlaywrightTimeoutError:
        pytest.fail(
            f"the modal did not take the focus; it is on {focused_description(page)}",
            pytrace=False,
        )
    return page.locator(".modal-dialog")


def press(page, key, *, navigates=True):
    if not navigates:
        page.keyboard.press(key)
        return
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press(key)


def choose_radio(page, *, name, index):
    """Tab into the radio group ``name``, move to option ``index`` with the arrow keys, and choose it with Space."""
    group = page.locator(f"input[type=radio][name='{name}']")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(
            "name => document.activeElement && document.activeElement.name === name", name
        ):
            break
    else:
        pytest.fail(f"could not reach the radio group {name!r} with the Tab key", pytrace=False)
    current = page.evaluate(
        "name => [...document.getElementsByName(name)].indexOf(document.activeElement)", name
    )
    step = "ArrowDown" if index > current else "ArrowUp"
    for _ in range(abs(index - current)):
        page.keyboard.press(step)
    target = group.nth(index)
    assert _has_focus(target), f"the arrow keys did not reach option {index} of {name!r}"
    assert target.evaluate(FOCUS_VISIBLE_JS), f"focus on option {index} of {name!r} cannot be seen"
    page.keyboard.press("Space")
    assert target.is_checked(), f"Space did not choose option {index} of {name!r}"


def choose_option(page, select, *, label):
    """Tab to a drop-down and move through its options with the arrow keys until ``label`` is chosen."""
    tab_to(page, select)
    labels = select.locator("option").all_inner_texts()
    assert label in labels, f"{label!r} is not one of {labels}"
    current = select.evaluate("el => el.selectedIndex")
    target = labels.index(label)
    for _ in range(abs(target - current)):
        page.keyboard.press("ArrowDown" if target > current else "ArrowUp")
    assert select.evaluate("el => el.options[el.selectedIndex].text") == label, (
        f"the arrow keys did not reach {label!r}"
    )

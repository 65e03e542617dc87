"""Two people in two browsers: sign up, link with a code, see each other arrive, unlink."""
import re

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, link, screenshot, sign_up


def test_two_partners_link_see_each_other_and_unlink(partner_page):
    alice, bob = partner_page(DESKTOP), partner_page(PHONE)
    sign_up(alice, "Alice Moreau", "alice@example.org")
    sign_up(bob, "Bob Lindqvist", "bob@example.org")
    link(alice, bob)

    expect(bob.locator("h1")).to_have_text("You and Alice Moreau")
    expect(alice.locator("h1")).to_have_text("You and Bob Lindqvist")  # the inviter's page followed by itself
    expect(alice.locator("#presence")).to_have_attribute("data-here", "true")
    expect(bob.locator("#presence")).to_have_attribute("data-here", "true")
    expect(alice.locator("#presence")).to_contain_text("Bob Lindqvist is here now")
    screenshot(alice, "home-desktop")
    screenshot(bob, "home-phone")

    bob.goto("/account")  # another page of the app: still here
    bob.goto("/")
    expect(alice.locator("#presence")).to_have_attribute("data-here", "true")

    alice.goto("/unlink")
    alice.get_by_label("Yes, unlink us now.").check()
    alice.get_by_role("button", name="Unlink now").click()
    expect(alice.locator(".flash")).to_contain_text("You are unlinked")
    # Bob's open page becomes the archive by itself.
    expect(bob.get_by_role("heading", level=1)).to_have_text("Archive: with Alice Moreau")
    expect(bob.locator("#presence")).to_have_count(0)


def test_quick_exit_leaves_and_signs_out(partner_page):
    page = partner_page(DESKTOP)
    sign_up(page, "Carol Nguyen", "carol@example.org")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url("about:blank")
    page.go_back()
    # Whatever the browser shows now, the app itself has signed this browser out.
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login"))

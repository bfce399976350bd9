"""Steps the browser stories share: signing in through the login form and out through the top bar."""

from ..factories import PASSWORD

__all__ = ["sign_in", "sign_out"]


def sign_in(page, live_server, username, landing, password=PASSWORD):
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form:has(input[name=username])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button").click()
    page.wait_for_url(f"{live_server.url}{landing}")


def sign_out(page, live_server):
    page.locator('header.topbar form[action="/logout/"] button[type=submit]').click()
    page.wait_for_url(f"{live_server.url}/login/")

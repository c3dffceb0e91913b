"""With a password set (as beyond loopback), the UI asks for it before showing any flow; the login
cookie is HttpOnly; a wrong password is refused."""
from selenium.webdriver.common.by import By

from ui_support import Client, check, rows, run, wait


def main(args, driver):
    Client(args).chat({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "a secret prompt"}]})
    driver.get(args.ui + "/")
    password = wait(lambda: driver.find_element(By.ID, "login-password"), message="the login form")
    check(not driver.find_elements(By.ID, "flow-rows"), "no flow list before login")
    # (With the UI's header: a bare 401 carries a Basic challenge, which would open the browser's own dialog.)
    status = driver.execute_async_script("const done = arguments[0]; fetch('/api/flows', {headers: {'X-Sightline-UI': '1'}}).then(r => done(r.status))")
    check(status == 401, f"the API refuses the page before login ({status})")
    password.send_keys("wrong-password")
    driver.find_element(By.ID, "login-submit").click()
    wait(lambda: "Wrong password" in driver.find_element(By.CSS_SELECTOR, "#login .flow-error").text, message="the refusal")
    password.clear()
    password.send_keys(args.password)
    driver.find_element(By.ID, "login-submit").click()
    wait(lambda: len(rows(driver)) == 1, message="the flow list after login")
    check("sightline_token" not in driver.execute_script("return document.cookie"), "the login cookie is HttpOnly")
    check(not driver.find_element(By.ID, "logout").get_attribute("hidden"), "a logout button")
    driver.find_element(By.ID, "logout").click()
    wait(lambda: driver.find_element(By.ID, "login-password"), message="the login form after logout")


if __name__ == "__main__":
    run(main)

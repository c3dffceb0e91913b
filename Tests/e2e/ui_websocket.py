"""A WebSocket session in a real browser: listed with a `ws open` badge while the app holds it open, its
Messages tab following the session as it goes, and completed (close code, every message) once it ends."""
import json
import os
import subprocess
import sys

from selenium.webdriver.common.by import By

from ui_support import check, rows, run, wait


def main(args, driver):
    driver.get(args.ui + "/")
    wait(lambda: "on" in driver.find_element(By.ID, "live").get_attribute("class"), message="the live feed to connect")

    # An app opens a session through the proxy and, after its first exchange, keeps it open and quiet.
    environment = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    environment.update(HTTPS_PROXY=args.proxy, SSL_CERT_FILE=args.ca)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "websocket_session.py")
    app = subprocess.Popen([sys.executable, script, args.websocket, "--hold", "4"], env=environment,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        badge = wait(lambda: driver.find_element(By.CSS_SELECTOR, "#flow-rows tr.flow-row .badge.ws.open"), message="the open session's row")
        check(badge.text.lower() == "ws open", f"badge: {badge.text!r}")
        check("101" in rows(driver)[0].text, f"row: {rows(driver)[0].text!r}")
        rows(driver)[0].click()
        tab = wait(lambda: driver.find_element(By.CSS_SELECTOR, '.tab[data-tab="messages"]'), message="the Messages tab")
        tab.click()
        wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, "table.ws tbody tr")) == 3, message="the three messages so far")
        check(driver.find_elements(By.ID, "ws-open"), "the tab says the session is open")
        lines = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "table.ws tbody tr")]
        check("session.created" in lines[0] and "↓" in lines[0], f"first message, from the server: {lines[0]!r}")
        check("hello realtime" in lines[1] and "↑" in lines[1], f"second message, from the app: {lines[1]!r}")
        # A filter typed while the session is open stays as the tab follows the session.
        driver.find_element(By.ID, "ws-filter").send_keys("hello")

        out, err = app.communicate(timeout=30)
        check(app.returncode == 0, f"websocket_session.py failed: {err}")
        check(json.loads(out).get("close_code") == 4001, f"the app saw the close: {out}")
    except BaseException:
        if app.poll() is None:
            app.kill()
        out, err = app.communicate()
        print("websocket_session.py:", out, err, file=sys.stderr)
        raise

    # Once both sides have closed, the same row and the open tab complete without a reload.
    wait(lambda: not driver.find_elements(By.CSS_SELECTOR, "#flow-rows .badge.ws.open")
         and driver.find_elements(By.CSS_SELECTOR, "#flow-rows .badge.ws"), message="the row to say the session ended")
    check(len(rows(driver)) == 1, "one flow for the session")
    wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, "table.ws tbody tr")) == 14, message="all fourteen messages")
    check(driver.find_element(By.CSS_SELECTOR, '.tab.active').get_attribute("data-tab") == "messages", "the tab stayed open")
    check(driver.find_element(By.ID, "ws-filter").get_attribute("value") == "hello", "the filter survived the update")
    visible = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "table.ws tbody tr") if r.is_displayed()]
    check(len(visible) == 2 and all("hello realtime" in t for t in visible), f"the filter still applies: {visible!r}")
    close = driver.find_element(By.CSS_SELECTOR, ".ws-messages .usage").text
    check("4001" in close and "bye" in close and "server" in close, f"how it closed: {close!r}")
    check(not driver.find_elements(By.ID, "ws-open"), "no longer open")
    # The filter keeps the messages that mention a word.
    box = driver.find_element(By.ID, "ws-filter")
    box.clear()
    box.send_keys("part two")
    wait(lambda: len([r for r in driver.find_elements(By.CSS_SELECTOR, "table.ws tbody tr") if r.is_displayed()]) == 2,
         message="the fragmented message and its echo")
    box.clear()
    box.send_keys(" ")
    wait(lambda: all(r.is_displayed() for r in driver.find_elements(By.CSS_SELECTOR, "table.ws tbody tr")), message="every row again")
    last = driver.find_elements(By.CSS_SELECTOR, "table.ws tbody tr")[-1].text
    check("close" in last and "4001" in last and "bye" in last, f"the close frame reads as its code and reason: {last!r}")


if __name__ == "__main__":
    run(main)

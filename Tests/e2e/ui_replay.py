"""Replay in a real browser: edit a recorded request, send it through Sightline, and see the new flow
beside the old one with a diff of the outputs."""
from selenium.webdriver.common.by import By

from ui_support import Client, api, check, rows, run, shot, wait


def main(args, driver):
    client = Client(args)
    client.chat({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "original question about tides"}]})
    driver.get(args.ui + "/")
    wait(lambda: len(rows(driver)) == 1, message="the recorded flow")
    original = rows(driver)[0].get_attribute("data-id")
    rows(driver)[0].click()
    wait(lambda: driver.find_element(By.ID, "replay-button"), message="the replay button").click()
    body = wait(lambda: driver.find_element(By.CSS_SELECTOR, "#replay-dialog textarea[name=body]"), message="the replay editor")
    edited = body.get_attribute("value").replace("original question about tides", "edited question about waves")
    check(edited != body.get_attribute("value"), "the body holds the recorded prompt")
    driver.execute_script("arguments[0].value = arguments[1]", body, edited)
    driver.find_element(By.ID, "replay-send").click()
    diff = wait(lambda: driver.find_element(By.ID, "output-diff"), timeout=20, message="the comparison")
    check("You said: original question about tides" in diff.text and "You said: edited question about waves" in diff.text, f"diff: {diff.text!r}")
    check(driver.find_elements(By.CSS_SELECTOR, "#output-diff .diff-line.add") and driver.find_elements(By.CSS_SELECTOR, "#output-diff .diff-line.del"),
          "added and removed lines are marked")
    new_id = driver.current_url.rsplit("/", 1)[-1]
    check(new_id != original, "a new flow opened")
    flows = api(args, "/api/flows")["flows"]
    check(len(flows) == 2, f"the store holds the replay ({len(flows)} flows)")
    replay = next(f for f in flows if f["id"] == new_id)
    check(replay["properties"].get("Replay-Of") == original, "the new flow names the original")
    check(len(driver.find_elements(By.CSS_SELECTOR, ".compare .detail")) == 2, "both flows side by side")
    shot(driver, args, "ui-replay.png")


if __name__ == "__main__":
    run(main)

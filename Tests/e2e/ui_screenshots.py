"""Screenshots for the README from a seeded store (driven by ReadmeScreenshots in SightlineWebTests).
A live call through the proxy comes in while the list is open, so the list shows it arriving."""
import time

from selenium.webdriver.common.by import By

from ui_support import Client, api, rows, run, shot, tool_round, wait


def open_flow(driver, args, flow_id, tab=None):
    driver.get(f"{args.ui}/#/flows/{flow_id}")
    wait(lambda: driver.find_element(By.CSS_SELECTOR, ".detail .tabs"), message="the detail")
    if tab:
        driver.find_element(By.CSS_SELECTOR, f'.tab[data-tab="{tab}"]').click()
    time.sleep(0.4)


def main(args, driver):
    driver.get(args.ui + "/#/")
    wait(lambda: len(rows(driver)) > 20, message="the seeded list")
    wait(lambda: "on" in driver.find_element(By.ID, "live").get_attribute("class"), message="the live feed")
    tool_round(Client(args), question="What's the weather in Paris right now?", headers={"Sightline-Session-Id": "trip-planner-0042", "Sightline-Session-Path": "/answer"})
    wait(lambda: "1 tool" in rows(driver)[1].text.lower(), message="the live calls")
    shot(driver, args, "ui-list.png")

    flows = api(args, "/api/flows?limit=200")["flows"]
    with_tools = next(f for f in flows if f["provider"] == "anthropic" and (f.get("tool_call_count") or 0) > 0 and not f["stream"])
    open_flow(driver, args, with_tools["id"])
    shot(driver, args, "ui-conversation.png")

    streams = [f for f in flows if f["stream"]]
    thinking = next((f for f in streams if f["provider"] == "anthropic" and (f.get("tool_call_count") or 0) > 0), streams[0])
    open_flow(driver, args, thinking["id"], tab="stream")
    shot(driver, args, "ui-stream.png")

    open_flow(driver, args, thinking["id"], tab="timing")
    shot(driver, args, "ui-timing.png")

    driver.get(args.ui + "/#/dashboard")
    wait(lambda: driver.find_elements(By.CSS_SELECTOR, ".by-model tbody tr"), message="the dashboard")
    shot(driver, args, "ui-dashboard.png")

    driver.get(args.ui + "/#/sessions/trip-planner-0042")
    wait(lambda: driver.find_elements(By.CSS_SELECTOR, ".tree-flow"), message="the session tree")
    shot(driver, args, "ui-sessions.png")

    driver.get(args.ui + "/#/setup")
    wait(lambda: driver.find_element(By.ID, "env-code"), message="the setup page")
    shot(driver, args, "ui-setup.png")


if __name__ == "__main__":
    run(main)

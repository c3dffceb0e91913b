"""Threads in a real browser: an agent's tool loop sent with no header is one conversation. The second call's
Conversation tab marks what it added since the first (the tool call and its result), its thread link lists both
calls, and the comparison with the previous turn shows what the request changed."""
from selenium.webdriver.common.by import By

from ui_support import Client, api, check, row_ids, run, shot, tool_round, wait


def main(args, driver):
    client = Client(args)
    tool_round(client)
    unrelated = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Something else entirely"}]}
    client.chat(unrelated)
    flows = wait(lambda: (lambda f: f if len(f) == 3 else None)(api(args, "/api/flows")["flows"]), message="three flows")
    other, second, first = flows
    check(second["parent_id"] == first["id"] and second["thread_id"] == first["id"], "the tool result continues the tool call")
    check(other["parent_id"] is None and other["thread_id"] == other["id"], "an unrelated call is its own thread")

    driver.get(args.ui + "/#/flows/" + second["id"])
    marker = wait(lambda: driver.find_element(By.ID, "new-since-parent"), message="the new-since-parent marker")
    check("(2)" in marker.text, f"two messages are new: {marker.text!r}")
    new = driver.find_elements(By.CSS_SELECTOR, ".conversation .msg.new-turn")
    check([m.find_element(By.CSS_SELECTOR, ".msg-role").text.lower() for m in new] == ["assistant", "tool"],
          f"the assistant's tool call and the tool's result are marked: {[m.text[:40] for m in new]}")
    check(not driver.find_elements(By.CSS_SELECTOR, ".msg.new-turn.role-user"), "the question asked before is not new")
    shot(driver, args, "ui-thread-turn.png")

    driver.find_element(By.ID, "thread-link").click()
    wait(lambda: row_ids(driver) == [second["id"], first["id"]], message="the thread's two calls, newest first")

    driver.get(args.ui + f"/#/compare/{first['id']}/{second['id']}")
    changes = wait(lambda: (lambda e: e if e and "+ assistant" in e[0].text else None)(driver.find_elements(By.CSS_SELECTOR, "#request-diff .diff")),
                   message="the request diff")[0]
    check("[tool call] get_weather" in changes.text and "+ tool" in changes.text, f"what the request added: {changes.text!r}")
    check(driver.find_element(By.CSS_SELECTOR, ".compare-view h2").text == "Next turn", "the view names the relation")


if __name__ == "__main__":
    run(main)

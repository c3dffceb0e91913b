"""An MCP session in a real browser: the `mcp` SDK's client and a FastMCP server (Tests/e2e/mcp_*.py) talk through
the proxy (plain http://, absolute-form); the list shows provider `mcp` with each call's method, a tools/call opens
on its conversation as a tool call with its arguments and result, and the MCP tab shows the JSON-RPC call, its
session and the log the server sent before its answer."""
import json
import os
import subprocess
import sys

from selenium.webdriver.common.by import By

from ui_support import check, rows, run, wait

HERE = os.path.dirname(os.path.abspath(__file__))


def session(args):
    """Runs one MCP session through the proxy and returns what the client printed."""
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "mcp_server.py")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(server.stdout.readline().split()[1])
        out = subprocess.run([sys.executable, os.path.join(HERE, "mcp_client.py"), f"http://127.0.0.1:{port}/mcp",
                              "--proxy", args.proxy], check=True, capture_output=True, text=True, timeout=60).stdout
    finally:
        server.stdin.close()  # the server exits when its stdin closes
        server.wait(timeout=10)
    return json.loads(out.splitlines()[-1])


def main(args, driver):
    client = session(args)
    check(client["weather"] == ["Sunny, 21 °C in Lisbon"], f"the client's result: {client['weather']!r}")
    driver.get(args.ui + "/")
    wait(lambda: len(rows(driver)) == 8, message="the session's eight flows")
    texts = [r.text for r in rows(driver)]
    check(all("mcp" in t for t in texts), f"every row is mcp: {texts!r}")
    for method in ["initialize", "notifications/initialized", "tools/list", "tools/call", "session.stream", "session.delete"]:
        check(any(method in t for t in texts), f"a row shows {method}: {texts!r}")

    # The newest tools/call is get_weather: a tool call with its arguments, answered by its result.
    newest = next(r for r in rows(driver) if "tools/call" in r.text)
    flow = newest.get_attribute("data-id")
    newest.click()
    wait(lambda: driver.find_elements(By.CSS_SELECTOR, f'.detail[data-flow="{flow}"] .conversation .tool-call'),
         message="the conversation tab")
    call = driver.find_element(By.CSS_SELECTOR, ".conversation .tool-call")
    check("get_weather" in call.text and "Lisbon" in call.text, f"tool call: {call.text!r}")
    result = driver.find_element(By.CSS_SELECTOR, ".conversation .tool-result")
    check("Sunny, 21 °C in Lisbon" in result.text, f"tool result: {result.text!r}")
    check("result" in call.find_element(By.CSS_SELECTOR, ".tc-link a").text, "the call links to its result")
    check(not driver.find_elements(By.CSS_SELECTOR, ".conversation .usage"), "no tokens or cost for an MCP call")
    facts = driver.find_element(By.CSS_SELECTOR, ".detail-head .facts").text
    check(client["session_id"][:8] in facts, f"the header names the MCP session: {facts!r}")

    next(t for t in driver.find_elements(By.CSS_SELECTOR, ".tabs .tab") if t.text == "MCP").click()
    panel = wait(lambda: driver.find_element(By.CSS_SELECTOR, ".tab-body .mcp"), message="the MCP tab")
    text = panel.text
    for expected in ["tools/call", client["session_id"], "Lisbon", "Sunny, 21 °C in Lisbon", "notifications/message", "looking up Lisbon"]:
        check(expected in text, f"the MCP tab shows {expected!r}: {text!r}")

    # The failed division reads as an error result (in one of the other two calls: the open one is get_weather).
    for row in [r for r in rows(driver) if "tools/call" in r.text and r.get_attribute("data-id") != flow]:
        flow = row.get_attribute("data-id")
        row.click()
        wait(lambda: driver.find_elements(By.CSS_SELECTOR, f'.detail[data-flow="{flow}"] .conversation .tool-result'),
             message="the flow's tool result")
        if "divide" in driver.find_element(By.CSS_SELECTOR, ".conversation .tool-call").text:
            error = driver.find_element(By.CSS_SELECTOR, ".conversation .tool-result.is-error")
            check("division by zero" in error.text, f"the error result: {error.text!r}")
            break
    else:
        check(False, "no divide call listed")


if __name__ == "__main__":
    run(main)

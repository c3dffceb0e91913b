"""The flow list and the flow detail in a real browser: live updates, the conversation with its tool
call and result, full-text search, a hostile prompt that must not run, and the stream tab."""
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from ui_support import Client, api, check, rows, row_ids, run, tool_round, unique, wait


def main(args, driver):
    client = Client(args)
    driver.get(args.ui + "/")
    wait(lambda: driver.find_element(By.ID, "flow-rows"), message="the flow list")
    wait(lambda: "on" in driver.find_element(By.ID, "live").get_attribute("class"), message="the live feed to connect")
    driver.execute_script("window.__sameDocument = true")
    check(len(rows(driver)) == 0, "a new store lists no flows")

    # 1. Calls made through the proxy appear in the open list without a reload.
    tool_round(client)
    wait(lambda: len(rows(driver)) == 2, message="two live rows")
    check(driver.execute_script("return window.__sameDocument === true"), "the page must not have reloaded")
    first_row = rows(driver)[0]
    check("openai" in first_row.text and "gpt-4o-mini" in first_row.text and "200" in first_row.text, f"row fields: {first_row.text!r}")

    # 2. Opening the newest shows the conversation: the tool call, its result, linked, and the answer as Markdown.
    first_row.click()
    wait(lambda: driver.find_elements(By.CSS_SELECTOR, ".conversation .tool-call"), message="the conversation tab")
    call = driver.find_element(By.CSS_SELECTOR, ".conversation .tool-call")
    check("get_weather" in call.text and "Paris" in call.text, f"tool call: {call.text!r}")
    result = driver.find_element(By.CSS_SELECTOR, ".conversation .tool-result")
    check("sunny" in result.text, f"tool result: {result.text!r}")
    link = call.find_element(By.CSS_SELECTOR, ".tc-link a")
    check("result" in link.text, "the call links to its result")
    check("call" in result.find_element(By.CSS_SELECTOR, ".tc-link a").text, "the result links back to its call")
    output = driver.find_element(By.CSS_SELECTOR, ".msg.output")
    check("The weather in Paris is 18 °C and sunny." in output.text, f"answer: {output.text!r}")
    check(output.find_element(By.CSS_SELECTOR, "strong").text == "Paris", "Markdown is rendered")
    system = driver.find_element(By.CSS_SELECTOR, ".system-prompt")
    check("travel assistant" in system.text, "the system prompt is shown")
    check("estimated" in driver.find_element(By.CSS_SELECTOR, ".ctx").text, "the context breakdown says it is an estimate")

    # Request and Response tabs: headers in wire order, pretty JSON, redacted key.
    driver.find_element(By.CSS_SELECTOR, '.tab[data-tab="request"]').click()
    headers = driver.find_element(By.CSS_SELECTOR, ".headers").text
    check("Bearer ****1234" in headers, f"the key is redacted: {headers!r}")
    check(driver.find_elements(By.CSS_SELECTOR, ".tab-body .json .j-key"), "the request body is shown as a JSON tree")
    driver.find_element(By.CSS_SELECTOR, '.tab[data-tab="timing"]').click()
    check(len(driver.find_elements(By.CSS_SELECTOR, ".wf-row")) >= 3, "the timing waterfall")

    # 3. A hostile prompt shows as text and runs nothing.
    marker = unique("HOSTILE")
    hostile = f'{marker} <script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"> <svg onload="window.__pwned=1">'
    client.chat({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": hostile}]})
    wait(lambda: len(rows(driver)) == 3, message="the hostile flow's row")
    rows(driver)[0].click()
    wait(lambda: marker in driver.find_element(By.CSS_SELECTOR, ".conversation").text, message="the hostile conversation")
    text = driver.find_element(By.CSS_SELECTOR, ".conversation .msg.role-user").text
    check("<script>window.__pwned=1</script>" in text, "the user's <script> shows as text")
    check('<img src=x onerror="window.__pwned=1">' in text, "the user's <img onerror> shows as text")
    output = driver.find_element(By.CSS_SELECTOR, ".msg.output").text
    check("<script>window.__pwned=1</script>" in output, f"the echoed <script> in the model's Markdown shows as text: {output!r}")
    time.sleep(0.5)
    check(driver.execute_script("return typeof window.__pwned") == "undefined", "nothing from the prompt ran")
    check(driver.execute_script("return document.querySelectorAll('.conversation script, .conversation [onerror], .conversation [onload], .conversation svg').length") == 0,
          "no active markup reached the page")

    # 4. Full-text search finds a phrase from a prompt.
    phrase = unique("aardvark")
    client.chat({"model": "gpt-4o", "messages": [{"role": "user", "content": f"Where do {phrase} habitats lie?"}]})
    client.chat({"model": "gpt-4o", "messages": [{"role": "user", "content": "Write a haiku about lighthouses."}]})
    wait(lambda: len(rows(driver)) == 5, message="five rows")
    expected = api(args, f"/api/flows?q={phrase}")["flows"]
    check(len(expected) == 1, "the API finds the phrase once")
    search = driver.find_element(By.ID, "search")
    search.send_keys(phrase)
    search.send_keys(Keys.ENTER)
    wait(lambda: row_ids(driver) == [expected[0]["id"]], message="the search result")
    check(phrase in driver.current_url, "the search is in the URL")
    driver.get(args.ui + "/#/")
    wait(lambda: len(rows(driver)) == 5, message="all rows again")

    # 5. A streamed call: the stream badge, and each event with its time in the Stream tab.
    client.chat({"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": "Stream a short sentence about rivers please."}]})
    wait(lambda: len(rows(driver)) == 6, message="the streamed row")
    top = rows(driver)[0]
    check(top.find_elements(By.CSS_SELECTOR, ".badge.stream"), "the stream badge")
    top.click()
    tab = wait(lambda: driver.find_element(By.CSS_SELECTOR, '.tab[data-tab="stream"]'), message="the stream tab")
    tab.click()
    events = wait(lambda: driver.find_elements(By.CSS_SELECTOR, ".events tbody tr"), message="stream events")
    check(len(events) >= 8, f"each SSE event is listed ({len(events)})")
    check(driver.find_elements(By.CSS_SELECTOR, "svg.timeline .tl-event"), "the timeline")

    # Close the detail: the list alone.
    driver.find_element(By.CSS_SELECTOR, ".detail-head .close").click()
    wait(lambda: driver.find_element(By.CSS_SELECTOR, ".detail-pane").get_attribute("hidden") is not None, message="the detail to close")

    # The dashboard counts the calls.
    driver.get(args.ui + "/#/dashboard")
    kpi = wait(lambda: driver.find_element(By.CSS_SELECTOR, ".kpi .kpi-value"), message="the dashboard")
    wait(lambda: kpi.text == "6", message=f"six calls on the dashboard")
    check(len(driver.find_elements(By.CSS_SELECTOR, ".by-model tbody tr")) == 2, "two models")
    check(driver.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar"), "the charts have bars")

    # Setup offers the CA and the env lines.
    driver.get(args.ui + "/#/setup")
    code = wait(lambda: driver.find_element(By.ID, "env-code"), message="the setup page")
    check(args.proxy in code.text and "HTTPS_PROXY" in code.text, "the env lines name the proxy")
    check(driver.find_element(By.ID, "ca-pem").get_attribute("href").endswith("/api/ca.pem"), "the PEM download")


if __name__ == "__main__":
    run(main)

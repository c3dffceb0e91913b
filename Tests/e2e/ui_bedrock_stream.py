"""A recorded Bedrock ConverseStream call in a real browser: the row names Bedrock and the model id, the
conversation is reassembled, the Stream tab lists each event stream frame by its event type with its time, the
Response tab points there from the binary body, and the SigV4 credentials show redacted."""
from selenium.webdriver.common.by import By

from ui_support import check, rows, run, wait


def main(args, driver):
    driver.get(args.ui + "/")
    wait(lambda: len(rows(driver)) == 1, message="the seeded Bedrock row")
    row = rows(driver)[0]
    check("bedrock" in row.text and "us.anthropic.claude-3-5-haiku-20241022-v1:0" in row.text, f"row fields: {row.text!r}")
    row.click()

    output = wait(lambda: driver.find_element(By.CSS_SELECTOR, ".msg.output"), message="the conversation")
    check("Hello! It's nice to meet you. How can I help you today?" in output.text, f"answer: {output.text!r}")

    driver.find_element(By.CSS_SELECTOR, '.tab[data-tab="stream"]').click()
    events = wait(lambda: driver.find_elements(By.CSS_SELECTOR, ".events tbody tr"), message="stream events")
    names = [e.find_elements(By.CSS_SELECTOR, "td")[3].text for e in events]
    check(names == ["messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockDelta", "contentBlockDelta",
                    "contentBlockStop", "messageStop", "metadata"], f"one row per frame, named by its event type: {names}")
    check("Hello" in events[1].text, f"the frame's JSON payload: {events[1].text!r}")
    check(len(driver.find_elements(By.CSS_SELECTOR, "svg.timeline .tl-event")) == 8, "the timeline marks each frame")

    driver.find_element(By.CSS_SELECTOR, '.tab[data-tab="response"]').click()
    body = wait(lambda: driver.find_element(By.CSS_SELECTOR, ".tab-body .body"), message="the response body")
    check("see the Stream tab" in body.text, f"the binary body points to the Stream tab: {body.text[:200]!r}")

    driver.find_element(By.CSS_SELECTOR, '.tab[data-tab="request"]').click()
    headers = wait(lambda: driver.find_element(By.CSS_SELECTOR, ".headers"), message="the request headers").text
    check("AWS4-HMAC-SHA256 ****5a7e" in headers and "AKIA" not in headers, f"SigV4 redacted: {headers!r}")
    check("****WXYZ" in headers and "BrowserTestSessionToken" not in headers, "the session token redacted")


if __name__ == "__main__":
    run(main)

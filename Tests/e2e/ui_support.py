"""Shared helpers for the browser tests (ui_*.py): a headless Chromium driven by selenium, and calls
made through Sightline's proxy the way a client program makes them."""
import argparse
import json
import os
import sys
import time
import uuid

import httpx
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ui", required=True, help="the UI's URL, http://127.0.0.1:PORT")
    parser.add_argument("--proxy", required=True, help="the proxy's URL")
    parser.add_argument("--ca", required=True, help="the Sightline CA (PEM)")
    parser.add_argument("--password", default=None)
    parser.add_argument("--screenshots", default=None, help="a directory to save screenshots in")
    parser.add_argument("--websocket", default=None, help="a wss:// URL the proxy relays to a WebSocket test server")
    parser.add_argument("--store", default=None, choices=["unreachable", "healthy"],
                        help="ui_store_health.py: what the top bar must say of the store")
    return parser.parse_args()


def browser(width=1440, height=900):
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}",
                 "--no-proxy-server", "--force-device-scale-factor=1", "--lang=en-US"):
        options.add_argument(flag)
    binary = os.environ.get("SIGHTLINE_CHROMIUM", "/usr/bin/chromium")
    if os.path.exists(binary):
        options.binary_location = binary
    driver_path = os.environ.get("SIGHTLINE_CHROMEDRIVER", "/usr/bin/chromedriver")
    service = Service(driver_path) if os.path.exists(driver_path) else Service()
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_script_timeout(20)
    return driver


class Client:
    """A program calling the OpenAI API through Sightline (HTTPS_PROXY + the Sightline CA)."""

    def __init__(self, args):
        self.http = httpx.Client(proxy=args.proxy, verify=args.ca, timeout=30)

    def chat(self, body, headers=None):
        h = {"Authorization": "Bearer sk-test-abcdef1234", **(headers or {})}
        r = self.http.post("https://api.openai.com/v1/chat/completions", json=body, headers=h)
        r.raise_for_status()
        return r


def api(args, path, cookie=None):
    headers = {"Cookie": cookie} if cookie else {}
    if args.password:
        headers["Authorization"] = "Bearer " + args.password
    return httpx.get(args.ui + path, headers=headers, timeout=10).json()


def wait(condition, timeout=10.0, message="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # the page may be mid-render
            last = error
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}" + (f" (last error: {last})" if last else ""))


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def rows(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#flow-rows tr.flow-row")


def row_ids(driver):
    return [r.get_attribute("data-id") for r in rows(driver)]


TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Current weather for a city",
                                           "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                                                          "required": ["city"]}}}]


def tool_round(client, question="What's the weather in Paris right now?", model="gpt-4o-mini", headers=None):
    """An agent's two calls: the model asks for a tool, the program answers with its result."""
    messages = [{"role": "system", "content": "You are a concise travel assistant. Use tools for live data."},
                {"role": "user", "content": question}]
    first = client.chat({"model": model, "messages": messages, "tools": TOOLS}, headers).json()
    call = first["choices"][0]["message"]["tool_calls"][0]
    messages += [first["choices"][0]["message"],
                 {"role": "tool", "tool_call_id": call["id"], "content": json.dumps({"city": "Paris", "temp_c": 18, "sky": "sunny"})}]
    client.chat({"model": model, "messages": messages, "tools": TOOLS}, headers)


def shot(driver, args, name):
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)
        time.sleep(0.3)
        driver.save_screenshot(os.path.join(args.screenshots, name))


def run(main):
    args = arguments()
    driver = browser()
    try:
        main(args, driver)
    except BaseException:
        if os.environ.get("SIGHTLINE_UI_FAILURE_SHOT"):
            driver.save_screenshot(os.environ["SIGHTLINE_UI_FAILURE_SHOT"])
        logs = []
        try:
            logs = driver.get_log("browser")
        except Exception:
            pass
        for entry in logs:
            print("browser:", entry.get("level"), entry.get("message"), file=sys.stderr)
        raise
    finally:
        driver.quit()


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"

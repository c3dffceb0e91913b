"""The Sessions view: an agent run's calls as a tree of their Session-Path, totals per node (children included)
and a waterfall — each call a bar at its start offset in the session, as long as it took."""
from selenium.webdriver.common.by import By

from ui_support import Client, check, run, shot, unique, wait


def main(args, driver):
    client = Client(args)
    session = unique("trip")
    hi = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    for path in ["/plan", "/plan/search", "/plan/search", "/answer"]:
        client.chat(hi, {"Sightline-Session-Id": session, "Sightline-Session-Path": path, "Sightline-Session-Name": "Trip planner"})
    driver.get(args.ui + "/#/sessions/" + session)
    wait(lambda: driver.find_elements(By.CSS_SELECTOR, ".waterfall .tree-flow"), message="the session's tree")
    nodes = {n.get_attribute("data-path"): n for n in driver.find_elements(By.CSS_SELECTOR, ".tree-node")}
    check(set(nodes) == {"/plan", "/plan/search", "/answer"}, f"a node per path: {sorted(nodes)}")
    plan_totals = nodes["/plan"].find_element(By.CSS_SELECTOR, ":scope > summary .node-totals").text
    check("3 calls" in plan_totals, f"/plan counts its children's calls: {plan_totals!r}")
    search = nodes["/plan/search"]
    check(len(search.find_elements(By.CSS_SELECTOR, ":scope > .tree-children > .tree-flow")) == 2, "two calls at /plan/search")
    check(search.find_element(By.XPATH, "..").get_attribute("class") == "tree-children"
          and search.find_element(By.XPATH, "../..").get_attribute("data-path") == "/plan", "/plan/search nests under /plan")
    bars = driver.find_elements(By.CSS_SELECTOR, ".waterfall .wf-bar")
    check(len(bars) == 4, f"one bar per call: {len(bars)}")
    lefts = [float(b.value_of_css_property("left").rstrip("px")) for b in bars]
    widths = [b.size["width"] for b in bars]
    check(all(w > 0 for w in widths), f"every bar has a length: {widths}")
    order = sorted(lefts)
    check(order[0] < order[-1], f"later calls start further right: {lefts}")
    head = driver.find_element(By.CSS_SELECTOR, ".session-head").text
    check("Trip planner" in head and "4" in head, f"the session's name and calls: {head!r}")
    shot(driver, args, "ui-sessions.png")


if __name__ == "__main__":
    run(main)

"""The top bar says when the store is unreachable (a PostgreSQL server stopped under a team's Sightline), how many
flows wait, and stops saying it once the store is back. The caller stops and starts the server around the runs."""
from selenium.webdriver.common.by import By

from ui_support import check, run, shot, wait


def main(args, driver):
    driver.get(args.ui + "/#/")
    badge = lambda: driver.find_element(By.ID, "store-health")
    if args.store == "unreachable":
        wait(lambda: badge().is_displayed() and "store unreachable" in badge().text, timeout=15,
             message="the store-unreachable badge")
        text = badge().text
        check("waiting" in text, f"the badge says flows wait: {text!r}")
        title = badge().get_attribute("title") or ""
        check("since" in title and "written when the store is back" in title, f"the badge explains: {title!r}")
        shot(driver, args, "store-unreachable.png")
    else:
        wait(lambda: driver.find_element(By.ID, "live").text == "live", message="the live feed")
        wait(lambda: not badge().is_displayed(), timeout=15, message="the badge gone once the store is back")


if __name__ == "__main__":
    run(main)

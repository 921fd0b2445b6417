// While a disclosure document is queued or being made, ask the server for the statuses
// now and then, and reload the page as soon as any of them has changed.
const box = document.querySelector("[data-disclosure-status-url]");

if (box) {
  const url = box.dataset.disclosureStatusUrl;
  const shown = box.dataset.disclosureStatuses;
  let delay = 2000;

  const poll = async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const body = await response.json();
        if (body.statuses !== shown) {
          window.location.reload();
          return;
        }
      }
    } catch {
      // The network may be back by the next try.
    }
    delay = Math.min(delay * 1.5, 15000);
    window.setTimeout(poll, delay);
  };

  window.setTimeout(poll, delay);
}

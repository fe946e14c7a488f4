// Saves a quiz's answers as the person gives them, so that closing the tab or losing the
// connection loses nothing. Without JavaScript the form's "Save and come back later" button does
// the same. Set up from the form's data attributes (no inline script: the CSP forbids it):
//   data-autosave-url     where to POST the form (it answers JSON when asked for it)
//   data-autosave-status  the id of the live region that says when answers were last saved
//
// One save at a time: each save swaps in the form token the server returns, so a second request
// sent before the first answered would be refused as made from a stale copy of the form. Changes
// made while a save is in flight are sent once it has answered, and a submission waits for it too.

const FAILED = "Your answers could not be saved automatically. Use \"Save and come back later\".";

export function initAutosave(form) {
  const url = form.dataset.autosaveUrl;
  const status = document.getElementById(form.dataset.autosaveStatus);
  const tokenField = form.querySelector("input[name=form_token]");
  if (!url || !status || !tokenField || !window.fetch || !window.FormData) {
    return;
  }
  let inFlight = null;
  let changedSince = false;
  let submitting = false;

  function save() {
    changedSince = false;
    const data = new FormData(form);
    data.set("action", "save");
    inFlight = fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => response.json())
      .then((body) => {
        if (body.saved) {
          tokenField.value = body.form_token;
          status.textContent = `Your answers were saved at ${body.saved_at}.`;
        } else {
          status.textContent = body.message || FAILED;
        }
      })
      .catch(() => {
        status.textContent = FAILED;
      })
      .finally(() => {
        inFlight = null;
        if (changedSince && !submitting) {
          save();
        }
      });
  }

  form.addEventListener("change", () => {
    if (submitting) {
      return;
    }
    if (inFlight) {
      changedSince = true;
    } else {
      save();
    }
  });

  form.addEventListener("submit", (event) => {
    // The submission carries every answer itself; it only has to wait for the token of a save
    // already on its way, then go with that.
    submitting = true;
    if (inFlight) {
      event.preventDefault();
      const submitter = event.submitter;
      inFlight.then(() => {
        inFlight = null;
        if (form.requestSubmit) {
          form.requestSubmit(submitter);
        } else if (submitter) {
          submitter.click();
        } else {
          form.submit();
        }
      });
    }
  });
}

export function initAllAutosaves(root = document) {
  root.querySelectorAll("form[data-autosave-url]").forEach(initAutosave);
}

/* Accessibility fixes for the Wagtail admin (loaded on every admin page by lms/wagtail_hooks.py,
   as a file: no inline script, so nothing here depends on a relaxed Content-Security-Policy).

   Wagtail 8's rich-text fields (Draftail) render their editable area as a role="textbox" with no
   accessible name: the field's label points at the hidden input that stores the content, or (in
   StreamField blocks) at nothing. A screen reader then announces an unnamed "edit text". Each
   editor is given its field's label as its name (aria-labelledby), and clicking the label puts
   the cursor in the editor, as clicking any other field's label does.

   An editor's own block picker (its "Insert a block" button, or "/" typed in it) opens in a
   tooltip whose search box and list are labelled by an empty label: the tooltip, the box and the
   list all go unnamed. The label is given the button's words.

   Editors and pickers added later (a new block, a picker opening) are fixed as they appear. */
(() => {
  "use strict";

  const TEXTBOX = '.Draftail-Editor [role="textbox"][contenteditable="true"]';
  const PICKER_LABEL = ".Draftail-Editor .w-combobox > label";
  const PICKER_NAME = "Insert a block";
  let labelCount = 0;

  /* The <label> of the field an editor belongs to. Page and snippet fields: the label whose
     for= names the hidden input. StreamField blocks: the label heading the block's field. */
  function fieldLabel(textbox) {
    const wrapper = textbox.closest(".Draftail-Editor__wrapper");
    const input = wrapper && wrapper.parentElement.querySelector(":scope > input[type=hidden]");
    if (input && input.id) {
      const label = document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
      if (label) {
        return label;
      }
    }
    const field = textbox.closest("[data-contentpath]");
    return field && field.querySelector(":scope > label.w-field__label");
  }

  function nameEditor(textbox) {
    if (textbox.hasAttribute("aria-labelledby") || textbox.hasAttribute("aria-label")) {
      return;
    }
    const label = fieldLabel(textbox);
    if (!label) {
      return;
    }
    if (!label.id) {
      labelCount += 1;
      label.id = `lms-rich-text-label-${labelCount}`;
    }
    textbox.setAttribute("aria-labelledby", label.id);
    // The label's own target, if any, is the hidden input: clicking it would do nothing.
    label.addEventListener("click", () => textbox.focus());
  }

  function namePicker(label) {
    if (!label.textContent.trim()) {
      label.textContent = PICKER_NAME;
    }
  }

  function fixWithin(root) {
    if (!root.querySelectorAll) {
      return; // text
    }
    [
      [TEXTBOX, nameEditor],
      [PICKER_LABEL, namePicker],
    ].forEach(([selector, fix]) => {
      if (root.matches(selector)) {
        fix(root);
      }
      root.querySelectorAll(selector).forEach(fix);
    });
  }

  function start() {
    fixWithin(document.body);
    new MutationObserver((mutations) => {
      mutations.forEach((mutation) => mutation.addedNodes.forEach(fixWithin));
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

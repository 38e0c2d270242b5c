// Wagtail's multiple-upload page (images) leaves its file input nameless: the visible button
// beside it says what it does, so the input is named after it (axe-core "label").
document.addEventListener("DOMContentLoaded", () => {
  const input = document.getElementById("fileupload");
  if (!input || input.labels.length || input.hasAttribute("aria-label")) return;
  const button = input.parentElement.querySelector("button");
  if (button) input.setAttribute("aria-label", button.textContent.trim());
});

// A document's title is asked for, not made from the file name ("handout-2.pdf" tells a parent
// nothing): on the upload form and the chooser's upload tab, Wagtail's title suggestion is
// refused, so the title box stays empty and required. (The multiple upload, which titles each
// file by its name, leads to the upload form: home/wagtail_hooks.py.)
document.addEventListener("wagtail:documents-upload", (event) => event.preventDefault());

// Wagtail's tag field (jQuery tag-it, on the document upload form) types into an input of its
// own, with no label: it is named after the field's label (axe-core "label").
const labelTagInputs = () => {
  document.querySelectorAll("input.ui-autocomplete-input:not([aria-label])").forEach((input) => {
    const label = input.closest("[data-field-wrapper]")?.querySelector("label");
    if (label) input.setAttribute("aria-label", label.textContent.trim());
  });
};
new MutationObserver(labelTagInputs).observe(document.documentElement, {
  childList: true,
  subtree: true,
});

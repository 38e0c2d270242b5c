// Wagtail's multiple-upload pages (documents, images) leave their file input nameless: the
// visible button beside it says what it does, so the input is named after it (axe-core "label").
document.addEventListener("DOMContentLoaded", () => {
  const input = document.getElementById("fileupload");
  if (!input || input.labels.length || input.hasAttribute("aria-label")) return;
  const button = input.parentElement.querySelector("button");
  if (button) input.setAttribute("aria-label", button.textContent.trim());
});

// A document's title is asked for, not made from the file name ("handout-2.pdf" tells a parent
// nothing): on the single upload form, Wagtail's title suggestion is refused, so the title box
// stays empty and required. (The multiple upload still names each file by its file name until
// the editor retitles it in the form shown after the upload.)
document.addEventListener("wagtail:documents-upload", (event) => {
  if (!event.target.closest || !event.target.closest("#fileupload, .drop-zone")) {
    event.preventDefault();
  }
});

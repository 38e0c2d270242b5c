// Wagtail's multiple-upload pages (documents, images) leave their file input nameless: the
// visible button beside it says what it does, so the input is named after it (axe-core "label").
document.addEventListener("DOMContentLoaded", () => {
  const input = document.getElementById("fileupload");
  if (!input || input.labels.length || input.hasAttribute("aria-label")) return;
  const button = input.parentElement.querySelector("button");
  if (button) input.setAttribute("aria-label", button.textContent.trim());
});

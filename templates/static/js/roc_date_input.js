// The ROC date box (home/roc_date_field.py): the browser's date picker beside it, shown only
// when this script runs, writes the picked day into the box as 115/08/16.
document.addEventListener("DOMContentLoaded", () => {
  const pad = (n) => String(n).padStart(2, "0");
  for (const wrapper of document.querySelectorAll("[data-roc-date-input]")) {
    const box = wrapper.querySelector("input:not([data-roc-date-picker])");
    const picker = wrapper.querySelector("[data-roc-date-picker]");
    if (!box || !picker) continue;
    picker.hidden = false;
    const typed = /^\s*(\d{1,3})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*$/.exec(box.value);
    if (typed) {
      picker.value = `${Number(typed[1]) + 1911}-${pad(typed[2])}-${pad(typed[3])}`;
    }
    picker.addEventListener("change", () => {
      const [year, month, day] = picker.value.split("-").map(Number);
      if (!year) return;
      box.value = `${year - 1911}/${pad(month)}/${pad(day)}`;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }
});

// Small behaviours that need no library. Everything works without them.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector("[data-nav-toggle]");
  const nav = document.getElementById("main-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Menu groups: one open at a time; a click elsewhere or Escape closes it.
  const groups = Array.from(document.querySelectorAll("[data-nav-group]"));
  groups.forEach((group) => {
    group.addEventListener("toggle", () => {
      if (group.open) groups.forEach((other) => other !== group && (other.open = false));
    });
  });
  document.addEventListener("click", (event) => {
    groups.forEach((group) => group.open && !group.contains(event.target) && (group.open = false));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    groups.forEach((group) => {
      if (!group.open) return;
      group.open = false;
      group.querySelector("summary").focus();
    });
  });
  // The page's Content-Security-Policy allows no inline handlers: behaviours are named by data-*
  // attributes and attached here.
  document.querySelectorAll("[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form && el.form.submit());
  });
  document.querySelectorAll("[data-print]").forEach((el) => {
    el.addEventListener("click", () => window.print());
  });
  // Unit picker: a search box that fills a hidden code field from the suggestions list.
  document.addEventListener("click", (event) => {
    const option = event.target.closest("[data-unit-code]");
    if (!option) return;
    const picker = option.closest("[data-unit-picker]");
    if (!picker) return;
    event.preventDefault();
    const hidden = picker.querySelector("input[type=hidden]");
    const box = picker.querySelector("input[type=search]");
    if (hidden) {
      hidden.value = option.dataset.unitCode;
      box.value = option.dataset.unitLabel;
    } else {
      // One box (the officers' filters): the name for the eye, the code for the server.
      box.value = `${option.dataset.unitLabel} (${option.dataset.unitCode})`;
    }
    picker.querySelector("[data-unit-results]").replaceChildren();
  });
});

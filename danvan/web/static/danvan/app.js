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
    picker.querySelector("input[type=hidden]").value = option.dataset.unitCode;
    picker.querySelector("input[type=search]").value = option.dataset.unitLabel;
    picker.querySelector("[data-unit-results]").replaceChildren();
  });
});

// Loaded before the page is drawn: with this class the stylesheet folds the phone menu behind its
// button (app.js opens it); without JavaScript the menu stays open.
document.documentElement.classList.add("js");

// No angle brackets in this file: the HTML sanitiser drops a script whose text holds a tag.
// Repairs to Streamlit's own markup that the page cannot reach from Python (ui.layout.style runs
// this once per browser tab; a MutationObserver repeats it whenever Streamlit redraws).
// 1. The grouped menu: Streamlit puts each section's list items inside a division directly under
//    the list, which is not a valid list. The list becomes role="none" and each section's division
//    a list named by its heading ("Summary", "Workforce", ...).
// 2. The sparklines in the metric cards are decorative (the card's caption says the change on a
//    year ago in words, and each page's table holds the figures): hidden from screen readers.
(function () {
  if (window.__cwdA11y) return;
  function fix() {
    document.querySelectorAll('[data-testid="stSidebarNavItems"]').forEach(function (ul) {
      var sections = Array.prototype.filter.call(ul.children, function (c) { return c.tagName === 'DIV'; });
      if (!sections.length) return;
      if (ul.getAttribute('role') !== 'none') ul.setAttribute('role', 'none');
      sections.forEach(function (div) {
        if (div.getAttribute('role') !== 'list') div.setAttribute('role', 'list');
        var head = div.querySelector('[data-testid="stNavSectionHeader"]');
        var name = head ? head.innerText.trim() : '';
        if (name && div.getAttribute('aria-label') !== name) div.setAttribute('aria-label', name);
      });
    });
    document.querySelectorAll('[data-testid="stMetric"] svg:not([aria-hidden])').forEach(function (svg) {
      svg.setAttribute('aria-hidden', 'true');
    });
  }
  window.__cwdA11y = new MutationObserver(fix);
  window.__cwdA11y.observe(document.body, { childList: true, subtree: true });
  fix();
})();

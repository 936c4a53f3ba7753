// AI Career Assistant: a citation such as [1] (or a "Learn next" lesson) opens its passage and scrolls to it.
// Inline and dependency-free: the page needs nothing from outside this machine.
(function () {
  if (window.__careerCitations) return;
  window.__careerCitations = true;
  function openPassage(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    for (var p = el; p; p = p.parentElement) {
      if (p.tagName === "DETAILS") p.open = true;
    }
    el.scrollIntoView({ behavior: "smooth", block: "center" });
    el.classList.remove("flash");
    void el.offsetWidth;  // restart the highlight animation
    el.classList.add("flash");
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest && event.target.closest('a[href^="#src-"], a[href^="#lesson-"]');
    if (!link) return;
    var id = link.getAttribute("href").slice(1);
    event.preventDefault();
    event.stopPropagation();
    openPassage(id);
  }, true);
})();

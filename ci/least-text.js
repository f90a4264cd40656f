// Appended to a copy of the report page by ci/screenshots.sh (and by the browser tests): finds the smallest text
// the page renders, in screen pixels (an SVG's text scaled as its chart is shrunk to the page), and writes it
// into the page, in a pre element with the id least-text ("PIXELS ELEMENT: TEXT"), for `chromium --dump-dom`.
(() => {
  let least = Infinity;
  let what = "";
  for (const element of document.querySelectorAll("body *")) {
    const ownText = [...element.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!ownText || element.getClientRects().length === 0) continue;
    let pixels = parseFloat(getComputedStyle(element).fontSize);
    if (element instanceof SVGElement) {
      const matrix = element.getScreenCTM();
      pixels *= Math.hypot(matrix.a, matrix.b);
    }
    if (pixels < least) {
      least = pixels;
      what = element.tagName + ": " + element.textContent.trim().slice(0, 60);
    }
  }
  const report = document.createElement("pre");
  report.id = "least-text";
  report.textContent = least.toFixed(2) + " " + what;
  document.body.append(report);
})();

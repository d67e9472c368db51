// Loaded before the widget scripts on every page that embeds widget state (see _config.yml,
// sphinx.config.nb_ipywidgets_js). A classic script in <head>: it runs before the theme's
// Font Awesome script, which is `defer`red.

// Font Awesome's SVG mode replaces each <i class="fa ..."> with an <svg>; the Play widget then
// loses the element whose class it toggles between play and pause, and its icon stops updating.
// "nest" keeps the <i> and puts the SVG inside it; and since the theme's icons are all in the page
// when Font Awesome first runs, it need not watch later changes: widgets render afterwards and keep
// their <i> icons, drawn by the Font Awesome font that the widget bundle ships (vendored with it), so
// the Play/Pause swap (a class change on the <i>) shows exactly one icon.
window.FontAwesomeConfig = Object.assign(window.FontAwesomeConfig || {}, { autoReplaceSvg: "nest", observeMutations: false });

// RequireJS reads a global `require` object defined before it loads as its configuration. The widget
// bundle computes where its fonts live from its AMD module path; map those module paths to the
// vendored copy next to this file, or the fonts would be requested from the page's own directory.
(function () {
  var here = document.currentScript && document.currentScript.src;
  if (!here || window.requirejs) { return; }
  var vendored = here.slice(0, here.lastIndexOf("/") + 1) + "ipywidgets";
  window.require = {
    paths: {
      "@jupyter-widgets/html-manager/dist": vendored,
      "@jupyter-widgets": vendored
    }
  };
})();

// Widgets rendered from the embedded state have no kernel, so the html-manager marks them
// "disconnected"; nothing about them is broken (their controls are linked in the page), so no
// marker may cover or dim them.
(function () {
  var style = document.createElement("style");
  style.textContent =
    ".jupyter-widgets-disconnected::before { content: none !important; display: none !important; }\n" +
    ".jupyter-widgets-disconnected { opacity: 1 !important; }\n" +
    ".rnnbook-widget img { max-width: 100%; height: auto; }";
  document.head.appendChild(style);
})();

// The widget bundle typesets math in widget labels with MathJax 2's `MathJax.Hub.Queue(["Typeset",
// MathJax.Hub, node])`; the book serves MathJax 3, which has no `Hub`, so every page with a widget
// threw "Cannot read properties of undefined (reading 'Queue')" and labels stayed untypeset. Give
// every object that becomes `window.MathJax` (the configuration object, then MathJax 3 itself) a
// `Hub.Queue` that typesets with MathJax 3 once it is ready.
(function () {
  var current = window.MathJax;
  var pending = [];
  function typeset(nodes) {
    var mj = current;
    if (mj && mj.startup && mj.startup.promise && mj.typesetPromise) {
      mj.startup.promise.then(function () { return mj.typesetPromise(nodes); })
        .catch(function (err) { console.warn("MathJax could not typeset a widget label:", err); });
      return true;
    }
    return false;
  }
  var hub = {
    Queue: function (job) {
      var node = job && job[2];
      if (!node) { return; }
      if (!typeset([node])) { pending.push(node); }
    }
  };
  function withHub(value) {
    if (value && typeof value === "object" && !value.Hub) {
      try { value.Hub = hub; } catch (e) { /* a frozen object: leave it */ }
    }
    return value;
  }
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () { return current; },
    set: function (value) {
      current = withHub(value);
      if (pending.length && typeset(pending)) { pending = []; }
    }
  });
  withHub(current);
  // MathJax 3 attaches `startup` after it replaced the configuration object: flush what waited.
  document.addEventListener("DOMContentLoaded", function () {
    if (pending.length && typeset(pending)) { pending = []; }
  });
  window.addEventListener("load", function () {
    if (pending.length && typeset(pending)) { pending = []; }
  });
})();

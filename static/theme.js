// The reader's colour scheme, set before anything is drawn: this script is loaded in the head
// without defer, so a page never flashes the scheme the reader did not choose. Without a
// choice, the stylesheet follows the system (prefers-color-scheme). The switch is in app.js.
(function () {
  try {
    var chosen = localStorage.getItem('peerdesk-theme');
    if (chosen === 'dark' || chosen === 'light') document.documentElement.setAttribute('data-theme', chosen);
  } catch (e) { /* storage refused (private mode): follow the system */ }
})();

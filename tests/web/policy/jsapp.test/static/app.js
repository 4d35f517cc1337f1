// Renders the whole page: without JavaScript there is nothing but an empty <div>.
(function () {
  var app = document.getElementById("app");
  var h1 = document.createElement("h1");
  h1.textContent = "Widget Finder";
  app.appendChild(h1);
  var p = document.createElement("p");
  p.appendChild(document.createTextNode("Our favourite supplier: "));
  var a = document.createElement("a");
  a.href = "http://acme-widgets." + "test/from-js/";
  a.textContent = "Acme Widgets (rendered by JS)";
  p.appendChild(a);
  app.appendChild(p);
})();

// Adds a link after load: it is not in the static HTML.
document.getElementById("widgets").innerHTML =
  '<a href="' + "http://acme-widgets." + "test/js-domain/" + '">Acme test widget</a>';

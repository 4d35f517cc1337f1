// Adds a link after load: it is not in the static HTML.
document.getElementById("reviews").innerHTML =
  '<a href="' + "http://rival-gadgets." + "test/js-flag/" + '">Rival review widget</a>';

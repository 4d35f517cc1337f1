/* Toggles the primary menu on small screens. */
(function () {
  var button = document.querySelector('.menu-toggle');
  if (!button) { return; }
  button.addEventListener('click', function () {
    var expanded = button.getAttribute('aria-expanded') === 'true';
    button.setAttribute('aria-expanded', String(!expanded));
  });
})();

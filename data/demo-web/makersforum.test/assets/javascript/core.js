/* Marks the document as scripted so that CSS can reveal the dropdowns. */
document.body.className = document.body.className.replace('nojs', 'hasjs');

// The workflow builder, enhanced: choosing a step's action opens its fields (and closes the
// others'), and the subscription type list shows only the chosen channel's types. Without
// JavaScript every part stays reachable through its <details>, and the server checks it all.
(function () {
  "use strict";
  function each(root, selector, fn) { Array.prototype.forEach.call(root.querySelectorAll(selector), fn); }
  each(document, "fieldset.workflow-step", function (step) {
    var kind = step.querySelector("select[name$='_kind']");
    var channel = step.querySelector("select[name$='_channel']");
    var type = step.querySelector("select[name$='_type_id']");
    function showKind() {
      if (!kind.value) return;
      each(step, "details[data-kind]", function (part) { part.open = part.getAttribute("data-kind") === kind.value; });
    }
    function showChannel() {
      if (!channel || !type) return;
      each(type, "optgroup[data-channel]", function (group) {
        var mine = group.getAttribute("data-channel") === channel.value;
        group.hidden = !mine;
        group.disabled = !mine;
      });
      var chosen = type.options[type.selectedIndex];
      if (chosen && chosen.parentNode.disabled) type.value = "";
    }
    kind.addEventListener("change", showKind);
    if (channel) channel.addEventListener("change", showChannel);
    showChannel();
  });
})();

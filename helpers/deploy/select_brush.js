// Gradio's sketchpad leaves no tool chosen each time it is emptied (its bin button, which the
// page's Clear button also presses): a stroke drawn then would draw nothing. This script, run
// once when the page loads, chooses the brush whenever the sketchpad shows its tools with none
// chosen. A MutationObserver sees the change as soon as the sketchpad redraws its toolbar, in the
// same task as the click that emptied it, so a stroke drawn right after Clear is kept.
() => {
    const chooseBrush = () => {
        const tools = Array.from(document.querySelectorAll("#sketchpad button.quite-round"));
        if (tools.length && !tools.some((tool) => tool.classList.contains("highlight"))) {
            (tools.find((tool) => tool.title === "Brush") || tools[0]).click();
        }
    };
    new MutationObserver(chooseBrush).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ["class"],
    });
    chooseBrush();
}

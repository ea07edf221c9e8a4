// Gradio's sketchpad starts, and restarts when cleared, with no tool chosen: this script clicks
// the brush as soon as the sketchpad shows its tools with none chosen, waiting up to SECONDS.
// helpers/deploy/app.py fills in SECONDS and attaches it to the page's events.
() => {
    const started = Date.now();
    const timer = setInterval(() => {
        const tools = Array.from(document.querySelectorAll("#sketchpad button.quite-round"));
        if (tools.length && !tools.some((tool) => tool.classList.contains("highlight"))) {
            (tools.find((tool) => tool.title === "Brush") || tools[0]).click();
            clearInterval(timer);
        } else if (Date.now() - started > SECONDS * 1000) {
            clearInterval(timer);
        }
    }, 100);
}
